"""The documented matrix is the enforced one: every cell of the table in docs/moderation.md (what
each kind blocks, the flag of each action, its failure policy) holds in the code and through a
real gate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deltacrown.apps.moderation import api, policy
from deltacrown.apps.moderation.data import ModerationAction, SanctionKind
from deltacrown.apps.moderation.errors import ModerationUnavailable
from deltacrown.apps.moderation.tests.factories import UserFactory, sanction

DOC = Path(__file__).resolve().parents[5] / "docs" / "moderation.md"
ROW = re.compile(r"^\| `(?P<action>[a-z.]+)` \| (?P<cells>.+) \|$")


def _documented() -> dict[str, dict[str, str]]:
    """The matrix table of docs/moderation.md: action -> column -> cell."""
    section = DOC.read_text().split("## What each sanction blocks", 1)[1].split("\n## ", 1)[0]
    table: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match and "surface flag" not in line:
            ban, suspend, mute, flag, failure = (c.strip() for c in match["cells"].split(" | "))
            table[match["action"]] = {
                "ban": ban,
                "suspend": suspend,
                "mute": mute,
                "flag": flag,
                "failure": failure,
            }
    return table


def test_the_documented_matrix_covers_every_action():
    assert set(_documented()) == {action.value for action in ModerationAction}


@pytest.mark.parametrize("action", list(ModerationAction))
def test_every_documented_cell_is_the_code(action):
    row = _documented()[action.value]
    for kind in SanctionKind:
        assert row[kind.value] == ("blocked" if policy.blocks(kind, action) else "allowed"), kind
    surface = policy.SURFACE_OF[action.value]
    expected_flag = (
        "(master flag only)" if surface is None else f"`MODERATION_ENFORCEMENT_{surface.value}`"
    )
    assert row["flag"] == expected_flag
    assert row["failure"] == policy.ON_FAILURE[action.value].value


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(SanctionKind))
def test_a_sanction_in_effect_refuses_exactly_its_documented_actions_with_its_code(kind):
    table = _documented()
    player = UserFactory()
    given = sanction(player, kind)
    code = {"ban": "banned", "suspend": "suspended", "mute": "muted"}[kind.value]
    for action in ModerationAction:
        decision = api.check(player, action, tournament=None)
        if table[action.value][kind.value] == "blocked":
            assert (decision.allowed, decision.reason_code, decision.sanction_id) == (
                False,
                code,
                given.pk,
            ), action
        else:
            assert decision.allowed, action


@pytest.mark.django_db
def test_overlapping_sanctions_all_count_and_the_most_severe_is_named():
    player = UserFactory()
    mute = sanction(player, SanctionKind.MUTE)
    ban = sanction(player, SanctionKind.BAN)
    # The ban names every refusal; once it is revoked the mute still holds its own doors.
    assert api.check(player, "ws.message").sanction_id == ban.pk
    assert not api.check(player, "ws.connect").allowed
    api.sanction_revoke(actor=UserFactory(is_staff=True), sanction_id=ban.pk, reason="Appeal")
    assert api.check(player, "ws.message").sanction_id == mute.pk
    assert api.check(player, "ws.connect").allowed


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(ModerationAction))
def test_when_the_database_fails_each_action_follows_its_documented_failure_policy(
    action, monkeypatch
):
    from django.db import OperationalError

    from deltacrown.apps.moderation import selectors

    def down(**kwargs):
        raise OperationalError("the database is unreachable")

    player = UserFactory()
    monkeypatch.setattr(selectors, "sanction_windows", down)
    if _documented()[action.value]["failure"] == "open":
        assert api.check(player, action).allowed
    else:
        with pytest.raises(ModerationUnavailable) as failed:
            api.check(player, action)
        assert failed.value.http_status == 503
        assert failed.value.headers["Retry-After"] == "5"
