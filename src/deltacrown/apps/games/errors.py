"""Games app, errors: the typed failures of game lookups, config edits, ids and drafts.

Every class has a stable ``code`` (listed in docs/games.md and docs/errors.md).
"""

from __future__ import annotations

from deltacrown.kernel.errors import Conflict, NotFound, ValidationFailed


class GameNotFound(NotFound):
    """No game with this id or slug."""

    code = "game_not_found"


class GameConfigInvalid(ValidationFailed):
    """The game config (after merging the change) breaks the config schema; see ``errors``."""

    code = "game_config_invalid"


class PlayerIdInvalid(ValidationFailed):
    """The in-game id does not match the game's id format; the message says what does."""

    code = "invalid_player_id"


class DraftInvalid(ValidationFailed):
    """A pick/ban draft breaks the game's draft rules; ``index`` is the first bad action."""

    code = "draft_invalid"


class DraftNotSupported(Conflict):
    """The game has no pick/ban draft."""

    code = "draft_not_supported"


class GameSlugTaken(Conflict):
    """Another game already uses this slug."""

    code = "game_slug_taken"
