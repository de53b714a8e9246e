"""Kernel layer: permission checks shared by every app.

Platform roles come from the user (staff and superusers are platform admins, and pass every
check). Per-object roles (organizer, moderator, captain, player) are answered by resolvers that
the owning apps register here, keyed by object type ("tournament", "team", "match"), so every
app asks one module and no app imports another to check a role::

    # tournaments/apps.py, in AppConfig.ready()
    permissions.register_role_resolver("tournament", tournament_role_resolver)

    # any app, in a service
    permissions.require_role(user, Role.ORGANIZER, "tournament", tournament_id)

A resolver decides what a role means for its objects, including implications (an organizer may
also count as a moderator); the kernel only routes the question and lets platform admins through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from deltacrown.kernel.errors import NotAuthenticated, NotFound, PermissionDenied


class Role(StrEnum):
    """A role a user can hold on one object."""

    ORGANIZER = "organizer"
    MODERATOR = "moderator"
    CAPTAIN = "captain"
    PLAYER = "player"


# (user_id, role, obj_id) -> whether the user holds the role on that object.
RoleResolver = Callable[[int, Role, Any], bool]


class UnknownObjectType(LookupError):
    """No app registered a role resolver for this object type (a programming error)."""


_resolvers: dict[str, RoleResolver] = {}
_lock = threading.Lock()


def register_role_resolver(obj_type: str, resolver: RoleResolver, *, replace: bool = False) -> None:
    """Make ``resolver`` answer role questions about objects of ``obj_type``.

    Called by the owning app in ``AppConfig.ready()``. Registering the same function again is a
    no-op; registering a different one for a taken type is refused unless ``replace`` is set, so
    two apps cannot silently fight over a type.
    """
    with _lock:
        current = _resolvers.get(obj_type)
        if current is not None and current is not resolver and not replace:
            raise ValueError(f"a role resolver for {obj_type!r} is already registered")
        _resolvers[obj_type] = resolver


def unregister_role_resolver(obj_type: str) -> None:
    """Forget the resolver for ``obj_type`` (for tests that register throwaway resolvers)."""
    with _lock:
        _resolvers.pop(obj_type, None)


def registered_object_types() -> frozenset[str]:
    """The object types some app answers role questions for."""
    return frozenset(_resolvers)


def is_authenticated(user: Any) -> bool:
    """True for a signed-in user (a user model instance or an accounts ``UserRef``)."""
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_platform_admin(user: Any) -> bool:
    """True for staff and superusers."""
    return bool(
        is_authenticated(user)
        and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    )


def _user_id(user: Any) -> int:
    user_id = getattr(user, "id", None)
    if user_id is None:
        user_id = getattr(user, "pk", None)
    if user_id is None:
        raise ValueError("an authenticated user without an id")
    return int(user_id)


def has_role(user: Any, role: Role | str, obj_type: str, obj_id: Any) -> bool:
    """Whether ``user`` holds ``role`` on the object ``obj_type``/``obj_id``.

    Anonymous callers hold no role; platform admins hold every role. An ``obj_type`` that no
    app registered raises ``UnknownObjectType``: a misspelt type must fail loudly, not deny.
    """
    role = Role(role)
    resolver = _resolvers.get(obj_type)
    if resolver is None:
        raise UnknownObjectType(f"no role resolver is registered for {obj_type!r}")
    if not is_authenticated(user):
        return False
    if is_platform_admin(user):
        return True
    return bool(resolver(_user_id(user), role, obj_id))


def require_role(
    user: Any,
    role: Role | str,
    obj_type: str,
    obj_id: Any,
    *,
    hide_existence: bool = False,
) -> None:
    """Raise unless ``user`` holds ``role`` on the object.

    Anonymous callers get 401 ``not_authenticated``; others get 403 ``role_required`` naming the
    role, or 404 ``not_found`` when ``hide_existence`` is set because the caller may not know
    that the object exists.
    """
    role = Role(role)
    if has_role(user, role, obj_type, obj_id):
        return
    require_authenticated(user)
    if hide_existence:
        raise NotFound()
    raise PermissionDenied(
        f"This action needs the {role.value} role on this {obj_type}.",
        code="role_required",
        role=role.value,
    )


def require_authenticated(user: Any) -> None:
    """Raise 401 ``not_authenticated`` for anonymous callers."""
    if not is_authenticated(user):
        raise NotAuthenticated(headers={"WWW-Authenticate": "Bearer"})


def require_platform_admin(user: Any) -> None:
    """Raise 401 for anonymous callers and 403 ``admin_required`` for non-admins."""
    require_authenticated(user)
    if not is_platform_admin(user):
        raise PermissionDenied("Platform administrators only.", code="admin_required")
