"""Django admin for the kernel: operators can read history, nobody can rewrite it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from deltacrown.kernel.models import AuditEntry, Event, IdempotencyRecord, StreamHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser(
        username="root", email="root@example.com", password="a-long-password-1"
    )
    client.force_login(user)
    return client


def _audit_entry(**fields) -> AuditEntry:
    values = {
        "actor_id": 41,
        "action": "tournament.cancelled",
        "target_type": "tournament",
        "target_id": "9001",
        "data": {"reason_code": 3},
        "at": timezone.now(),
        "request_id": "req-admin-0001",
    }
    values.update(fields)
    return AuditEntry.objects.create(**values)


def _event(stream: str, seq: int, name: str) -> Event:
    return Event.objects.create(
        stream=stream,
        seq=seq,
        name=name,
        data={"match_id": seq},
        at_us=1_700_000_000_000_000 + seq,
        prev_hash="0" * 64,
        hash=f"{seq:064x}",
    )


def _idempotency_record() -> IdempotencyRecord:
    now = timezone.now()
    return IdempotencyRecord.objects.create(
        scope="user:41",
        method="POST",
        path="/api/v1/tournaments",
        key="key-0001",
        fingerprint="f" * 64,
        status_code=201,
        response_body=b'{"id": 1}',
        created_at=now,
        completed_at=now,
        expires_at=now + timedelta(hours=24),
    )


def test_changelists_render_for_a_superuser(superuser_client):
    _event("tournament:7", 1, "tournament.created")
    StreamHead.objects.create(stream="tournament:7", seq=1, hash=f"{1:064x}")
    _audit_entry()
    _idempotency_record()

    pages = {
        "kernel_event": "tournament.created",
        "kernel_streamhead": "tournament:7",
        "kernel_auditentry": "tournament.cancelled",
        "kernel_idempotencyrecord": "/api/v1/tournaments",
    }
    for model, shown in pages.items():
        response = superuser_client.get(reverse(f"admin:{model}_changelist"))
        assert response.status_code == 200, model
        assert shown in response.content.decode(), model


def test_events_are_searched_by_stream_and_filtered_by_name(superuser_client):
    _event("tournament:7", 1, "tournament.created")
    _event("tournament:7", 2, "tournament.started")
    _event("match:12", 1, "match.completed")
    url = reverse("admin:kernel_event_changelist")

    searched = superuser_client.get(url, {"q": "match:12"}).context["cl"].result_list
    filtered = superuser_client.get(url, {"name": "tournament.started"}).context["cl"].result_list

    assert [(e.stream, e.seq) for e in searched] == [("match:12", 1)]
    assert [(e.stream, e.seq) for e in filtered] == [("tournament:7", 2)]


def test_audit_entries_are_searched_by_target_or_actor_and_filtered(superuser_client):
    first = _audit_entry(actor_id=41, target_id="9001")
    second = _audit_entry(actor_id=77, target_id="555", action="user.banned", target_type="user")
    url = reverse("admin:kernel_auditentry_changelist")

    def ids(params):
        response = superuser_client.get(url, params)
        assert response.status_code == 200
        return [entry.pk for entry in response.context["cl"].result_list]

    assert ids({"q": "555"}) == [second.pk]
    assert ids({"q": "41"}) == [first.pk]
    assert ids({"action": "tournament.cancelled"}) == [first.pk]
    assert ids({"target_type": "user"}) == [second.pk]
    assert ids({"q": "not-a-number"}) == []


def test_audit_entries_cannot_be_added_changed_or_deleted_in_the_admin(superuser_client):
    entry = _audit_entry()
    change_url = reverse("admin:kernel_auditentry_change", args=[entry.pk])
    delete_url = reverse("admin:kernel_auditentry_delete", args=[entry.pk])

    view = superuser_client.get(change_url)
    changed = superuser_client.post(change_url, {"action": "tournament.restored"})
    deleted = superuser_client.post(delete_url, {"post": "yes"})
    added = superuser_client.get(reverse("admin:kernel_auditentry_add"))
    changelist_url = reverse("admin:kernel_auditentry_changelist")
    changelist = superuser_client.get(changelist_url)
    superuser_client.post(
        changelist_url,
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert view.status_code == 200
    assert "tournament.cancelled" in view.content.decode()
    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert added.status_code == 403
    assert 'value="delete_selected"' not in changelist.content.decode()
    entry.refresh_from_db()
    assert entry.action == "tournament.cancelled"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_history_tables_are_read_only_for_superusers(superuser_client):
    event = _event("tournament:7", 1, "tournament.created")
    head = StreamHead.objects.create(stream="tournament:7", seq=1, hash=f"{1:064x}")

    for model, pk in (("kernel_event", event.pk), ("kernel_streamhead", head.pk)):
        change_url = reverse(f"admin:{model}_change", args=[pk])
        assert superuser_client.post(change_url, {"seq": 99}).status_code == 403
        delete_url = reverse(f"admin:{model}_delete", args=[pk])
        assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    head.refresh_from_db()
    assert (event.seq, head.seq) == (1, 1)


def test_operators_may_delete_idempotency_records_but_not_edit_them(superuser_client):
    record = _idempotency_record()
    change_url = reverse("admin:kernel_idempotencyrecord_change", args=[record.pk])

    assert superuser_client.post(change_url, {"status_code": 500}).status_code == 403
    record.refresh_from_db()
    assert record.status_code == 201

    delete_url = reverse("admin:kernel_idempotencyrecord_delete", args=[record.pk])
    response = superuser_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not IdempotencyRecord.objects.filter(pk=record.pk).exists()


def test_staff_without_permissions_see_no_kernel_history(client):
    staff = get_user_model().objects.create_user(
        username="helpdesk", email="helpdesk@example.com", password="a-long-password-1"
    )
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    response = client.get(reverse("admin:kernel_auditentry_changelist"))

    assert response.status_code == 403
