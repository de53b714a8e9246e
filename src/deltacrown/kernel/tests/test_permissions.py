"""Per-object roles: owning apps register resolvers, every app asks the kernel."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from deltacrown.kernel import permissions
from deltacrown.kernel.errors import NotAuthenticated, NotFound, PermissionDenied
from deltacrown.kernel.permissions import Role

ORGANIZERS = {(1, 10)}  # (user_id, tournament_id)


def _tournament_roles(user_id: int, role: Role, obj_id: int) -> bool:
    # Like a real resolver, it decides implications: organizers also moderate.
    if role in (Role.ORGANIZER, Role.MODERATOR):
        return (user_id, obj_id) in ORGANIZERS
    return False


def _user(user_id: int, *, staff: bool = False, superuser: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        id=user_id, is_authenticated=True, is_staff=staff, is_superuser=superuser
    )


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_staff=False, is_superuser=False)


@pytest.fixture(autouse=True)
def _tournament_resolver() -> Iterator[None]:
    permissions.register_role_resolver("test_tournament", _tournament_roles)
    yield
    permissions.unregister_role_resolver("test_tournament")


def test_the_registered_resolver_answers_for_its_objects():
    organizer, player = _user(1), _user(2)
    assert permissions.has_role(organizer, Role.ORGANIZER, "test_tournament", 10)
    assert permissions.has_role(organizer, "moderator", "test_tournament", 10)
    assert not permissions.has_role(organizer, Role.ORGANIZER, "test_tournament", 11)
    assert not permissions.has_role(player, Role.ORGANIZER, "test_tournament", 10)


def test_platform_admins_hold_every_role():
    for admin in (_user(9, staff=True), _user(8, superuser=True)):
        assert permissions.has_role(admin, Role.CAPTAIN, "test_tournament", 10)


def test_anonymous_callers_hold_no_role():
    assert not permissions.has_role(ANONYMOUS, Role.PLAYER, "test_tournament", 10)
    assert not permissions.has_role(None, Role.PLAYER, "test_tournament", 10)


def test_require_role_says_which_role_is_missing():
    permissions.require_role(_user(1), Role.ORGANIZER, "test_tournament", 10)
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_role(_user(2), Role.ORGANIZER, "test_tournament", 10)
    assert excinfo.value.code == "role_required"
    assert excinfo.value.to_problem()["role"] == "organizer"


def test_require_role_can_hide_that_the_object_exists():
    with pytest.raises(NotFound):
        permissions.require_role(
            _user(2), Role.ORGANIZER, "test_tournament", 10, hide_existence=True
        )


def test_require_role_asks_anonymous_callers_to_authenticate():
    with pytest.raises(NotAuthenticated) as excinfo:
        permissions.require_role(ANONYMOUS, Role.PLAYER, "test_tournament", 10)
    assert excinfo.value.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unregistered_object_type_fails_loudly():
    with pytest.raises(permissions.UnknownObjectType):
        permissions.has_role(_user(9, staff=True), Role.PLAYER, "test_tournamnet", 10)


def test_unknown_roles_are_refused():
    with pytest.raises(ValueError, match="owner"):
        permissions.has_role(_user(1), "owner", "test_tournament", 10)


def test_a_type_cannot_be_taken_over_silently():
    permissions.register_role_resolver("test_tournament", _tournament_roles)  # same: no-op
    with pytest.raises(ValueError, match="already registered"):
        permissions.register_role_resolver("test_tournament", lambda u, r, o: True)
    assert not permissions.has_role(_user(2), Role.ORGANIZER, "test_tournament", 10)

    permissions.register_role_resolver("test_tournament", lambda u, r, o: True, replace=True)
    assert permissions.has_role(_user(2), Role.ORGANIZER, "test_tournament", 10)
    assert "test_tournament" in permissions.registered_object_types()


def test_require_platform_admin():
    permissions.require_platform_admin(_user(9, staff=True))
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_platform_admin(_user(2))
    assert excinfo.value.code == "admin_required"
    with pytest.raises(NotAuthenticated):
        permissions.require_platform_admin(ANONYMOUS)
