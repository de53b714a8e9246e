"""Web app: the demo a newcomer sees after ``make run`` (idempotent seeding).

Creates the demo administrator, a roster of demo players, demo teams and tournaments in
several states through the apps' public interfaces, so the demo exercises the same rules,
audit entries and events as real use. Each capability that lands adds its part here.

Parts of the demo are replayed in the past with the platform clock frozen (which is
process-wide), so ``seed`` runs in a process of its own (the ``demo`` command), never inside a
serving process.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition import api as competition
from deltacrown.apps.moderation import api as moderation
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments

#: The mail domain of every demo account (reserved by RFC 2606: it never receives mail).
DEMO_EMAIL_DOMAIN = "@demo.invalid"
DEMO_PLAYER_PASSWORD = "demo-player-pass-1"  # noqa: S105 - public demo credential, printed on start

# (username, display name, country): a small international roster.
DEMO_PLAYERS: tuple[tuple[str, str, str], ...] = (
    ("aurora", "Aurora", "NO"),
    ("blitz", "Blitz", "DE"),
    ("cobra", "Cobra", "BR"),
    ("drift", "Drift", "JP"),
    ("ember", "Ember", "KR"),
    ("falcon", "Falcon", "US"),
    ("glacier", "Glacier", "FI"),
    ("havoc", "Havoc", "BD"),
    ("ion", "Ion", "RO"),
    ("jinx", "Jinx", "PH"),
    ("kestrel", "Kestrel", "GB"),
    ("lumen", "Lumen", "IN"),
    ("mirage", "Mirage", "EG"),
    ("nova", "Nova", "MX"),
    ("onyx", "Onyx", "ZA"),
    ("pulse", "Pulse", "SE"),
)


@dataclass(frozen=True)
class DemoSummary:
    admin_username: str
    admin_password: str
    player_usernames: tuple[str, ...]
    player_password: str
    created_players: int
    team_ids: tuple[int, ...]
    tournament_slugs: tuple[str, ...]
    registrations_by_state: dict[str, int]
    matches_by_state: dict[str, int]


def seed() -> DemoSummary:
    """Create whatever of the demo is missing; running it again changes nothing.

    One transaction: a scheduler running in a server meanwhile never sees a demo tournament
    half-way through its replayed history, and a failed run leaves nothing half-made.
    """
    with transaction.atomic():
        return _seed()


def _seed() -> DemoSummary:
    admin_username = settings.DEMO_ADMIN_USERNAME
    admin_password = settings.DEMO_ADMIN_PASSWORD
    admin = accounts.admin_ensure(
        admin_username, f"{admin_username}{DEMO_EMAIL_DOMAIN}", admin_password
    )
    created = 0
    player_ids: list[int] = []
    for username, display_name, country in DEMO_PLAYERS:
        existing = accounts.user_find(username)
        if existing is not None:
            player_ids.append(existing.id)
            continue
        with transaction.atomic():
            user = accounts.user_create(
                username=username,
                email=f"{username}{DEMO_EMAIL_DOMAIN}",
                password=DEMO_PLAYER_PASSWORD,
                display_name=display_name,
            )
            accounts.profile_update(user_id=user.id, country=country)
        player_ids.append(user.id)
        created += 1
    team_ids = teams.seed_demo(player_ids)
    # Tournaments and registrations take turns because their histories interleave. The
    # tournaments shown checking in and live are first left in their (past) registration
    # window; players register in it; both move on to check-in; half of the one checking in
    # check in, and all of the one shown live, inside its past check-in window; that one then
    # goes live at its start and its competition is played up to now. Once the demo exists,
    # no turn has anything left to do.
    demo_tournaments = tournaments.seed_demo()
    for _ in range(2):
        registrations.seed_demo(
            tournament_ids=demo_tournaments.ids, player_ids=player_ids, team_ids=team_ids
        )
        demo_tournaments = tournaments.seed_demo()
    demo_registrations = registrations.seed_demo(
        tournament_ids=demo_tournaments.ids, player_ids=player_ids, team_ids=team_ids
    )
    matches_by_state = competition.seed_demo(tournament_ids=demo_tournaments.ids)
    # A mute in effect, a suspension run out, a ban revoked on appeal, two reports: for the admin.
    moderation.seed_demo(admin_id=admin.id, player_ids=player_ids)
    return DemoSummary(
        admin_username=admin_username,
        admin_password=admin_password,
        player_usernames=tuple(p[0] for p in DEMO_PLAYERS),
        player_password=DEMO_PLAYER_PASSWORD,
        created_players=created,
        team_ids=tuple(team_ids),
        tournament_slugs=demo_tournaments.slugs,
        registrations_by_state=demo_registrations.by_state,
        matches_by_state=matches_by_state,
    )
