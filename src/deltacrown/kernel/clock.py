"""Kernel layer: the platform clock, injectable so tests can fix "now".

Every timestamp the platform records (event times, audit times, deadlines) comes from ``now()``
rather than ``datetime.now()`` or ``timezone.now()``, so a test can pin time with ``frozen(...)``
and move it forward explicitly. The frozen time is process-wide (not per thread): tests that
start threads see the same time as the test itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)

_lock = threading.Lock()
_frozen_at: datetime | None = None


def now() -> datetime:
    """The current time as an aware UTC datetime (the frozen time inside ``frozen``)."""
    frozen_at = _frozen_at
    if frozen_at is not None:
        return frozen_at
    return datetime.now(UTC)


def to_epoch_us(moment: datetime) -> int:
    """Whole microseconds since the Unix epoch for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return (moment - EPOCH) // _ONE_MICROSECOND


def from_epoch_us(value: int) -> datetime:
    """The aware UTC datetime for microseconds since the Unix epoch."""
    return EPOCH + timedelta(microseconds=value)


class FrozenClock:
    """A handle on the frozen time inside ``frozen``; ``advance`` moves it forward."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    @property
    def at(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> datetime:
        """Move the frozen time by ``delta`` and return the new time."""
        global _frozen_at
        with _lock:
            self._at = self._at + delta
            _frozen_at = self._at
        return self._at


@contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """Pin ``now()`` to ``at`` (an aware datetime) until the block ends; blocks may nest."""
    global _frozen_at
    if at.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    at = at.astimezone(UTC)
    with _lock:
        previous = _frozen_at
        _frozen_at = at
    try:
        yield FrozenClock(at)
    finally:
        with _lock:
            _frozen_at = previous
