"""Enforcement gates: open until a policy plugs in, then every refusal is a 403 with its reason."""

from __future__ import annotations

import pytest

from deltacrown.kernel import gates
from deltacrown.kernel.errors import PermissionDenied


@pytest.fixture
def policy():
    installed = []

    def install(fn):
        installed.append(gates.register_policy(fn))

    yield install
    for previous in reversed(installed):
        gates.register_policy(previous)


def test_every_action_is_allowed_until_a_policy_is_registered(policy):
    policy(None)  # the moderation app registers one at start-up; this is the kernel alone
    for action in gates.Action:
        assert gates.check(7, action).allowed
    gates.require(7, "registration.create", tournament_id=3)


def test_a_registered_policy_decides_and_refusals_carry_the_reason(policy):
    asked = []

    def banned_from_tournament_3(user_id, action, tournament_id):
        asked.append((user_id, action, tournament_id))
        if tournament_id == 3:
            return gates.Decision(allowed=False, reason_code="banned", sanction_id=11)
        return gates.ALLOW

    policy(banned_from_tournament_3)
    assert gates.check(7, gates.Action.CHECKIN, tournament_id=4).allowed
    with pytest.raises(PermissionDenied) as refused:
        gates.require(7, "registration.create", tournament_id=3)
    assert refused.value.code == "banned"
    assert refused.value.to_problem()["sanction_id"] == 11
    assert asked[-1] == (7, gates.Action.REGISTRATION_CREATE, 3)


def test_unknown_actions_are_a_programming_error():
    with pytest.raises(ValueError, match=r"not\.a\.door"):
        gates.check(1, "not.a.door")


def test_a_refusal_without_a_reason_is_a_programming_error():
    with pytest.raises(ValueError, match="reason code"):
        gates.Decision(allowed=False)
