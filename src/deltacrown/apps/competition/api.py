"""Competition app, public interface: what other apps (realtime, web) may ask of the competition.

Functions take and return ids and ``data`` objects, never model instances or querysets. They
check no permissions: callers decide who may see what (for example by the tournament's
visibility through ``tournaments.api.tournament_get_for``) before they ask.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta

from deltacrown.apps.competition import display, selectors, services
from deltacrown.apps.competition.data import (
    OPEN_STATUSES,
    MatchDetail,
    MatchRef,
    MatchStatus,
    MatchView,
    ParticipantView,
    Placement,
    StageRef,
    StageView,
    Standings,
)
from deltacrown.apps.competition.services import demo_live

__all__ = [
    "demo_live_tournament",
    "demo_tick",
    "match_detail",
    "match_get",
    "match_views",
    "matches_of_registrations",
    "participant_ids_of",
    "participant_views",
    "participants_of_registrations",
    "pending_reports",
    "seed_demo",
    "stage_standings",
    "stage_view",
    "stages_of",
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


def stages_of(tournament_id: int) -> list[StageRef]:
    """The stages of the tournament's plan in order (``pending`` ones not generated yet)."""
    return display.stage_refs(tournament_id=tournament_id)


def stage_view(stage_id: int) -> StageView:
    """Everything to draw a stage in one call, shaped like ``GET /stages/{id}``: rounds in the
    engine's structure order with their matches (sides with names and where they come from,
    scores, live scores, where winner and loser go) and the standings with names. Raises
    ``StageNotFound`` (404 ``stage_not_found``). A constant number of queries at any size."""
    return display.stage_view(stage_id=stage_id)


def stage_standings(stage_id: int) -> Standings:
    """The stage's standings with names, overall and per group (cheaper than ``stage_view``
    when only the table is shown). Raises ``StageNotFound`` (404 ``stage_not_found``)."""
    return display.stage_standings(stage_id=stage_id)[1]


def match_detail(match_id: int) -> MatchDetail:
    """What a match page shows: the match, its round and stage, stream link, timing, games,
    the result waiting for confirmation and the open dispute. Raises ``MatchNotFound`` (404
    ``match_not_found``). Station (lobby) details are never included."""
    return display.match_detail(match_id=match_id)


def match_views(
    tournament_id: int,
    *,
    statuses: Collection[MatchStatus] | None = None,
    match_ids: Collection[int] | None = None,
    limit: int = 200,
    ordering: str = "bracket",
) -> list[MatchView]:
    """The tournament's matches in ``statuses`` (all when None) and among ``match_ids`` (all
    when None), at most ``limit``, with names, in bracket order or (``ordering="latest"``) the
    latest decided first; a constant number of queries."""
    return display.match_views(
        tournament_id=tournament_id,
        statuses=statuses,
        match_ids=match_ids,
        limit=limit,
        ordering=ordering,
    )


def matches_of_registrations(
    registration_ids: Collection[int],
    *,
    statuses: Collection[MatchStatus] | None = None,
    limit: int = 50,
) -> list[MatchView]:
    """The matches of the participants entered through ``registration_ids`` (a player's
    registrations, across tournaments) in ``statuses`` (all when None), scheduled ones
    soonest first, at most ``limit``."""
    return display.match_views_of_registrations(
        registration_ids=registration_ids, statuses=statuses, limit=limit
    )


def participant_views(tournament_id: int) -> list[ParticipantView]:
    """The tournament's participants by seed with public names, standing and placement;
    empty before the first stage is generated."""
    return display.participant_views(tournament_id=tournament_id)


def participant_ids_of(tournament_id: int, user_id: int) -> frozenset[int]:
    """The tournament's participants ``user_id`` plays for (the solo player, or a member of a
    roster as checked in); empty for spectators."""
    return selectors.participant_ids_of(tournament_id=tournament_id, user_id=user_id)


def participants_of_registrations(registration_ids: Collection[int]) -> dict[int, int]:
    """The competition participant id of each registration that entered the competition
    (registration id → participant id); registrations without one are absent."""
    return display.participant_ids_of_registrations(registration_ids=registration_ids)


def pending_reports(match_ids: Collection[int]) -> dict[int, int | None]:
    """Who submitted the result waiting for confirmation, per match among ``match_ids``
    (participant id; None when staff submitted it); matches with none are absent."""
    return display.pending_report_sides(match_ids=match_ids)


def seed_demo(*, tournament_ids: Sequence[int]) -> dict[str, int]:
    """Play each demo tournament that was just taken live, through the real rules and at the
    times it would have happened, by the script of its format: the double-elimination cup and
    the Swiss stage part of the way (matches over, one being played with a live score, one
    ready; in the cup one result waiting for the opponent's confirmation), the league (round
    robin) and the battle royale to the end, their placements recorded. Other tournaments, and
    one whose bracket exists, are left alone, so running it again changes nothing. Returns the
    matches of ``tournament_ids`` by state."""
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
