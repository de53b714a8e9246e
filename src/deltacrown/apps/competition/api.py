"""Competition app, public interface: what other apps (realtime, web) may ask of the competition.

Functions take and return ids and ``data`` objects, never model instances or querysets. They
check no permissions: callers decide who may see what (for example by the tournament's
visibility through ``tournaments.api.tournament_get_for``) before they ask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from deltacrown.apps.competition import selectors, services
from deltacrown.apps.competition.data import OPEN_STATUSES, MatchRef, MatchStatus, Placement
from deltacrown.apps.competition.services import demo_live

__all__ = [
    "demo_live_tournament",
    "demo_tick",
    "match_get",
    "seed_demo",
    "tournament_matches",
    "tournament_placements",
]


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


def demo_live_tournament(*, organizer_id: int, name: str) -> int | None:
    """The demo tournament to keep playing: the live one named ``name``, organized by
    ``organizer_id``, whose bracket is being played (the oldest of several); None if none."""
    return demo_live.demo_live_tournament(organizer_id=organizer_id, name=name)


def demo_tick(tournament_id: int, *, organizer_id: int, min_gap: timedelta) -> str:
    """Move the demo tournament on by one step, as its organizer and players would: the live
    match's next score (``scored``), its result reported by the home side (``reported``), a
    waiting result confirmed by the other side (``confirmed``) or a disputed one settled by the
    organizer (``overridden``), the next ready match started (``started``). Returns what it
    did, or why it did nothing: ``skipped`` (a match changed less than ``min_gap`` ago, so a
    step queued twice acts once), ``finished`` (not live, or not organized by
    ``organizer_id``), ``idle``, ``refused`` (a rule said no; logged)."""
    return demo_live.demo_step(
        tournament_id=tournament_id, organizer_id=organizer_id, min_gap=min_gap
    ).value
