"""Moderation app, selectors layer: the per-user cache of sanction windows behind the gates.

Each user has a version token (``moderation:v:<user>``) and, under it, the windows of their
sanctions that were not revoked and not over when they were read
(``moderation:s:<user>:<token>``). A write (a sanction created or revoked) replaces the token
when it commits, so every reader that comes after the commit misses and reads the database
again; what a slower reader stores meanwhile lands under the old token, where nobody looks.
Windows carry their start and end, and the gate evaluates the current instant against them, so
a cached list stays right as time passes: a sanction that ends stops blocking at that instant,
one that starts later starts blocking on time, without any expiry having to line up with them.

The cache is Django's ``moderation`` alias (in-process in the embedded setup, Redis at scale),
falling back to ``default``. A cache that fails is not the gates' failure: the database answers
(counted as ``error``). Entries are written only outside transactions, so a read made inside a
transaction that later rolls back can never be cached.

A process remembers the last token it saw per user, so a hit is one round trip (``get_many`` of
the token and the entry under the remembered token) rather than two.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.db import transaction

from deltacrown.apps.moderation import metrics, selectors
from deltacrown.apps.moderation.policy import Window
from deltacrown.kernel import clock

logger = logging.getLogger("deltacrown.moderation")

ALIAS = "moderation"
#: Seconds a user's windows stay cached. Correctness never depends on it (tokens invalidate);
#: it bounds memory, and how long a write whose invalidation could not reach the cache (the
#: cache was down at that moment) may go unseen.
ENTRY_TTL = 600
#: Seconds a version token lives; longer than the entries, so an entry never outlives it.
VERSION_TTL = 24 * 3600
#: Users whose last token a process remembers (the memo is cleared, not evicted, beyond it).
MEMO_MAX = 100_000

_memo: dict[int, str] = {}


def _cache() -> BaseCache:
    try:
        return caches[ALIAS]
    except InvalidCacheBackendError:
        return caches["default"]


def version_key(user_id: int) -> str:
    return f"moderation:v:{user_id}"


def entry_key(user_id: int, version: str) -> str:
    return f"moderation:s:{user_id}:{version}"


def _new_version() -> str:
    return secrets.token_hex(8)


def windows(user_id: int, now: datetime) -> tuple[Window, ...]:
    """The user's sanction windows, complete for every instant from ``now`` on.

    From the cache when it holds them; otherwise from the database (``DatabaseError``
    propagates: the gate applies its failure policy), cached for the next reader.
    """
    now_us = clock.to_epoch_us(now)
    cache = _cache()
    vkey = version_key(user_id)
    remembered = _memo.get(user_id)
    try:
        version: str | None
        entry = None
        if remembered is not None:
            found = cache.get_many([vkey, entry_key(user_id, remembered)])
            version = found.get(vkey)
            if version == remembered:
                entry = found.get(entry_key(user_id, remembered))
        else:
            version = cache.get(vkey)
        if version is not None and entry is None and version != remembered:
            entry = cache.get(entry_key(user_id, version))
    except Exception:
        # The cache (Redis) is down or failing: the database answers; nothing is stored.
        metrics.cache_read("error")
        logger.warning("moderation cache unavailable", extra={"operation": "get"})
        return selectors.sanction_windows(user_id=user_id, now=now)

    if entry is not None and entry[0] <= now_us:
        metrics.cache_read("hit")
        if remembered != version:
            _remember(user_id, version)
        return entry[1]

    if transaction.get_connection().in_atomic_block:
        # The transaction may see its own uncommitted writes and may roll back: never cache.
        metrics.cache_read("bypass")
        return selectors.sanction_windows(user_id=user_id, now=now)

    metrics.cache_read("miss")
    try:
        if version is None:
            # The token exists before the database is read: a write committing meanwhile
            # replaces it, and what is stored below lands under the stale token.
            cache.add(vkey, _new_version(), VERSION_TTL)
            version = cache.get(vkey)
    except Exception:
        logger.warning("moderation cache unavailable", extra={"operation": "add"})
        version = None
    rows = selectors.sanction_windows(user_id=user_id, now=now)
    if version is not None:
        try:
            cache.set(entry_key(user_id, version), (now_us, rows), ENTRY_TTL)
            _remember(user_id, version)
        except Exception:
            logger.warning("moderation cache unavailable", extra={"operation": "set"})
    return rows


def _remember(user_id: int, version: str | None) -> None:
    if version is None:
        return
    if len(_memo) >= MEMO_MAX:
        _memo.clear()
    _memo[user_id] = version


def invalidate(user_id: int) -> None:
    """Make every reader read the user's sanctions from the database again."""
    _memo.pop(user_id, None)
    try:
        _cache().set(version_key(user_id), _new_version(), VERSION_TTL)
    except Exception:
        # The write is committed; the stale entry expires within ENTRY_TTL.
        metrics.cache_read("error")
        logger.warning("moderation cache unavailable", extra={"operation": "invalidate"})


def invalidate_on_commit(user_id: int) -> None:
    """Invalidate the user's entry now and again when the caller's transaction commits.

    Now: readers inside this transaction see its writes. On commit: whatever other readers
    cached from the database before the commit is dropped.
    """
    invalidate(user_id)
    transaction.on_commit(lambda: invalidate(user_id), robust=True)


def clear() -> None:
    """Forget every cached sanction entry (tests, benchmarks). Only the ``moderation`` alias
    is cleared: when the gates share the default cache, its other entries are left alone and
    the entries here are left to their tokens."""
    _memo.clear()
    try:
        cache = caches[ALIAS]
    except InvalidCacheBackendError:
        return
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if get_client is None:
        cache.clear()
        return
    # Redis: delete this app's keys only; clear() would flush the whole database.
    client = get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("moderation:*"), count=1000))
    if keys:
        client.delete(*keys)
