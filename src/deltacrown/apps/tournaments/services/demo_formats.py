"""Tournaments app, services layer: the demo tournaments of the other formats.

Besides the elimination cups of ``demo``, the demo shows a league (round robin) that was
played two days ago, a battle royale played yesterday, and a Swiss stage being played now, so
every kind of bracket and a finished tournament with its champion can be seen after
``make run``.

Their past is replayed the way ``demo`` replays the tournament shown live, through the same
services at the times it would have happened, and in the same turns: created and published an
hour before registration opened, opened at the opening time; once the registrations demo has
registered their entrants inside that window, registration closes and check-in opens; once
their entrants have checked in, each goes live at its start. The competition demo then plays
them (to the end for the league and the battle royale). Idempotent: a tournament that exists
(same organizer and name) takes at most its next turn, and none once it is live.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from deltacrown.apps.tournaments.data import DemoTournaments, TournamentStatus

# The same replay as the cups' (one step of history per turn), so both keep in step with the
# registrations demo that acts between the turns.
from deltacrown.apps.tournaments.services.demo import demo_now, demo_organizer, take_turns

# How long registration stays open before a replayed tournament's start.
_REGISTRATION_WINDOW = timedelta(days=7)


def _played_schedule(starts_at: datetime) -> dict[str, Any]:
    """A schedule whose registration and check-in are over at ``starts_at`` (in the past)."""
    return {
        "registration_opens_at": starts_at - _REGISTRATION_WINDOW,
        "registration_closes_at": starts_at - timedelta(hours=1),
        "check_in_opens_before": 30,
        "starts_at": starts_at,
    }


def _demo_configs(now: datetime) -> list[dict[str, Any]]:
    """The configuration of each tournament; ``now`` is the next full hour."""
    midnight = now.replace(hour=0)
    league = {
        "game": "eafc",
        "name": "EA FC Invitational League",
        "description": (
            "Six invited players, everyone plays everyone once: three points for a win, one "
            "for a draw. The top of the table takes the title."
        ),
        "rules": "Six-minute halves, no extra time: a draw is a draw. The home side reports "
        "the score and the away side confirms it.",
        "region": "europe",
        "capacity": 6,
        "participant_kind": "solo",
        "stage_plan": [{"name": "League", "format": "round_robin"}],
        "prize": {
            "pool": 30_000,
            "currency": "EUR",
            "distribution": {"kind": "percent", "places": [60, 30, 10]},
        },
        # Two evenings ago (UTC).
        "schedule": _played_schedule(midnight - timedelta(days=2) + timedelta(hours=18)),
    }
    battle_royale = {
        "game": "freefire",
        "name": "Free Fire Booyah Clash",
        "description": "Eight squads of four in one lobby for four matches: placement points "
        "plus a point per kill.",
        "rules": "Bermuda, Purgatory, Kalahari, then Bermuda again. The winning squad's captain "
        "reports the lobby's placements and kills; another captain confirms them.",
        "region": "south_asia",
        "capacity": 12,
        "participant_kind": "team",
        "stage_plan": [
            {
                "name": "Lobbies",
                "format": "battle_royale",
                "options": {"lobby_size": 12, "rounds": 4},
            }
        ],
        "prize": {
            "pool": 15_000,
            "currency": "USD",
            "distribution": {"kind": "percent", "places": [50, 30, 20]},
        },
        # Yesterday afternoon (UTC), the evening in South Asia.
        "schedule": _played_schedule(midnight - timedelta(days=1) + timedelta(hours=13)),
    }
    swiss = {
        "game": "cs2",
        "name": "CS2 Wingman Swiss",
        "description": "Eight duos, three Swiss rounds: each round pairs teams with the same "
        "record, and nobody meets the same team twice. Best of one, first to nine rounds.",
        "rules": "Wingman settings; overtime until a team leads by two, so no draws. Captains "
        "report the score and the other captain confirms it.",
        "region": "europe",
        "capacity": 8,
        "participant_kind": "team",
        "team_size": 2,
        "stage_plan": [
            {
                "name": "Swiss stage",
                "format": "swiss",
                "options": {"rounds": 3, "allow_draws": False},
                "best_of": {"default": 1},
            }
        ],
        # Three to four hours before seeding, so three rounds fit before now.
        "schedule": _played_schedule(now - timedelta(hours=4)),
    }
    return [league, battle_royale, swiss]


def demo_formats_seed() -> DemoTournaments:
    """Create whatever of the other formats' demo tournaments is missing, each left in its
    (past) registration window, or take each existing one its next turn towards live (see the
    module). The demo administrator (``DEMO_ADMIN_USERNAME``) organizes them. Idempotent."""
    turns = [(config, TournamentStatus.LIVE, False) for config in _demo_configs(demo_now())]
    done, created = take_turns(demo_organizer(), turns)
    return DemoTournaments(
        slugs=tuple(t.slug for t in done),
        created=created,
        template_id=None,
        ids=tuple(t.pk for t in done),
    )
