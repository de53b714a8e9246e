"""Accounts app, rate limiting: moving-window limits on sign-in, sign-up and password reset.

Backed by the ``limits`` library with storage from ``settings.RATELIMIT_STORAGE_URI`` (in-process
memory embedded, Redis at scale, so every worker shares the counters). Keys never hold a raw
username: an account is keyed by a keyed hash (HMAC with the secret key) of its normalised
username, so the rate-limit store cannot be read back into a user list. The client IP is used
only inside a key here and is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from deltacrown.kernel.errors import RateLimited, ServiceUnavailable

_lock = threading.Lock()
_state: dict[str, tuple[Storage, MovingWindowRateLimiter]] = {}


@dataclass(frozen=True)
class Limit:
    """A named limit whose rate is read from a setting each time (tests may override it)."""

    name: str
    setting: str

    def item(self) -> RateLimitItem:
        return parse(getattr(settings, self.setting))


LOGIN_PER_ACCOUNT = Limit("login-account", "LOGIN_RATE_PER_ACCOUNT")
LOGIN_PER_IP = Limit("login-ip", "LOGIN_RATE_PER_IP")
SIGNUP_PER_IP = Limit("signup-ip", "SIGNUP_RATE_PER_IP")
PASSWORD_RESET_PER_IP = Limit("password-reset-ip", "PASSWORD_RESET_RATE_PER_IP")


def _limiter() -> tuple[Storage, MovingWindowRateLimiter]:
    uri = settings.RATELIMIT_STORAGE_URI
    with _lock:
        state = _state.get(uri)
        if state is None:
            storage = storage_from_string(uri, wrap_exceptions=True)
            state = (storage, MovingWindowRateLimiter(storage))
            _state[uri] = state
        return state


def account_key(username: str) -> str:
    """The rate-limit key for an account: a keyed hash of the case-folded username."""
    normalised = username.strip().casefold().encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), normalised, hashlib.sha256).hexdigest()


def _retry_after(limiter: MovingWindowRateLimiter, item: RateLimitItem, *identifiers: str) -> int:
    stats = limiter.get_window_stats(item, *identifiers)
    return max(1, math.ceil(stats.reset_time - time.time()))


def check(*limits: tuple[Limit, str | None]) -> None:
    """Raise 429 ``rate_limited`` if any (limit, key) is exhausted, without consuming it.

    The ``Retry-After`` is the longest wait among the exhausted limits. A key of None (no
    client address known) is not limited.
    """
    _, limiter = _limiter()
    waits = []
    try:
        for limit, key in limits:
            if key is None:
                continue
            item = limit.item()
            if not limiter.test(item, limit.name, key):
                waits.append(_retry_after(limiter, item, limit.name, key))
    except StorageError as exc:
        raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.") from exc
    if waits:
        raise RateLimited("Too many attempts; try again later.", retry_after=max(waits))


def hit(*limits: tuple[Limit, str | None]) -> None:
    """Count one attempt against each (limit, key)."""
    _, limiter = _limiter()
    try:
        for limit, key in limits:
            if key is not None:
                limiter.hit(limit.item(), limit.name, key)
    except StorageError as exc:
        raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.") from exc


def consume(limit: Limit, key: str | None) -> None:
    """Count one attempt and raise 429 ``rate_limited`` if it exceeds the limit."""
    if key is None:
        return
    _, limiter = _limiter()
    item = limit.item()
    try:
        allowed = limiter.hit(item, limit.name, key)
        wait = 0 if allowed else _retry_after(limiter, item, limit.name, key)
    except StorageError as exc:
        raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.") from exc
    if not allowed:
        raise RateLimited("Too many requests; try again later.", retry_after=wait)


def reset() -> None:
    """Forget every counter in the current storage (tests, and operators after an incident)."""
    storage, _ = _limiter()
    storage.reset()
