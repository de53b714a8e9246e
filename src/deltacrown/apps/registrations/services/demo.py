"""Registrations app, services layer: demo registrations a newcomer sees after ``make run``.

Made through the same services as real use (events, waitlist, check-in rules), and idempotent:
a team or player already registered in a demo tournament is left alone. Demo players get a
demo in-game id for the tournament's game when their profile has none, since registering
requires one.

A demo tournament whose registration window is already over while it still waits in
``registration_open`` (the tournaments demo replays such a tournament's past so that it can be
shown checking in) gets its registrations replayed inside that window, a few minutes apart,
with the platform clock frozen at each; once it is checking in, half of its players check in,
once. A demo tournament still waiting in ``check_in`` after its start without a single check-in
(the tournaments demo replays such a tournament's past so that it can be shown live) gets every
confirmed player's check-in replayed inside its check-in window, a few minutes apart, so it can
go live with a full bracket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.games import api as games
from deltacrown.apps.games.data import GameRef
from deltacrown.apps.registrations.data import (
    DemoRegistrations,
    ParticipantKind,
    RegistrationState,
)
from deltacrown.apps.registrations.models import Entry, Registration, TournamentLedger
from deltacrown.apps.registrations.services.checkin import checkin_check_in
from deltacrown.apps.registrations.services.common import registration_open, require_check_in_open
from deltacrown.apps.registrations.services.registrations import registration_create
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import FieldKind, TournamentRef, TournamentStatus
from deltacrown.kernel import clock
from deltacrown.kernel.errors import DomainError

logger = logging.getLogger("deltacrown.registrations")

# Time between two replayed registrations (less when the window is too short for them all).
_REPLAY_GAP = timedelta(minutes=7)

# Demo in-game ids by the game's id format, made unique per player with the user id.
_DEMO_IDS = {
    "riot_id": lambda user_id: f"Demo{user_id}#DEMO",
    "konami_id": lambda user_id: f"{100_000_000 + user_id}",
    "ea_id": lambda user_id: f"Demo{user_id:05d}",
    "steam_id64": lambda user_id: f"{76561198000000000 + user_id}",
    "freefire_uid": lambda user_id: f"{10_000_000 + user_id}",
    "pubgm_id": lambda user_id: f"{10_000_000 + user_id}",
    "mlbb_id": lambda user_id: f"{10_000_000 + user_id} (1001)",
    "codm_id": lambda user_id: f"Demo {user_id}",
    "generic_name": lambda user_id: f"Demo {user_id}",
}


def _ensure_game_ids(game: GameRef, user_ids: Sequence[int]) -> None:
    """Give demo players a valid in-game id for ``game`` where their profile has none."""
    make = _DEMO_IDS.get(game.player_id_kind)
    if make is None:
        return
    for user_id, ids in accounts.game_ids_of(user_ids).items():
        if ids.get(game.slug):
            continue
        accounts.profile_update(user_id=user_id, game_ids={**ids, game.slug: make(user_id)})


def _demo_answers(tournament_id: int) -> dict[str, Any]:
    """Plausible answers to the tournament's required registration fields."""
    answers: dict[str, Any] = {}
    for spec in tournaments.registration_fields(tournament_id):
        if not spec.required:
            continue
        if spec.kind is FieldKind.TOGGLE:
            answers[spec.key] = True
        elif spec.kind is FieldKind.NUMBER:
            answers[spec.key] = spec.min if spec.min is not None else 1
        elif spec.kind is FieldKind.DROPDOWN and spec.choices:
            answers[spec.key] = spec.choices[0]
        elif spec.kind is FieldKind.URL:
            answers[spec.key] = "https://example.org/demo"
        elif spec.kind is FieldKind.DATE:
            answers[spec.key] = spec.min or clock.now().date().isoformat()
        elif spec.kind is FieldKind.MEDIA:
            answers[spec.key] = "demo/proof.png"
        else:
            answers[spec.key] = "demo"
    return answers


def _registered(tournament_id: int, *, team_id: int | None, user_id: int | None) -> bool:
    queryset = Registration.objects.filter(tournament_id=tournament_id)
    if team_id is not None:
        return queryset.filter(team_id=team_id).exists()
    return Entry.objects.filter(tournament_id=tournament_id, user_id=user_id).exists()


def _attempt(action: str, tournament_id: int, call: Callable[[], object]) -> bool:
    """Run one demo step; a refusal by the rules is logged and skipped, not raised."""
    try:
        with transaction.atomic():
            call()
    except DomainError as exc:
        # The demo shows what the rules allow; a refusal (window closed, roster too small) is
        # the rules working, not a failure of the demo.
        logger.info(
            "demo %s skipped", action, extra={"tournament_id": tournament_id, "code": exc.code}
        )
        return False
    return True


def _entrants(
    tournament: TournamentRef, player_ids: Sequence[int], team_ids: Sequence[int]
) -> list[tuple[int | None, int, tuple[int, ...]]]:
    """(team id, registrant id, players) of each demo entrant that fits the tournament."""
    if ParticipantKind(tournament.participant_kind) is ParticipantKind.SOLO:
        return [(None, user_id, (user_id,)) for user_id in player_ids]
    refs = teams.team_refs(team_ids)
    return [
        (team.id, team.captain_id, team.member_ids)
        for team in (refs.get(team_id) for team_id in team_ids)
        if team is not None and team.is_active and team.game_id == tournament.game_id
    ]


