"""Config edits under real concurrency on PostgreSQL: no administrator's change is lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from deltacrown.apps.games import services
from deltacrown.apps.games.tests.factories import GameFactory, UserFactory, team_config
from deltacrown.kernel import events

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_racing_config_changes_to_different_keys_all_survive():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    staff = UserFactory(is_staff=True)
    game = GameFactory(slug="race-game", config=team_config())
    patches = [
        {"max_substitutes": 4},
        {"default_best_of": 5},
        {"score_kind": "rounds"},
        {"team_size": 6},
        {"player_id_kind": "riot_id"},
    ]
    barrier = threading.Barrier(len(patches))

    def apply(patch: dict) -> int:
        barrier.wait()
        try:
            updated = services.game_config_update(actor=staff, slug=game.slug, patch=patch)
            return updated.config_version
        finally:
            connection.close()  # each thread has its own connection; end it

    with ThreadPoolExecutor(len(patches)) as pool:
        versions = sorted(pool.map(apply, patches))

    # The row lock serialises the merges: each one saw the previous result.
    assert versions == list(range(2, 2 + len(patches)))
    game.refresh_from_db()
    expected = team_config()
    for patch in patches:
        expected.update(patch)
    assert game.config == expected
    assert [e.data["config_version"] for e in events.events_after(f"game:{game.pk}", 0)] == versions
