"""Tournaments app, selectors layer: who holds which role on a tournament.

The role resolver for the object type ``"tournament"`` (registered with ``kernel.permissions``
in ``AppConfig.ready``): ``organizer`` is the owner or a co-organizer; ``moderator`` is a
moderator or an organizer (organizers can do everything moderators can); ``player`` is
answered by checks that higher apps plug in (the registrations app knows who plays), since
this app may not import them. Platform admins are let through by the kernel, not here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db.models import Q

from deltacrown.apps.tournaments.data import StaffRole
from deltacrown.apps.tournaments.models import Tournament, TournamentStaff
from deltacrown.kernel.permissions import Role

logger = logging.getLogger("deltacrown.tournaments")

OBJECT_TYPE = "tournament"

# (user_id, tournament_id) -> whether the user takes part in the tournament.
PlayerCheck = Callable[[int, int], bool]

_lock = threading.Lock()
# Replaced, never mutated, so resolving can iterate without the lock.
_player_checks: tuple[PlayerCheck, ...] = ()


def register_player_check(check: PlayerCheck) -> Callable[[], None]:
    """Let ``check`` answer whether a user plays in a tournament; returns its remover.

    Registering the same function twice keeps one copy.
    """
    global _player_checks
    with _lock:
        if check not in _player_checks:
            _player_checks = (*_player_checks, check)

    def remove() -> None:
        global _player_checks
        with _lock:
            _player_checks = tuple(c for c in _player_checks if c is not check)

    return remove


def _tournament_id(obj_id: Any) -> int | None:
    try:
        value = int(obj_id)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def organizer_q(user_id: int) -> Q:
    """Tournaments on which ``user_id`` is an organizer (owner or co-organizer)."""
    # A subquery, not a join: a join would repeat a tournament once per staff row.
    co_organized = TournamentStaff.objects.filter(
        user_id=user_id, role=StaffRole.CO_ORGANIZER.value
    ).values("tournament_id")
    return Q(organizer_id=user_id) | Q(pk__in=co_organized)


def staff_q(user_id: int) -> Q:
    """Tournaments on which ``user_id`` is an organizer or a moderator."""
    staffed = TournamentStaff.objects.filter(user_id=user_id).values("tournament_id")
    return Q(organizer_id=user_id) | Q(pk__in=staffed)


def is_organizer(user_id: int, tournament_id: int) -> bool:
    """The owner or a co-organizer of the (not deleted) tournament."""
    return (
        Tournament.objects.filter(pk=tournament_id, deleted_at__isnull=True)
        .filter(organizer_q(user_id))
        .exists()
    )


def is_staff_of(user_id: int, tournament_id: int) -> bool:
    """An organizer or a moderator of the (not deleted) tournament."""
    return (
        Tournament.objects.filter(pk=tournament_id, deleted_at__isnull=True)
        .filter(staff_q(user_id))
        .exists()
    )


def is_player(user_id: int, tournament_id: int) -> bool:
    """Whether a plugged-in check (registrations) says the user takes part."""
    for check in _player_checks:
        try:
            if check(user_id, tournament_id):
                return True
        except Exception:
            # A failing check must deny, never grant, and never break the caller's read.
            logger.exception(
                "tournament player check failed", extra={"tournament_id": tournament_id}
            )
    return False


def resolve_role(user_id: int, role: Role, obj_id: Any) -> bool:
    """The ``kernel.permissions`` resolver for ``"tournament"`` objects."""
    tournament_id = _tournament_id(obj_id)
    if tournament_id is None:
        return False
    if role is Role.ORGANIZER:
        return is_organizer(user_id, tournament_id)
    if role is Role.MODERATOR:
        return is_staff_of(user_id, tournament_id)
    if role is Role.PLAYER:
        return is_player(user_id, tournament_id)
    return False