def _register(
    tournament: TournamentRef,
    entrants: Sequence[tuple[int | None, int, tuple[int, ...]]],
    *,
    pause: Callable[[], object] | None = None,
) -> int:
    """Register each of ``entrants`` not registered yet; returns how many were created.

    ``pause`` runs before each attempt after the first (it moves a frozen clock on).
    """
    game = games.game_get(tournament.game_id)
    answers = _demo_answers(tournament.id)
    created = 0
    for index, (team_id, registrant_id, member_ids) in enumerate(entrants):
        if _registered(tournament.id, team_id=team_id, user_id=registrant_id):
            continue
        if pause is not None and index:
            pause()
        _ensure_game_ids(game, member_ids)
        call = partial(
            registration_create,
            actor=accounts.user_get(registrant_id),
            tournament_id=tournament.id,
            team_id=team_id,
            answers=answers,
        )
        created += _attempt("registration", tournament.id, call)
    return created


def _window_missed(tournament: TournamentRef, now: datetime) -> bool:
    """Whether the tournament still waits in ``registration_open`` after its window closed
    without a single registration: the sign of a replayed demo history to fill in."""
    return (
        tournament.status is TournamentStatus.REGISTRATION_OPEN
        and tournament.registration_closes_at <= now
        and not Registration.objects.filter(tournament_id=tournament.id).exists()
    )


def _replay_registrations(
    tournament: TournamentRef, entrants: Sequence[tuple[int | None, int, tuple[int, ...]]]
) -> int:
    """Register ``entrants`` inside the tournament's past registration window, a few minutes
    apart from just after it opened, so arrival order and times read like a real sign-up."""
    window = tournament.registration_closes_at - tournament.registration_opens_at
    gap = min(_REPLAY_GAP, window / (len(entrants) + 1))
    with clock.frozen(tournament.registration_opens_at + gap) as moment:
        return _register(tournament, entrants, pause=partial(moment.advance, gap))


def demo_seed(
    *, tournament_ids: Sequence[int], player_ids: Sequence[int], team_ids: Sequence[int]
) -> DemoRegistrations:
    """Register the demo teams (team tournaments) or players (solo tournaments) in each of
    ``tournament_ids`` that takes registrations, or whose registration window passed unused
    (replayed in that window), and check half of them in where check-in is open, or all of them
    (replayed in its window) where it is over but was never used. Over capacity they land on
    the waitlist, as anyone would. Idempotent."""
    created = 0
    for tournament_id in tournament_ids:
        tournament = tournaments.tournament_get(tournament_id)
        now = clock.now()
        if registration_open(tournament, now):
            created += _register(tournament, _entrants(tournament, player_ids, team_ids))
        elif _window_missed(tournament, now):
            created += _replay_registrations(
                tournament, _entrants(tournament, player_ids, team_ids)
            )
        if _check_in_missed(tournament, now):
            _replay_check_ins(tournament)
        elif tournament.status is TournamentStatus.CHECK_IN:
            _check_in_half(tournament)
    rows = (
        Registration.objects.filter(tournament_id__in=tournament_ids)
        .order_by()
        .values_list("state")
        .annotate(count=Count("pk"))
    )
    return DemoRegistrations(
        tournament_ids=tuple(tournament_ids), created=created, by_state=dict(rows)
    )


def _confirmed(tournament_id: int) -> list[tuple[int, int]]:
    """(registration id, registrant id) of the confirmed registrations, in arrival order."""
    return list(
        Registration.objects.filter(
            tournament_id=tournament_id, state=RegistrationState.CONFIRMED.value
        )
        .order_by("arrival")
        .values_list("pk", "registered_by_id")
    )


def _check_in(tournament_id: int, registration_id: int, registrant_id: int) -> bool:
    call = partial(
        checkin_check_in, actor=accounts.user_get(registrant_id), registration_id=registration_id
    )
    return _attempt("check-in", tournament_id, call)


def _check_in_missed(tournament: TournamentRef, now: datetime) -> bool:
    """Whether the tournament still waits in ``check_in`` after its start, check-in not closed
    and without a single check-in: the sign of a replayed demo history to fill in."""
    if tournament.status is not TournamentStatus.CHECK_IN or now < tournament.starts_at:
        return False
    ledger = TournamentLedger.objects.filter(tournament_id=tournament.id).first()
    return (
        ledger is not None
        and ledger.check_in_closed_at is None
        and not Registration.objects.filter(
            tournament_id=tournament.id, checked_in_at__isnull=False
        ).exists()
    )


def _replay_check_ins(tournament: TournamentRef) -> None:
    """Check in every confirmed registration inside the tournament's past check-in window, a
    few minutes apart from just after it opened, as players arriving for the start would."""
    confirmed = _confirmed(tournament.id)
    window = tournament.starts_at - tournament.check_in_opens_at
    gap = min(_REPLAY_GAP, window / (len(confirmed) + 1))
    with clock.frozen(tournament.check_in_opens_at) as moment:
        for registration_id, registrant_id in confirmed:
            moment.advance(gap)
            _check_in(tournament.id, registration_id, registrant_id)


def _check_in_half(tournament: TournamentRef) -> None:
    """Check in the first half of the confirmed registrations, so the demo shows both.

    Only while nobody has checked in: after that, check-ins (and their undos) are the
    players' own and a later run leaves them as they are.
    """
    ledger = TournamentLedger.objects.filter(tournament_id=tournament.id).first()
    if ledger is None:
        return
    if Registration.objects.filter(
        tournament_id=tournament.id, checked_in_at__isnull=False
    ).exists():
        return
    try:
        require_check_in_open(tournament, ledger, clock.now(), by_organizer=False)
    except DomainError:
        return
    confirmed = _confirmed(tournament.id)
    for registration_id, registrant_id in confirmed[: (len(confirmed) + 1) // 2]:
        _check_in(tournament.id, registration_id, registrant_id)
