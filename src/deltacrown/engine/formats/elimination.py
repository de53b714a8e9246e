"""Engine layer, formats: what single and double elimination (and playoffs) have in common.

Elimination matches cannot be drawn; a participant is knocked out by a loss that has nowhere
to go (no ``loser_to``) or by a double forfeit. Placement is measured in *tiers*: every match
has the tier its loser finishes at (and, for the last matches, the tier of its winner); a higher
tier is a better placement, and participants knocked out at the same tier share a rank.
"""

from __future__ import annotations

from collections.abc import Mapping

from deltacrown.engine.formats.base import Rules
from deltacrown.engine.model import Match, MatchStatus, Outcome, Result
from deltacrown.engine.progression import Work

# Tiers of one bracket: match id -> (tier of its loser, tier of its winner or None when the
# winner goes on to another match).
Tiers = Mapping[str, tuple[int, int | None]]


class EliminationRules(Rules):
    """Shared rules of the elimination formats."""

    def knocked_out(self, work: Work, match: Match) -> tuple[str, ...]:
        return knocked_out(match, has_reset=bool(work.dependents.get(match.id)))


def knocked_out(match: Match, *, has_reset: bool) -> tuple[str, ...]:
    """Who an elimination match knocks out (``has_reset``: the match feeds a reset final)."""
    if match.status is not MatchStatus.COMPLETED or not isinstance(match.result, Result):
        return ()
    result = match.result
    if result.outcome is Outcome.DOUBLE_FORFEIT:
        return match.present
    if match.loser_to is not None or result.loser is None:
        return ()
    # In a grand final with a reset, the winners-bracket champion (side 1) who loses the first
    # match plays the second one; only the losers-bracket finalist is out after one loss.
    if has_reset and match.bracket == "grand_final" and result.loser == match.participants[0]:
        return ()
    return (result.loser,)


def loser_tier(matches: Mapping[str, Match], tiers: Tiers, match: Match) -> int:
    """The tier a loser of ``match`` finishes at (following drops into the losers bracket)."""
    while match.loser_to is not None:
        match = matches[match.loser_to.match]
    return tiers[match.id][0]
