"""Teams app, services support: the roster-lock hook that higher apps plug into.

Whether a roster may change depends on things the teams app cannot see: the registrations app
(a higher layer) knows when a team is registered in a tournament that is checking in or live.
It registers a check here through ``api.register_roster_lock_check``; the services consult
every check before each roster change, inside their transaction and after locking the team.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from deltacrown.apps.teams.errors import RosterLocked

# Given a team id, the reason its roster is locked ("tournament 42 is live"), or None.
RosterLockCheck = Callable[[int], str | None]

_lock = threading.Lock()
# Replaced, never mutated, so that readers iterate without taking the lock.
_checks: tuple[RosterLockCheck, ...] = ()


def register(check: RosterLockCheck) -> Callable[[], None]:
    """Consult ``check`` before every roster change; returns a function that removes it.

    Registering the same function twice is a no-op (``AppConfig.ready`` may run again in tests).
    """
    global _checks
    if not callable(check):
        raise TypeError("a roster lock check must be callable")
    with _lock:
        if check not in _checks:
            _checks = (*_checks, check)

    def unregister() -> None:
        global _checks
        with _lock:
            _checks = tuple(c for c in _checks if c is not check)

    return unregister


def lock_reason(team_id: int) -> str | None:
    """The first reason a registered check gives for locking ``team_id``'s roster, or None."""
    for check in _checks:
        reason = check(team_id)
        if reason:
            return reason
    return None


def ensure_unlocked(team_id: int) -> None:
    """Raise 409 ``roster_locked`` (with the reason) when any check locks the roster."""
    reason = lock_reason(team_id)
    if reason:
        raise RosterLocked(f"The roster is locked: {reason}.", reason=reason)
