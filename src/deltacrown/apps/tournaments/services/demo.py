"""Tournaments app, services layer: the demo tournaments a newcomer sees after ``make run``.

Created through the same services as real use (so they carry audit entries and events) and
idempotent: a demo tournament that already exists (same organizer and name) is left alone.

One demo tournament is shown checking in, which only a tournament whose registration window is
over can be, and one is shown live, which only a tournament whose check-in is over can be. Their
histories are replayed through the services at the times they would have happened (with the
platform clock frozen at each): created and published an hour before registration opened,
opened at the opening time. Each then waits, window over, until the next call, so the
registrations demo can register players inside the window first; that call closes registration
and opens check-in, each at its scheduled time, as the scheduler would have. The live one waits
in check-in for one call more, so the registrations demo can check its players in inside the
check-in window; the call after that takes it live at its start time.

Each call takes at most one such turn per tournament, the one that starts from the state the
tournament is in, so the caller (``web.demo``) decides the order: tournaments, registrations,
tournaments, registrations, tournaments. A tournament at its target state (or beyond it, once
the scheduler moved it on) matches no turn and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.tournaments.data import (
    Actor,
    DemoTournaments,
    TemplateScope,
    TournamentStatus,
)
from deltacrown.apps.tournaments.models import Tournament, TournamentTemplate
from deltacrown.apps.tournaments.services.lifecycle import tournament_transition
from deltacrown.apps.tournaments.services.templates import template_create
from deltacrown.apps.tournaments.services.tournaments import tournament_create
from deltacrown.kernel import clock

DEMO_TEMPLATE_NAME = "5v5 single-elimination cup"


def _schedule(now: datetime, *, opens_in: timedelta, starts_in: timedelta) -> dict[str, Any]:
    return {
        "registration_opens_at": now + opens_in,
        "registration_closes_at": now + starts_in - timedelta(hours=1),
        "check_in_opens_before": 30,
        "starts_at": now + starts_in,
    }


def _checking_in_schedule(now: datetime) -> dict[str, Any]:
    """A schedule whose registration window is over and whose check-in is open at ``now`` (the
    next full hour): check-in opened at the last full hour and closes two hours after ``now``,
    so it stays open for two to three hours after seeding."""
    check_in_opens_at = now - timedelta(hours=1)
    starts_at = now + timedelta(hours=2)
    return {
        "registration_opens_at": check_in_opens_at - timedelta(hours=3),
        "registration_closes_at": check_in_opens_at,
        "check_in_opens_before": (starts_at - check_in_opens_at) // timedelta(minutes=1),
        "starts_at": starts_at,
    }


def _live_schedule(now: datetime) -> dict[str, Any]:
    """A schedule that is over up to the start, one to two hours before seeding (``now`` is the
    next full hour), so the replayed play after the start fills the time until seeding."""
    starts_at = now - timedelta(hours=2)
    return {
        "registration_opens_at": starts_at - timedelta(hours=6),
        "registration_closes_at": starts_at - timedelta(hours=1),
        "check_in_opens_before": 30,
        "starts_at": starts_at,
    }


def _demo_configs(now: datetime) -> list[tuple[dict[str, Any], TournamentStatus, bool]]:
    """(configuration, state to bring it to, official and featured) of each demo tournament."""
    valorant_open = {
        "game": "valorant",
        "name": "DeltaCrown Valorant Open",
        "description": "Sixteen teams, single elimination, best of three from the semi-finals.",
        "rules": "Standard competitive settings. Check in 30 minutes before the start.",
        "region": "europe",
        "capacity": 16,
        "participant_kind": "team",
        "stage_plan": [
            {"name": "Playoffs", "format": "single_elimination", "options": {"third_place": True}}
        ],
        "prize": {
            "pool": 50_000,
            "currency": "USD",
            "distribution": {"kind": "percent", "places": [50, 30, 20]},
        },
        "schedule": _schedule(now, opens_in=-timedelta(hours=1), starts_in=timedelta(days=7)),
        "registration_fields": [
            {"key": "discord", "label": "Discord handle", "kind": "text", "required": True},
            {
                "key": "rules_accepted",
                "label": "I accept the rules",
                "kind": "toggle",
                "required": True,
            },
        ],
    }
    efootball_cup = {
        "game": "efootball",
        "name": "eFootball Weekend Cup",
        "description": "One against one, double elimination.",
        "region": "south_asia",
        "capacity": 32,
        "participant_kind": "solo",
        "stage_plan": [{"format": "double_elimination", "options": {"grand_final": "simple"}}],
        "entry_fee": {"kind": "external", "amount": 500, "currency": "EUR"},
        "schedule": _schedule(now, opens_in=timedelta(days=1), starts_in=timedelta(days=5)),
    }
    free_fire = {
        "game": "freefire",
        "name": "Free Fire Squad Showdown",
        "description": "Squads of four, three rounds of lobbies of twelve.",
        "region": "southeast_asia",
        "capacity": 24,
        "participant_kind": "team",
        "stage_plan": [{"format": "battle_royale", "options": {"lobby_size": 12, "rounds": 3}}],
        "schedule": _schedule(now, opens_in=timedelta(days=2), starts_in=timedelta(days=10)),
    }
    night_cup = {
        "game": "efootball",
        "name": "eFootball Night Cup",
        "description": "Eight players, one against one, double elimination. Free entry.",
        "rules": "Check in before kick-off; no-shows lose their place to the waitlist.",
        "region": "europe",
        "capacity": 8,
        "participant_kind": "solo",
        "stage_plan": [{"format": "double_elimination", "options": {"grand_final": "simple"}}],
        "waitlist_promotion_on_close": True,
        "schedule": _checking_in_schedule(now),
    }
    sprint_cup = {
        "game": "efootball",
        "name": "eFootball Sprint Cup",
        "description": (
            "Eight players, one against one, double elimination with a bracket reset. "
            "Best of one, best of three in the grand final."
        ),
        "rules": "Report your score right after the final whistle; the opponent confirms it.",
        "region": "europe",
        "capacity": 8,
        "participant_kind": "solo",
        "stage_plan": [
            {
                "name": "Playoffs",
                "format": "double_elimination",
                "options": {"grand_final": "reset"},
                "best_of": {"default": 1, "rounds": {"grand_final": 3}},
            }
        ],
        "schedule": _live_schedule(now),
    }
    return [
        (valorant_open, TournamentStatus.REGISTRATION_OPEN, True),
        (efootball_cup, TournamentStatus.PUBLISHED, False),
        (free_fire, TournamentStatus.DRAFT, False),
        (night_cup, TournamentStatus.CHECK_IN, False),
        (sprint_cup, TournamentStatus.LIVE, False),
    ]


_PATH: dict[TournamentStatus, tuple[TournamentStatus, ...]] = {
    TournamentStatus.DRAFT: (),
    TournamentStatus.PUBLISHED: (TournamentStatus.PUBLISHED,),
    TournamentStatus.REGISTRATION_OPEN: (
        TournamentStatus.PUBLISHED,
        TournamentStatus.REGISTRATION_OPEN,
    ),
}

# (from, to, the schedule field saying when) of a step the clock would take.
_Step = tuple[TournamentStatus, TournamentStatus, str]
# Steps taken in one call, ending where another app's demo acts next.
_Turn = tuple[_Step, ...]
_CLOSE_AND_CHECK_IN: _Turn = (
    (
        TournamentStatus.REGISTRATION_OPEN,
        TournamentStatus.REGISTRATION_CLOSED,
        "registration_closes_at",
    ),
    (TournamentStatus.REGISTRATION_CLOSED, TournamentStatus.CHECK_IN, "check_in_opens_at"),
)
_GO_LIVE: _Turn = ((TournamentStatus.CHECK_IN, TournamentStatus.LIVE, "starts_at"),)
# Targets beyond the registration window, and the turns taken after the window, one per call:
# the first once players have registered in it, the second once they have checked in.
_AFTER_WINDOW: dict[TournamentStatus, tuple[_Turn, ...]] = {
    TournamentStatus.CHECK_IN: (_CLOSE_AND_CHECK_IN,),
    TournamentStatus.LIVE: (_CLOSE_AND_CHECK_IN, _GO_LIVE),
}
# How long before registration opens a replayed demo tournament was created and published.
_CREATED_BEFORE_OPENING = timedelta(hours=1)


def _create(
    organizer: Actor, config: dict[str, Any], target: TournamentStatus, highlighted: bool
) -> Tournament:
    """Create one demo tournament and bring it to ``target``, or, for a target beyond the
    registration window, replay its past up to the opening of registration."""
    if target not in _AFTER_WINDOW:
        tournament = tournament_create(
            actor=organizer, config=config, official=highlighted, featured=highlighted
        )
        for step in _PATH[target]:
            tournament = tournament_transition(
                actor=organizer, tournament_id=tournament.pk, to=step
            )
        return tournament
    opens_at = config["schedule"]["registration_opens_at"]
    with clock.frozen(opens_at - _CREATED_BEFORE_OPENING):
        tournament = tournament_create(
            actor=organizer, config=config, official=highlighted, featured=highlighted
        )
        tournament_transition(
            actor=organizer, tournament_id=tournament.pk, to=TournamentStatus.PUBLISHED
        )
    with clock.frozen(opens_at):
        return tournament_transition(
            actor=organizer, tournament_id=tournament.pk, to=TournamentStatus.REGISTRATION_OPEN
        )


def _catch_up(organizer: Actor, tournament: Tournament, target: TournamentStatus) -> Tournament:
    """Take the turn towards ``target`` that starts from the tournament's state, each step at
    its scheduled time, when every step of it is due. A tournament at ``target`` or beyond
    (the scheduler owns it once it has started) matches no turn and is left alone."""
    now = clock.now()
    for turn in _AFTER_WINDOW.get(target, ()):
        if tournament.status != turn[0][0]:
            continue
        if any(getattr(tournament, due_field) > now for _, _, due_field in turn):
            break
        for _, step, due_field in turn:
            with clock.frozen(getattr(tournament, due_field)):
                tournament = tournament_transition(
                    actor=organizer, tournament_id=tournament.pk, to=step
                )
        break
    return tournament


def demo_organizer() -> Any:
    """The demo administrator (``DEMO_ADMIN_USERNAME``), created when missing: the organizer of
    every demo tournament."""
    username = settings.DEMO_ADMIN_USERNAME
    return accounts.user_find(username) or accounts.admin_ensure(
        username, f"{username}@demo.invalid", settings.DEMO_ADMIN_PASSWORD
    )


def demo_now() -> datetime:
    """The next full hour: the demo schedules are laid out from it."""
    return clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def take_turns(
    organizer: Actor, turns: Iterable[tuple[dict[str, Any], TournamentStatus, bool]]
) -> tuple[list[Tournament], int]:
    """For each (config, target, highlighted): create the demo tournament if it is missing (left
    in its past registration window), else take it its next turn towards ``target``. The
    tournaments in order, and how many were created."""
    done: list[Tournament] = []
    created = 0
    for config, target, highlighted in turns:
        existing = Tournament.objects.filter(
            organizer_id=organizer.id, name=config["name"], deleted_at__isnull=True
        ).first()
        with transaction.atomic():
            if existing is None:
                existing = _create(organizer, config, target, highlighted)
                created += 1
            else:
                existing = _catch_up(organizer, existing, target)
        done.append(existing)
    return done, created


def demo_seed() -> DemoTournaments:
    """Create whatever of the demo tournaments and template is missing; idempotent.

    The demo administrator (``DEMO_ADMIN_USERNAME``) organizes them. The tournaments shown
    checking in and live are left in their (past) registration window when created; each
    later call takes them one turn further (to check-in, then live), once the registrations
    demo has acted in between (see the module).
    """
    organizer = demo_organizer()
    done, created = take_turns(organizer, _demo_configs(demo_now()))
    first_id = done[0].pk if done else None
    template = TournamentTemplate.objects.filter(
        name=DEMO_TEMPLATE_NAME, scope=TemplateScope.GLOBAL
    ).first()
    if template is None and first_id is not None:
        template = template_create(
            actor=organizer,
            tournament_id=first_id,
            name=DEMO_TEMPLATE_NAME,
            scope=TemplateScope.GLOBAL,
            description="Sixteen teams of five, single elimination with a third-place match.",
        )
    return DemoTournaments(
        slugs=tuple(t.slug for t in done),
        created=created,
        template_id=template.pk if template else None,
        ids=tuple(t.pk for t in done),
    )
