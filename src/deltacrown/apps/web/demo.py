"""Web app: the demo a newcomer sees after ``make run`` (idempotent seeding).

Creates the demo administrator, a roster of demo players, demo teams and tournaments in
several states through the apps' public interfaces, so the demo exercises the same rules,
audit entries and events as real use. Each capability that lands adds its part here.

Besides the elimination cups, one tournament of each other format: a league (round robin)
played two days ago and a battle royale played yesterday, both over with their champions, and
a Swiss stage being played now. Their teams were founded weeks before. Players of their own
(``DEMO_CHALLENGERS``) make up the Swiss stage's duos and half of the squads, so the matches
waiting to be played on the "my matches" pages of the main roster are the live cup's.

Parts of the demo are replayed in the past with the platform clock frozen (which is
process-wide), so ``seed`` runs in a process of its own (the ``demo`` command), never inside a
serving process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition import api as competition
from deltacrown.apps.moderation import api as moderation
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import clock

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

# Players who play only the other formats' team tournaments. The Swiss stage being played is
# theirs alone, so the next match on the "my matches" page of a player above is the live cup's.
DEMO_CHALLENGERS: tuple[tuple[str, str, str], ...] = (
    ("apex", "Apex", "PL"),
    ("bolt", "Bolt", "AU"),
    ("cipher", "Cipher", "UA"),
    ("dusk", "Dusk", "CA"),
    ("echo", "Echo", "FR"),
    ("frost", "Frost", "DK"),
    ("gale", "Gale", "NZ"),
    ("hex", "Hex", "CZ"),
    ("iris", "Iris", "GR"),
    ("jolt", "Jolt", "VN"),
    ("karma", "Karma", "TR"),
    ("lynx", "Lynx", "CL"),
    ("mako", "Mako", "ID"),
    ("nyx", "Nyx", "PT"),
    ("orbit", "Orbit", "NG"),
    ("prism", "Prism", "AR"),
    ("quill", "Quill", "TH"),
    ("rift", "Rift", "MY"),
    ("sable", "Sable", "PK"),
)

# The other formats' entrants, by username. The last three players above are left out: the
# moderation demo sanctions them in the past, and a suspension or a ban in effect then would
# refuse their replayed registrations and check-ins.
# The league's players (EA Sports FC, one against one).
_LEAGUE_PLAYERS = ("aurora", "blitz", "cobra", "drift", "ember", "falcon")
# (name, tag, roster with the captain first) of the Counter-Strike 2 wingman duos.
_CS2_DUOS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Ace Pact", "ACE", ("apex", "bolt")),
    ("Flash Point", "FLP", ("cipher", "dusk")),
    ("Smoke Screen", "SMK", ("echo", "frost")),
    ("Eco Round", "ECO", ("gale", "hex")),
    ("Clutch Kings", "CLK", ("iris", "jolt")),
    ("Half Buy", "HBY", ("karma", "lynx")),
    ("Double Peek", "DPK", ("mako", "nyx")),
    ("Last Stand", "LST", ("orbit", "prism")),
)
# ... and of the Free Fire squads.
_FREE_FIRE_SQUADS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Booyah Brigade", "BYB", ("aurora", "blitz", "cobra", "drift")),
    ("Safe Zone", "SZ", ("ember", "falcon", "glacier", "havoc")),
    ("Airdrop Hunters", "ADH", ("ion", "jinx", "kestrel", "lumen")),
    ("Gloo Wall Gang", "GWG", ("mirage", "quill", "rift", "sable")),
    ("Hot Drop", "HDP", ("apex", "cipher", "echo", "gale")),
    ("Red Zone Raiders", "RZR", ("bolt", "dusk", "frost", "hex")),
    ("Final Circle", "FCL", ("iris", "karma", "mako", "orbit")),
    ("Headshot Heroes", "HSH", ("jolt", "lynx", "nyx", "prism")),
)
# The other formats' teams were founded this long before seeding, before their tournaments.
_TEAMS_FOUNDED_BEFORE = timedelta(days=30)
# (name, tag, member ids with the captain first) of a team to found.
_Roster = tuple[str, str, list[int]]


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


def _ensure_players(roster: Sequence[tuple[str, str, str]]) -> tuple[dict[str, int], int]:
    """The ids of the demo players of ``roster`` by username, creating those missing; and how
    many were created."""
    ids: dict[str, int] = {}
    created = 0
    for username, display_name, country in roster:
        existing = accounts.user_find(username)
        if existing is not None:
            ids[username] = existing.id
            continue
        with transaction.atomic():
            user = accounts.user_create(
                username=username,
                email=f"{username}{DEMO_EMAIL_DOMAIN}",
                password=DEMO_PLAYER_PASSWORD,
                display_name=display_name,
            )
            accounts.profile_update(user_id=user.id, country=country)
        ids[username] = user.id
        created += 1
    return ids, created


def _seed_other_teams(ids: Mapping[str, int]) -> list[int]:
    """The other formats' demo teams (founded in the past when missing); their ids."""

    def rosters(named: Sequence[tuple[str, str, tuple[str, ...]]]) -> list[_Roster]:
        return [(name, tag, [ids[username] for username in roster]) for name, tag, roster in named]

    with clock.frozen(clock.now() - _TEAMS_FOUNDED_BEFORE):
        return [
            *teams.seed_demo_rosters("cs2", rosters(_CS2_DUOS)),
            *teams.seed_demo_rosters("freefire", rosters(_FREE_FIRE_SQUADS)),
        ]


