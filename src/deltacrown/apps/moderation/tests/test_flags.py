"""The enforcement flags, every combination: a banned user is refused exactly where the master
flag and the action's surface flag are both on, and allowed everywhere else."""

from __future__ import annotations

import itertools
import runpy
from pathlib import Path

import pytest

from deltacrown.apps.moderation import api, policy
from deltacrown.apps.moderation.data import ModerationAction, SanctionKind, Surface
from deltacrown.apps.moderation.tests.factories import UserFactory, sanction
from deltacrown.kernel import gates

pytestmark = pytest.mark.django_db

SURFACES = [surface.value for surface in Surface]
SETTINGS_FILE = str(Path(__file__).resolve().parents[3] / "config" / "settings.py")
COMBINATIONS = list(itertools.product([True, False], repeat=1 + len(SURFACES)))


def _label(combination: tuple[bool, ...]) -> str:
    names = ["master", *SURFACES]
    return ",".join(
        f"{name}={'on' if on else 'off'}" for name, on in zip(names, combination, strict=True)
    )


@pytest.mark.parametrize("combination", COMBINATIONS, ids=[_label(c) for c in COMBINATIONS])
def test_a_ban_is_enforced_exactly_where_the_flags_say(settings, combination):
    master, *surfaces = combination
    settings.MODERATION_ENFORCEMENT_ENABLED = master
    for name, on in zip(SURFACES, surfaces, strict=True):
        setattr(settings, f"MODERATION_ENFORCEMENT_{name}", on)
    player = UserFactory()
    sanction(player, SanctionKind.BAN)
    flag_of = dict(zip(SURFACES, surfaces, strict=True))

    for action in ModerationAction:
        surface = policy.SURFACE_OF[action.value]
        enforced = master and (surface is None or flag_of[surface.value])
        decision = api.check(player, action)
        assert decision.allowed is not enforced, action
        if action.value in {a.value for a in gates.Action}:
            # The lower apps ask the kernel hook: the same answer.
            assert gates.check(player.pk, action.value).allowed is not enforced, action
        assert (action in api.effective_policy(player).enforced) is enforced


def test_the_flags_ship_on_and_the_environment_turns_each_off(monkeypatch):
    names = [f"MODERATION_ENFORCEMENT_{name}" for name in ("ENABLED", *SURFACES)]
    for name in names:
        monkeypatch.delenv(name, raising=False)
    shipped = runpy.run_path(SETTINGS_FILE)
    for name in names:
        monkeypatch.setenv(name, "0")
    turned_off = runpy.run_path(SETTINGS_FILE)

    assert [shipped[name] for name in names] == [True] * len(names)
    assert [turned_off[name] for name in names] == [False] * len(names)


def test_with_enforcement_off_the_sanction_is_still_recorded_and_reported(settings):
    settings.MODERATION_ENFORCEMENT_ENABLED = False
    player = UserFactory()
    given = sanction(player, SanctionKind.SUSPEND)
    assert api.check(player, "registration.create").allowed
    policy_now = api.effective_policy(player)
    assert policy_now.blocked[ModerationAction.REGISTRATION_CREATE].sanction_id == given.pk
    assert policy_now.enforced == frozenset()
    assert api.is_sanctioned(player, SanctionKind.SUSPEND)
