"""The demo's moderation: a mute in effect, a suspension that has run out, a ban revoked on
appeal and two reports, made through the services; seeding again changes nothing."""

from __future__ import annotations

import pytest

from deltacrown.apps.moderation import api
from deltacrown.apps.moderation.models import AbuseReport, Sanction
from deltacrown.apps.moderation.tests.factories import UserFactory, staff
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_and_seeding_twice_changes_nothing():
    admin = staff()
    players = [UserFactory() for _ in range(5)]
    ids = [p.pk for p in players]

    first = api.seed_demo(admin_id=admin.pk, player_ids=ids)
    audited = AuditEntry.objects.count()
    second = api.seed_demo(admin_id=admin.pk, player_ids=ids)

    assert first == second
    assert AuditEntry.objects.count() == audited
    assert Sanction.objects.count() == 3
    assert AbuseReport.objects.count() == 2
    states = {s.kind: s for s in Sanction.objects.all()}
    assert states["ban"].revoked_at is not None
    assert api.is_sanctioned(players[-1], "mute")
    assert not api.is_sanctioned(players[-2])  # the suspension ran out
    assert not api.is_sanctioned(players[-3])  # the ban was revoked
    # The mute leaves the demo's matches alone.
    assert api.check(players[-1], "result.report").allowed
    assert not api.check(players[-1], "ws.message").allowed
    assert sorted(AbuseReport.objects.values_list("status", flat=True)) == ["open", "triaged"]