def _seed() -> DemoSummary:
    admin_username = settings.DEMO_ADMIN_USERNAME
    admin_password = settings.DEMO_ADMIN_PASSWORD
    admin = accounts.admin_ensure(
        admin_username, f"{admin_username}{DEMO_EMAIL_DOMAIN}", admin_password
    )
    players, created = _ensure_players(DEMO_PLAYERS)
    challengers, created_challengers = _ensure_players(DEMO_CHALLENGERS)
    player_ids = list(players.values())
    team_ids = teams.seed_demo(player_ids)
    everyone = {**players, **challengers}
    other_team_ids = _seed_other_teams(everyone)
    league_ids = [everyone[username] for username in _LEAGUE_PLAYERS]
    # Tournaments and registrations take turns because their histories interleave. The
    # tournaments shown checking in and live, and those of the other formats, are first left in
    # their (past) registration window; players register in it; all move on to check-in; half
    # of the one checking in check in, and all of the others, inside their past check-in
    # windows; those then go live at their start and their competitions are played up to now
    # (to the end, for the league and the battle royale). Once the demo exists, no turn has
    # anything left to do.
    cups = tournaments.seed_demo()
    others = tournaments.seed_demo_formats()
    for _ in range(2):
        registrations.seed_demo(tournament_ids=cups.ids, player_ids=player_ids, team_ids=team_ids)
        registrations.seed_demo(
            tournament_ids=others.ids, player_ids=league_ids, team_ids=other_team_ids
        )
        cups = tournaments.seed_demo()
        others = tournaments.seed_demo_formats()
    by_state = Counter(
        registrations.seed_demo(
            tournament_ids=cups.ids, player_ids=player_ids, team_ids=team_ids
        ).by_state
    )
    by_state.update(
        registrations.seed_demo(
            tournament_ids=others.ids, player_ids=league_ids, team_ids=other_team_ids
        ).by_state
    )
    matches_by_state = competition.seed_demo(tournament_ids=(*cups.ids, *others.ids))
    # A mute in effect, a suspension run out, a ban revoked on appeal, two reports: for the admin.
    moderation.seed_demo(admin_id=admin.id, player_ids=player_ids)
    return DemoSummary(
        admin_username=admin_username,
        admin_password=admin_password,
        player_usernames=tuple(p[0] for p in DEMO_PLAYERS),
        player_password=DEMO_PLAYER_PASSWORD,
        created_players=created + created_challengers,
        team_ids=(*team_ids, *other_team_ids),
        tournament_slugs=(*cups.slugs, *others.slugs),
        registrations_by_state=dict(by_state),
        matches_by_state=matches_by_state,
    )
