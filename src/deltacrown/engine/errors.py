"""Engine layer, errors: the typed failures of the competition engine.

The engine is pure Python and cannot import the platform's ``DomainError``; its errors carry the
same shape instead (a stable snake_case ``code``, a human ``detail`` and data fields), so the
platform can wrap any of them into a problem+json response without guessing. Codes are stable
API and are listed in docs/engine.md.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """A competition-engine operation that cannot be carried out as asked."""

    code: str = "engine_error"

    def __init__(self, detail: str, **data: Any) -> None:
        self.detail = detail
        self.data = data
        super().__init__(detail)

    def to_dict(self) -> dict[str, Any]:
        """The error as plain data: ``{"code", "detail", **data}``."""
        return {"code": self.code, "detail": self.detail, **self.data}


class InvalidConfiguration(EngineError):
    """The stage options or the participant list do not describe a playable stage."""

    code = "invalid_stage_configuration"


class UnknownMatch(EngineError):
    """No match with this id exists in the stage."""

    code = "unknown_match"


class UnknownParticipant(EngineError):
    """The participant is not part of the stage."""

    code = "unknown_participant"


class MatchNotReady(EngineError):
    """The match cannot take a result now: its participants are not known, or it is a bye."""

    code = "match_not_ready"


class ParticipantNotInMatch(EngineError):
    """The result names a participant who does not play in this match."""

    code = "participant_not_in_match"


class DrawNotAllowed(EngineError):
    """The format (or this stage's options) does not allow a drawn match."""

    code = "draw_not_allowed"


class InvalidResult(EngineError):
    """The result is inconsistent (wrong number of scores, negative score, winner contradicts
    the scores, a lobby placement list that is not the lobby, ...)."""

    code = "invalid_result"


class CorrectionBlocked(EngineError):
    """The correction would change a match that has already been played."""

    code = "correction_blocked"


class AlreadyWithdrawn(EngineError):
    """The participant has already withdrawn or been disqualified."""

    code = "participant_already_withdrawn"


class InvalidStageData(EngineError):
    """Serialized stage data is malformed or inconsistent and cannot be loaded."""

    code = "invalid_stage_data"
