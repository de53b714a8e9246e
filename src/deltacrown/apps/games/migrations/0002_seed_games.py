"""Seed the game catalogue the platform ships with.

The configs are written out here (not imported from the app) so that this migration keeps
producing the same rows whatever later code changes. Existing games are left untouched, so
running it on a database where an administrator already edited a game changes nothing.
"""

from django.db import migrations


def _turns(spec):
    return [{"side": side, "type": kind} for side, kind in (t.split(":") for t in spec.split())]


# Dota 2 Captains Mode (7.3x): ban aabbabb, pick ab, ban aab, pick baabba, ban abab, pick ab.
DOTA2_CAPTAINS_MODE = _turns(
    "a:ban a:ban b:ban b:ban a:ban b:ban b:ban "
    "a:pick b:pick "
    "a:ban a:ban b:ban "
    "b:pick a:pick a:pick b:pick b:pick a:pick "
    "a:ban b:ban a:ban b:ban "
    "a:pick b:pick"
)

# Mobile Legends tournament draft, ten bans: ban ababab, pick abbaab, ban baba, pick baab.
MLBB_TOURNAMENT_DRAFT = _turns(
    "a:ban b:ban a:ban b:ban a:ban b:ban "
    "a:pick b:pick b:pick a:pick a:pick b:pick "
    "b:ban a:ban b:ban a:ban "
    "b:pick a:pick a:pick b:pick"
)

BR_PLACEMENT_POINTS = [12, 9, 7, 5, 4, 3, 2, 1]


def _team(player_id_kind, best_of=3, **extra):
    return {
        "mode": "team",
        "team_size": 5,
        "max_substitutes": 2,
        "score_kind": "maps",
        "default_best_of": best_of,
        "player_id_kind": player_id_kind,
        **extra,
    }


def _solo(player_id_kind):
    return {
        "mode": "solo",
        "team_size": 1,
        "max_substitutes": 0,
        "score_kind": "goals",
        "default_best_of": 1,
        "player_id_kind": player_id_kind,
    }


def _battle_royale(player_id_kind, lobby_size):
    return {
        "mode": "battle_royale",
        "team_size": 4,
        "max_substitutes": 2,
        "score_kind": "br_points",
        "default_best_of": 1,
        "player_id_kind": player_id_kind,
        "battle_royale": {
            "placement_points": BR_PLACEMENT_POINTS,
            "points_per_kill": 1,
            "lobby_size": lobby_size,
        },
    }


GAMES = [
    ("valorant", "Valorant", _team("riot_id")),
    ("cs2", "Counter-Strike 2", _team("steam_id64")),
    (
        "dota2",
        "Dota 2",
        _team(
            "steam_account_id",
            draft={"name": "Captains Mode", "sequence": DOTA2_CAPTAINS_MODE},
        ),
    ),
    ("efootball", "eFootball", _solo("konami_id")),
    ("eafc", "EA Sports FC", _solo("ea_id")),
    (
        "mlbb",
        "Mobile Legends: Bang Bang",
        _team(
            "mlbb_id",
            draft={"name": "Tournament draft (10 bans)", "sequence": MLBB_TOURNAMENT_DRAFT},
        ),
    ),
    ("codm", "Call of Duty: Mobile", _team("codm_id", best_of=5)),
    ("freefire", "Free Fire", _battle_royale("freefire_uid", lobby_size=12)),
    ("pubgm", "PUBG Mobile", _battle_royale("pubgm_id", lobby_size=16)),
]


def seed(apps, schema_editor):
    Game = apps.get_model("games", "Game")
    for slug, name, config in GAMES:
        Game.objects.get_or_create(slug=slug, defaults={"name": name, "config": config})


class Migration(migrations.Migration):
    dependencies = [("games", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
