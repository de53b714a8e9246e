"""Competition app, services layer: running a match — schedule, details, start, live score,
cancel and reset.

Organizers (and moderators) schedule matches one by one or in bulk, set the stream URL and the
lobby or station details, assign a coordinator (a moderator of the tournament) and start a
match. While it is live the coordinator or staff post live scores, each with a sequence number
that must grow (a late, stale update is refused, so scores never go backwards). Cancelling a
match decides it with nobody advancing (a double forfeit in the engine); resetting one sends a
live, reported or disputed match back to ``ready`` with its submissions discarded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    BULK_SCHEDULE_MAX,
    MATCH_CANCELLED,
    MATCH_RESET,
    MATCH_SCORE_UPDATED,
    MATCH_STARTED,
    MATCH_UPDATED,
    SCORE_MAX,
    MatchStatus,
)
from deltacrown.apps.competition.models import Dispute, Match, Stage
from deltacrown.apps.competition.services import bridge
from deltacrown.apps.competition.services.common import (
    actor_id,
    ledger_lock,
    match_lock,
    record,
    require_officiate,
    require_organizer,
    require_transition,
)
from deltacrown.apps.competition.services.progression import apply_claim, lock_draw
from deltacrown.apps.competition.services.results import _visible_match, require_running
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor
from deltacrown.kernel import clock
from deltacrown.kernel.errors import ValidationFailed, field_error

M = MatchStatus
_UNSET: Any = object()
STATION_MAX_BYTES = 4096


def _bump(match: Match, now: datetime, fields: list[str]) -> None:
    match.version += 1
    match.updated_at = now
    match.save(update_fields=[*fields, "version", "updated_at"])


def match_update(
    *,
    actor: Actor,
    match_id: int,
    scheduled_at: datetime | None = _UNSET,
    stream_url: str = _UNSET,
    station: dict[str, Any] = _UNSET,
    coordinator_id: int | None = _UNSET,
    best_of: int = _UNSET,
) -> Match:
    """Change a match's schedule, stream URL, lobby/station details (JSON, at most 4 KB),
    coordinator (a moderator or organizer of the tournament, or None) or best-of (only before
    it is played). Staff only."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_officiate(actor, match)
        changed: list[str] = []
        problems: list[dict[str, str]] = []
        if scheduled_at is not _UNSET:
            match.scheduled_at = scheduled_at
            changed.append("scheduled_at")
        if stream_url is not _UNSET:
            match.stream_url = stream_url or ""
            changed.append("stream_url")
        if station is not _UNSET:
            import orjson

            if len(orjson.dumps(station or {})) > STATION_MAX_BYTES:
                problems.append(field_error("station", "too_large", "At most 4 KB of JSON."))
            match.station = station or {}
            changed.append("station")
        if coordinator_id is not _UNSET:
            if coordinator_id is not None and not tournaments.is_staff_of(
                coordinator_id, match.tournament_id
            ):
                problems.append(
                    field_error(
                        "coordinator_id",
                        "not_staff",
                        "The coordinator must be an organizer or moderator of the tournament.",
                    )
                )
            match.coordinator_id = coordinator_id
            changed.append("coordinator")
        if best_of is not _UNSET:
            if M(match.status) not in (M.SCHEDULED, M.READY):
                problems.append(
                    field_error("best_of", "match_started", "The match is already being played.")
                )
            match.best_of = best_of
            changed.append("best_of")
        if problems:
            raise ValidationFailed(errors=problems)
        if changed:
            _bump(match, now, changed)
            record(
                match.tournament_id,
                MATCH_UPDATED,
                {"match_id": match.pk, "fields": sorted(changed)},
                actor=who,
                match_id=match.pk,
            )
    return match


def matches_schedule(
    *, actor: Actor, tournament_id: int, items: Sequence[tuple[int, datetime | None]]
) -> int:
    """Schedule many matches of the tournament at once (organizers): ``(match_id, time)``
    pairs, all or nothing; returns how many changed."""
    who = actor_id(actor)
    require_organizer(actor, tournament_id)
    if len(items) > BULK_SCHEDULE_MAX:
        raise ValidationFailed(
            errors=[field_error("items", "too_many", f"At most {BULK_SCHEDULE_MAX} at once.")]
        )
    now = clock.now()
    ids = [match_id for match_id, _ in items]
    with transaction.atomic():
        ledger_lock(tournament_id)
        rows = {
            m.pk: m
            for m in Match.objects.select_for_update().filter(
                pk__in=ids, tournament_id=tournament_id
            )
        }
        problems = [
            field_error(f"items.{i}.match_id", "match_not_found", "Not a match of this tournament.")
            for i, match_id in enumerate(ids)
            if match_id not in rows
        ]
        if problems:
            raise ValidationFailed(errors=problems)
        changed = 0
        for match_id, when in items:
            match = rows[match_id]
            if match.scheduled_at != when:
                match.scheduled_at = when
                _bump(match, now, ["scheduled_at"])
                changed += 1
        if changed:
            record(
                tournament_id,
                MATCH_UPDATED,
                {"match_ids": sorted(rows), "fields": ["scheduled_at"]},
                actor=who,
            )
    return changed


