"""Sign-in under real concurrency: racing refreshes on PostgreSQL, shared limits on Redis."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import override_settings

from deltacrown.apps.accounts import errors, services, throttling
from deltacrown.apps.accounts.models import TokenFamily
from deltacrown.apps.accounts.tests.factories import PASSWORD, UserFactory
from deltacrown.kernel.errors import RateLimited

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_racing_refreshes_of_one_token_succeed_once_and_revoke_the_sign_in():
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    user = UserFactory()
    pair = services.token_obtain(login=user.username, password=PASSWORD, client_ip=None)
    barrier = threading.Barrier(THREADS)

    def refresh(_: int) -> str:
        barrier.wait()
        try:
            services.token_refresh(refresh_token=pair.refresh_token)
            return "ok"
        except errors.AuthenticationFailed as exc:
            return exc.code
        finally:
            connection.close()  # each thread has its own connection; end it

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = sorted(pool.map(refresh, range(THREADS)))

    # The row lock orders the racers: one wins, the next sees a spent token and revokes the
    # sign-in, the rest find it revoked.
    assert outcomes.count("ok") == 1
    assert outcomes.count("refresh_token_reused") >= 1
    assert set(outcomes) <= {"ok", "refresh_token_reused", "token_revoked"}
    family = TokenFamily.objects.get(user=user)
    assert family.revoke_reason == TokenFamily.RevokeReason.REUSE


def test_workers_share_sign_in_limits_through_redis():
    redis_url = os.environ["REDIS_URL"]
    with override_settings(RATELIMIT_STORAGE_URI=redis_url, LOGIN_RATE_PER_ACCOUNT="2/minute"):
        throttling.reset()
        limit = (throttling.LOGIN_PER_ACCOUNT, throttling.account_key("shared"))
        throttling.hit(limit)
        # A second worker process has its own connection but sees the same counters.
        throttling._state.clear()
        throttling.hit(limit)
        throttling._state.clear()
        with pytest.raises(RateLimited) as excinfo:
            throttling.check(limit)
        assert 1 <= int(excinfo.value.headers["Retry-After"]) <= 60
        throttling.reset()
        throttling.check(limit)
