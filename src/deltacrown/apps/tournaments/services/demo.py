"""Tournaments app, services layer: the demo tournaments a newcomer sees after ``make run``.

Created through the same services as real use (so they carry audit entries and events) and
idempotent: a demo tournament that already exists (same organizer and name) is left alone.

One demo tournament is shown checking in, which only a tournament whose registration window is
over can be. Its history is replayed through the services at the times it would have happened
(with the platform clock frozen at each): created and published an hour before registration
opened, opened at the opening time. It stays there, window over, until the next call, so the
registrations demo can register players inside the window first; that call then closes
registration and opens check-in, each at its scheduled time, as the scheduler would have.
"""

from __future__ import annotations

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
    return [
        (valorant_open, TournamentStatus.REGISTRATION_OPEN, True),
        (efootball_cup, TournamentStatus.PUBLISHED, False),
        (free_fire, TournamentStatus.DRAFT, False),
        (night_cup, TournamentStatus.CHECK_IN, False),
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
# Targets beyond the registration window, and the steps taken after the window once players
# have registered in it.
_AFTER_WINDOW: dict[TournamentStatus, tuple[_Step, ...]] = {
    TournamentStatus.CHECK_IN: (
        (
            TournamentStatus.REGISTRATION_OPEN,
            TournamentStatus.REGISTRATION_CLOSED,
            "registration_closes_at",
        ),
        (TournamentStatus.REGISTRATION_CLOSED, TournamentStatus.CHECK_IN, "check_in_opens_at"),
    ),
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
    """Take the steps after the registration window towards ``target`` whose time has come,
    each at its scheduled time, as long as the tournament has not started. Past its start
    the scheduler owns it (it goes live and closes check-in), so the demo leaves it alone; a
    tournament already at ``target`` or beyond matches no step and is left alone too."""
    now = clock.now()
    for current, step, due_field in _AFTER_WINDOW.get(target, ()):
        due_at = getattr(tournament, due_field)
        if tournament.status != current or not due_at <= now < tournament.starts_at:
            continue
        with clock.frozen(due_at):
            tournament = tournament_transition(
                actor=organizer, tournament_id=tournament.pk, to=step
            )
    return tournament


def demo_seed() -> DemoTournaments:
    """Create whatever of the demo tournaments and template is missing; idempotent.

    The demo administrator (``DEMO_ADMIN_USERNAME``) organizes them. The tournament shown
    checking in is left in its (past) registration window when created; a later call moves it
    on to check-in, once the registrations demo has filled that window (see the module).
    """
    username = settings.DEMO_ADMIN_USERNAME
    organizer = accounts.user_find(username) or accounts.admin_ensure(
        username, f"{username}@demo.invalid", settings.DEMO_ADMIN_PASSWORD
    )
    now = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    created = 0
    slugs = []
    ids = []
    first_id = None
    for config, target, highlighted in _demo_configs(now):
        existing = Tournament.objects.filter(
            organizer_id=organizer.id, name=config["name"], deleted_at__isnull=True
        ).first()
        if existing is None:
            with transaction.atomic():
                existing = _create(organizer, config, target, highlighted)
            created += 1
        else:
            with transaction.atomic():
                existing = _catch_up(organizer, existing, target)
        slugs.append(existing.slug)
        ids.append(existing.pk)
        first_id = first_id or existing.pk
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
        slugs=tuple(slugs),
        created=created,
        template_id=template.pk if template else None,
        ids=tuple(ids),
    )
