"""Competition app, public interface: what other apps (realtime, web) may ask of the competition.

Functions take and return ids and ``data`` objects, never model instances or querysets. They
check no permissions: callers decide who may see what (for example by the tournament's
visibility through ``tournaments.api.tournament_get_for``) before they ask.
"""

from __future__ import annotations

from deltacrown.apps.competition import selectors
from deltacrown.apps.competition.data import MatchRef, Placement

__all__ = ["match_get", "tournament_placements"]


def match_get(match_id: int) -> MatchRef:
    """The match with ``match_id``: its state, the participant of each slot, the score (the
    result's, else the latest live score) and the live score's sequence number. Raises
    ``MatchNotFound`` (404 ``match_not_found``) when there is no such match."""
    return selectors.match_ref(match_id)


def tournament_placements(tournament_id: int) -> list[Placement]:
    """The tournament's final placements, champion first (tied participants share a place);
    empty until its last stage is over and the placements are recorded."""
    return selectors.placements_of(tournament_id)