def match_start(*, actor: Actor, match_id: int) -> Match:
    """Start a ready match (staff or its coordinator): ``live``; the stage's draw is locked."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_officiate(actor, match)
        require_running(match.tournament_id)
        if M(match.status) is not M.READY:
            require_transition(match, M.LIVE)
            raise errors.InvalidMatchTransition(
                f"A {match.status} match cannot be started.",
                state=match.status,
                allowed=sorted(s.value for s in _allowed(match)),
            )
        match.status = M.LIVE
        match.started_at = now
        _bump(match, now, ["status", "started_at"])
        lock_draw(Stage.objects.get(pk=match.stage_id), now)
        record(
            match.tournament_id,
            MATCH_STARTED,
            {"match_id": match.pk, "stage_id": match.stage_id},
            actor=who,
            match_id=match.pk,
        )
    return match


def _allowed(match: Match) -> frozenset[MatchStatus]:
    from deltacrown.apps.competition.data import MATCH_TRANSITIONS

    return MATCH_TRANSITIONS[M(match.status)]


def match_score_update(
    *,
    actor: Actor,
    match_id: int,
    seq: int,
    scores: Sequence[int],
    game: int | None = None,
) -> Match:
    """A live score update (coordinator or staff) while the match is live. ``seq`` must be
    above the last update's (409 ``stale_score_update`` with the current ``score_seq``
    otherwise); ``scores`` align with the slots; ``game`` is the game being played."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        # The match row lock alone orders updates of one match; no tournament-wide lock, so
        # live scores of different matches never queue behind each other.
        match = match_lock(match_id)
        require_officiate(actor, match)
        if M(match.status) is not M.LIVE:
            raise errors.InvalidMatchTransition(
                "Live scores are posted while the match is live.",
                state=match.status,
                allowed=[],
            )
        if seq <= match.score_seq:
            raise errors.StaleScoreUpdate(
                "A newer score update has already been recorded.", score_seq=match.score_seq
            )
        slots = match.slots.count()
        if len(scores) != slots or any(
            isinstance(s, bool) or not 0 <= s <= SCORE_MAX for s in scores
        ):
            raise ValidationFailed(
                errors=[
                    field_error(
                        "scores",
                        "invalid_score",
                        f"Give one whole score from 0 to {SCORE_MAX} per side.",
                    )
                ]
            )
        match.score_seq = seq
        match.live_scores = list(scores)
        if game is not None:
            match.station = {**match.station, "current_game": game}
        _bump(match, now, ["score_seq", "live_scores", "station"])
        record(
            match.tournament_id,
            MATCH_SCORE_UPDATED,
            {"match_id": match.pk, "seq": seq, "scores": list(scores), "game": game},
            actor=who,
            match_id=match.pk,
            audited=False,
        )
    return match


def match_cancel(*, actor: Actor, match_id: int) -> Match:
    """Cancel a match (staff): it will not be played and nobody advances from it (in the
    engine, a double forfeit). A correction by override can still give it a result."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_officiate(actor, match)
        require_running(match.tournament_id)
        require_transition(match, M.CANCELLED)
        bridge.supersede_open_reports(match, now=now)
        Dispute.objects.filter(match=match, status="open").update(
            status="resolved", resolution="result", resolved_at=now
        )
        if match.engine_status == "waiting":
            raise errors.InvalidMatchTransition(
                "Both sides of this match are not known yet; cancel it once they are.",
                state=match.status,
                allowed=[],
            )
        apply_claim(match, {"kind": "double_forfeit"}, actor=who, now=now, status=M.CANCELLED)
        record(
            match.tournament_id,
            MATCH_CANCELLED,
            {"match_id": match.pk},
            actor=who,
            match_id=match.pk,
        )
    return Match.objects.get(pk=match_id)


def match_reset(*, actor: Actor, match_id: int) -> Match:
    """Send a live, reported or disputed match back to ``ready`` (staff): its live score and
    submissions are discarded and it is played again. A decided match is changed by an
    override instead."""
    who = actor_id(actor)
    match = _visible_match(actor, match_id)
    now = clock.now()
    with transaction.atomic():
        ledger_lock(match.tournament_id)
        match = match_lock(match_id)
        require_officiate(actor, match)
        require_running(match.tournament_id)
        replay_locked(match, now=now)
        record(
            match.tournament_id,
            MATCH_RESET,
            {"match_id": match.pk},
            actor=who,
            match_id=match.pk,
        )
    return match


def replay_locked(match: Match, *, now: datetime) -> None:
    """Back to ``ready`` for a replay (the caller holds the locks and records the event)."""
    if M(match.status) not in (M.LIVE, M.PENDING_RESULT, M.DISPUTED):
        require_transition(match, M.READY)
        raise errors.InvalidMatchTransition(
            "Only a live, reported or disputed match can be reset; override a decided one.",
            state=match.status,
            allowed=sorted(s.value for s in _allowed(match)),
        )
    bridge.supersede_open_reports(match, now=now)
    match.status = M.READY
    match.started_at = None
    match.live_scores = []
    _bump(match, now, ["status", "started_at", "live_scores"])
