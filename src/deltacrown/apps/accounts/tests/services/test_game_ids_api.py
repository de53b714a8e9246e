"""The accounts public interface for players' in-game ids, which registrations check."""

from __future__ import annotations

import pytest

from deltacrown.apps.accounts import api
from deltacrown.apps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_game_ids_of_returns_each_profile_s_ids_and_skips_unknown_users():
    with_ids = UserFactory(game_ids={"valorant": "Ace#EUW", "efootball": "123456789"})
    without_ids = UserFactory()

    found = api.game_ids_of([with_ids.pk, without_ids.pk, 999_999])

    assert found == {
        with_ids.pk: {"valorant": "Ace#EUW", "efootball": "123456789"},
        without_ids.pk: {},
    }
