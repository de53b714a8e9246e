"""Engine layer, formats: the hooks every format implements, with the common defaults.

A format builds its matches once (``build``) and then reacts to what happens: results
(``record``, ``after_decided``), withdrawals (``withdraw``), eliminations (``knocked_out``) and,
for stages that feed a bracket from groups, qualifiers (``qualifier``). The shared mechanics
(pulling slots from sources, forfeits, corrections) live in ``deltacrown.engine.progression``.
"""

from __future__ import annotations

from deltacrown.engine.errors import InvalidConfiguration
from deltacrown.engine.model import LobbyResult, Match, Result, StageConfig
from deltacrown.engine.progression import Work, forfeit_withdrawn, record_two_sided


class Rules:
    """How one format builds its matches and reacts to results."""

    def validate(self, config: StageConfig, count: int) -> None:
        """Raise ``InvalidConfiguration`` unless ``count`` participants can play ``config``."""

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        """The stage's matches in structure order, and its groups (participant ids)."""
        raise NotImplementedError

    def allows_draw(self, config: StageConfig, match: Match) -> bool:
        """Whether ``match`` may end in a draw."""
        return False

    def record(self, work: Work, match: Match, result: Result | LobbyResult) -> None:
        """Record (or correct) a result."""
        record_two_sided(work, match, result)

    def after_decided(self, work: Work, old: Match, new: Match) -> None:
        """React to a match whose outcome changed (pair a new round, rank a group, ...)."""

    def withdraw(self, work: Work, participant: str) -> None:
        """Apply a withdrawal already written to ``work.withdrawn``."""
        forfeit_withdrawn(work, participant)

    def knocked_out(self, work: Work, match: Match) -> tuple[str, ...]:
        """Who is out of the stage because of this match's outcome."""
        return ()

    def qualifier(self, work: Work, group: str, rank: int) -> tuple[bool, str | None]:
        """(known, participant) ranked ``rank`` in ``group``, for bracket slots fed by groups."""
        raise InvalidConfiguration("This format has no groups feeding a bracket.")


def require(condition: bool, message: str, **data: object) -> None:
    """Raise ``InvalidConfiguration`` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise InvalidConfiguration(message, **data)
