"""Competition app, public interface: what other apps (realtime, web) may ask of the competition.

Functions take and return ids and ``data`` objects, never model instances or querysets. They
check no permissions: callers decide who may see what (for example by the tournament's
visibility through ``tournaments.api.tournament_get_for``) before they ask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from deltacrown.apps.competition import selectors, services
from deltacrown.apps.competition.data import OPEN_STATUSES, MatchRef, MatchStatus, Placement

__all__ = ["match_get", "seed_demo", "tournament_matches", "tournament_placements"]


def match_get(match_id: int) -> MatchRef:
    """The match with ``match_id``: its state, the participant of each slot, the score (the
    result's, else the latest live score) and the live score's sequence number. Raises
    ``MatchNotFound`` (404 ``match_not_found``) when there is no such match."""
    return selectors.match_ref(match_id)


def tournament_matches(
    tournament_id: int, *, statuses: Iterable[MatchStatus] = OPEN_STATUSES
) -> list[MatchRef]:
    """The tournament's matches in ``statuses`` (by default those being played: ready, live,
    waiting for confirmation, disputed), in bracket order. No permission check."""
    return selectors.match_refs(tournament_id=tournament_id, statuses=statuses)


def tournament_placements(tournament_id: int) -> list[Placement]:
    """The tournament's final placements, champion first (tied participants share a place);
    empty until its last stage is over and the placements are recorded."""
    return selectors.placements_of(tournament_id)


def seed_demo(*, tournament_ids: Sequence[int]) -> dict[str, int]:
    """Play the demo tournament that was just taken live part of the way, through the real
    rules and at the times it would have happened: the bracket drawn, the first round over,
    one match being played with a live score, one result waiting for the opponent's
    confirmation. Other tournaments, and one whose bracket exists, are left alone, so running
    it again changes nothing. Returns the matches of ``tournament_ids`` by state."""
    return services.demo_seed(tournament_ids=tournament_ids)
