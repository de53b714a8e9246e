"""Gates and writes under real concurrency on PostgreSQL (and Redis as the cache, under
``make test-services``): checks racing a revocation or a new ban are right as soon as the write
commits, and racing writes of one sanction leave exactly one result."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections, transaction

from deltacrown.apps.moderation import api
from deltacrown.apps.moderation.data import SanctionKind
from deltacrown.apps.moderation.errors import SanctionAlreadyRevoked
from deltacrown.apps.moderation.models import Sanction
from deltacrown.apps.moderation.tests.factories import UserFactory, sanction, staff
from deltacrown.kernel.models import AuditEntry

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 12
CHECKS_AFTER_THE_WRITE = 40


@pytest.fixture(autouse=True)
def _on_postgresql():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"


def _race_checks_against(
    write: Callable[[], object], user_id: int
) -> list[list[tuple[bool, bool]]]:
    """Checkers loop on ``ws.connect`` while ``write`` runs; per checker, each result says
    whether the write had committed (returned) before that check began, and what the check
    answered. Every checker answers once (and caches) before the write starts."""
    committed = threading.Event()
    warmed = threading.Barrier(THREADS + 1)

    def checker() -> list[tuple[bool, bool]]:
        seen: list[tuple[bool, bool]] = []
        try:
            seen.append((committed.is_set(), api.check(user_id, "ws.connect").allowed))
            warmed.wait()
            after = 0
            while after < CHECKS_AFTER_THE_WRITE:
                before_check = committed.is_set()
                seen.append((before_check, api.check(user_id, "ws.connect").allowed))
                after += before_check
        finally:
            connections.close_all()
        return seen

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(checker) for _ in range(THREADS)]
        warmed.wait()  # every checker has answered (and cached) once: the race is on
        write()
        committed.set()
        return [future.result() for future in futures]


def test_checks_racing_a_revocation_allow_from_the_moment_it_commits():
    player = UserFactory()
    given = sanction(player, SanctionKind.BAN)
    admin = staff()

    per_checker = _race_checks_against(
        lambda: api.sanction_revoke(actor=admin, sanction_id=given.pk, reason="Appeal"),
        player.pk,
    )

    assert [seen[0] for seen in per_checker] == [(False, False)] * THREADS
    after = [allowed for seen in per_checker for committed, allowed in seen if committed]
    assert after == [True] * THREADS * CHECKS_AFTER_THE_WRITE
    assert api.check(player, "ws.connect").allowed


def test_checks_racing_a_new_ban_refuse_from_the_moment_it_commits():
    player = UserFactory()
    admin = staff()

    per_checker = _race_checks_against(
        lambda: sanction(player, SanctionKind.BAN, by=admin), player.pk
    )

    assert [seen[0] for seen in per_checker] == [(False, True)] * THREADS
    after = [allowed for seen in per_checker for committed, allowed in seen if committed]
    assert after == [False] * THREADS * CHECKS_AFTER_THE_WRITE
    assert not api.check(player, "ws.connect").allowed


def _while_committing(write: Callable[[], object], check: Callable[[], bool]) -> bool:
    """Run ``write`` in its own transaction in another thread, hold it just before its commit,
    and answer ``check`` then: what that check saw."""
    in_transaction, may_commit = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                write()
                in_transaction.set()
                assert may_commit.wait(10)
        except BaseException as exc:
            failures.append(exc)
            in_transaction.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert in_transaction.wait(10)
    try:
        return check()
    finally:
        may_commit.set()
        thread.join(10)
        assert not failures, failures


def test_a_check_answered_while_a_ban_commits_is_not_served_after_the_commit():
    player, admin = UserFactory(), staff()
    during = _while_committing(
        lambda: sanction(player, SanctionKind.BAN, by=admin),
        lambda: api.check(player.pk, "ws.connect").allowed,
    )
    assert during  # not committed yet: allowed, and cached
    assert not api.check(player.pk, "ws.connect").allowed


def test_a_check_answered_while_a_revocation_commits_is_not_served_after_the_commit():
    player, admin = UserFactory(), staff()
    given = sanction(player, SanctionKind.BAN, by=admin)
    during = _while_committing(
        lambda: api.sanction_revoke(actor=admin, sanction_id=given.pk, reason="Appeal"),
        lambda: api.check(player.pk, "ws.connect").allowed,
    )
    assert not during
    assert api.check(player.pk, "ws.connect").allowed


def _all_at_once(action: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)

    def run(_: int) -> Any:
        try:
            barrier.wait()
            return action()
        except Exception as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_simultaneous_revocations_of_one_sanction_revoke_it_once():
    player = UserFactory()
    given = sanction(player, SanctionKind.MUTE)
    admin = staff()

    outcomes = _all_at_once(
        lambda: api.sanction_revoke(actor=admin, sanction_id=given.pk, reason="Appeal")
    )

    revoked = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(revoked) == 1, outcomes
    assert all(isinstance(o, SanctionAlreadyRevoked) for o in outcomes if o not in revoked)
    assert AuditEntry.objects.filter(action="sanction.revoked").count() == 1


def test_simultaneous_creations_with_one_idempotency_key_make_one_sanction():
    player = UserFactory()
    admin = staff()

    outcomes = _all_at_once(
        lambda: api.sanction_create(
            actor=admin,
            user_id=player.pk,
            kind="ban",
            reason_code="cheating",
            idempotency_key="one-ban-only",
        )
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({o.id for o in outcomes}) == 1
    assert Sanction.objects.filter(user=player).count() == 1
    assert AuditEntry.objects.filter(action="sanction.created").count() == 1
