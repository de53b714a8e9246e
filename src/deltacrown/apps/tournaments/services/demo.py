"""Tournaments app, services layer: the demo tournaments a newcomer sees after ``make run``.

Created through the same services as real use (so they carry audit entries and events) and
idempotent: a demo tournament that already exists (same organizer and name) is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.tournaments.data import DemoTournaments, TemplateScope, TournamentStatus
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
    return [
        (valorant_open, TournamentStatus.REGISTRATION_OPEN, True),
        (efootball_cup, TournamentStatus.PUBLISHED, False),
        (free_fire, TournamentStatus.DRAFT, False),
    ]


_PATH: dict[TournamentStatus, tuple[TournamentStatus, ...]] = {
    TournamentStatus.DRAFT: (),
    TournamentStatus.PUBLISHED: (TournamentStatus.PUBLISHED,),
    TournamentStatus.REGISTRATION_OPEN: (
        TournamentStatus.PUBLISHED,
        TournamentStatus.REGISTRATION_OPEN,
    ),
}


def demo_seed() -> DemoTournaments:
    """Create whatever of the demo tournaments and template is missing; idempotent.

    The demo administrator (``DEMO_ADMIN_USERNAME``) organizes them.
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
                existing = tournament_create(
                    actor=organizer, config=config, official=highlighted, featured=highlighted
                )
                for step in _PATH[target]:
                    existing = tournament_transition(
                        actor=organizer, tournament_id=existing.pk, to=step
                    )
            created += 1
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
