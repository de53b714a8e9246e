"""The gates' sanction cache: hits read nothing, every committed write is seen by the next check,
sanctions start and stop blocking on time straight from the cache, a slow reader cannot put old
rows back, and a failing cache or database is handled as documented.

Transactional tests: writes really commit here, as they do in production, so the invalidation
on commit is what is exercised.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, transaction
from prometheus_client import REGISTRY

from deltacrown.apps.moderation import api, sanction_cache, selectors
from deltacrown.apps.moderation.data import SanctionKind
from deltacrown.apps.moderation.errors import ModerationUnavailable
from deltacrown.apps.moderation.tests.factories import UserFactory, sanction, staff
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)


def _count(metric: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(f"deltacrown_moderation_{metric}_total", labels) or 0.0


def test_a_repeated_check_is_answered_from_the_cache_without_a_query(
    django_assert_num_queries,
):
    player = UserFactory()
    sanction(player, SanctionKind.MUTE)
    hits = _count("cache_requests", result="hit")
    assert not api.check(player, "ws.message").allowed
    with django_assert_num_queries(0):
        assert not api.check(player, "ws.message").allowed
        assert api.check(player, "ws.connect").allowed
    assert _count("cache_requests", result="hit") == hits + 2


def test_a_sanction_blocks_at_once_although_the_user_was_cached_as_clean():
    player = UserFactory()
    assert api.check(player, "checkin").allowed  # cached: no sanctions
    given = sanction(player, SanctionKind.SUSPEND)
    decision = api.check(player, "checkin")
    assert (decision.allowed, decision.reason_code, decision.sanction_id) == (
        False,
        "suspended",
        given.pk,
    )


def test_revocation_restores_access_at_once():
    player = UserFactory()
    given = sanction(player, SanctionKind.BAN)
    assert not api.check(player, "ws.connect").allowed  # cached: banned
    api.sanction_revoke(actor=staff(), sanction_id=given.pk, reason="Appeal accepted")
    assert api.check(player, "ws.connect").allowed


def test_a_sanction_stops_blocking_the_instant_it_ends_straight_from_the_cache(
    django_assert_num_queries,
):
    player = UserFactory()
    with clock.frozen(T0) as frozen:
        sanction(player, SanctionKind.BAN, ends_at=T0 + timedelta(hours=1))
        assert not api.check(player, "result.report").allowed
        with django_assert_num_queries(0):
            frozen.advance(timedelta(hours=1) - timedelta(microseconds=1))
            assert not api.check(player, "result.report").allowed
            frozen.advance(timedelta(microseconds=1))
            assert api.check(player, "result.report").allowed


def test_a_scheduled_sanction_starts_blocking_on_time_straight_from_the_cache(
    django_assert_num_queries,
):
    player = UserFactory()
    with clock.frozen(T0) as frozen:
        sanction(player, SanctionKind.SUSPEND, starts_at=T0 + timedelta(days=1))
        assert api.check(player, "registration.create").allowed
        with django_assert_num_queries(0):
            frozen.advance(timedelta(days=1))
            assert not api.check(player, "registration.create").allowed


def test_checks_inside_a_transaction_never_fill_the_cache():
    player = UserFactory()
    bypassed = _count("cache_requests", result="bypass")
    with transaction.atomic():
        sanction(player, SanctionKind.BAN)
        # The transaction sees its own sanction...
        assert not api.check(player, "ws.connect").allowed
        transaction.set_rollback(True)
    # ...which never existed for anyone else, and nothing of it was cached.
    assert _count("cache_requests", result="bypass") == bypassed + 1
    assert api.check(player, "ws.connect").allowed


def test_a_reader_that_loaded_before_a_revocation_cannot_cache_the_old_rows(monkeypatch):
    player = UserFactory()
    given = sanction(player, SanctionKind.BAN)
    original = selectors.sanction_windows
    revoked = []

    def slow_reader(**kwargs):
        rows = original(**kwargs)
        if not revoked:
            # The revocation commits between this reader's query and its cache write.
            revoked.append(api.sanction_revoke(actor=staff(), sanction_id=given.pk, reason="x"))
        return rows

    monkeypatch.setattr(selectors, "sanction_windows", slow_reader)
    assert not api.check(player, "ws.connect").allowed  # the slow reader's own, older answer
    assert revoked
    assert api.check(player, "ws.connect").allowed


def test_past_instants_count_a_sanction_until_its_revocation():
    player = UserFactory()
    with clock.frozen(T0):
        given = sanction(player, SanctionKind.BAN)
    with clock.frozen(T0 + timedelta(days=2)):
        api.sanction_revoke(actor=staff(), sanction_id=given.pk, reason="Appeal accepted")
    with clock.frozen(T0 + timedelta(days=3)):
        assert api.is_sanctioned(player, at=T0 + timedelta(days=1))
        assert api.is_sanctioned(player, SanctionKind.BAN, at=T0 + timedelta(days=1))
        assert not api.is_sanctioned(player, SanctionKind.MUTE, at=T0 + timedelta(days=1))
        assert not api.is_sanctioned(player, at=T0 - timedelta(seconds=1))
        assert not api.is_sanctioned(player, at=T0 + timedelta(days=2, seconds=1))
        assert not api.is_sanctioned(player)
        blocked_then = api.effective_policy(player, T0 + timedelta(days=1)).blocked
        assert {b.sanction_id for b in blocked_then.values()} == {given.pk}
        assert api.effective_policy(player).blocked == {}


class _DownCache:
    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache unreachable")

    get = get_many = set = add = delete = _fail


def test_a_failing_cache_is_not_the_gates_failure_the_database_answers(monkeypatch):
    player, bystander = UserFactory(), UserFactory()
    given = sanction(player, SanctionKind.BAN)
    errors = _count("cache_requests", result="error")
    monkeypatch.setattr(sanction_cache, "_cache", lambda: _DownCache())

    refused = api.check(player, "purchase")
    assert (refused.allowed, refused.sanction_id) == (False, given.pk)
    assert api.check(bystander, "purchase").allowed
    assert _count("cache_requests", result="error") == errors + 2
    # Writes still commit while the cache is down (the invalidation is logged and counted).
    api.sanction_revoke(actor=staff(), sanction_id=given.pk, reason="Appeal accepted")
    assert api.check(player, "purchase").allowed


def test_a_failing_database_fails_live_streams_open_and_purchases_closed_and_counts_it(
    monkeypatch,
):
    player = UserFactory()
    sanction(player, SanctionKind.BAN)

    def down(**kwargs):
        raise OperationalError("the database is unreachable")

    monkeypatch.setattr(selectors, "sanction_windows", down)
    opened = _count("gate_checks", action="ws.connect", outcome="failed_open")
    closed = _count("gate_checks", action="purchase", outcome="failed_closed")

    assert api.check(player, "ws.connect").allowed
    with pytest.raises(ModerationUnavailable):
        api.check(player, "purchase")

    assert _count("gate_checks", action="ws.connect", outcome="failed_open") == opened + 1
    assert _count("gate_checks", action="purchase", outcome="failed_closed") == closed + 1
