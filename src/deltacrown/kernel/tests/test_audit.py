"""Kernel tests: recording audit entries, their append-only guarantee, and the admin audit API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from deltacrown.kernel import audit, clock, context
from deltacrown.kernel.models import AppendOnlyError, AuditEntry

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def make_user(username: str, *, staff: bool = False):
    return get_user_model().objects.create_user(
        username=username, password="a long enough password", is_staff=staff
    )


def record_at(moment: datetime, **fields) -> AuditEntry:
    with clock.frozen(moment):
        audit.record(**fields)
    return AuditEntry.objects.latest("id")


# --- Recording -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_takes_actor_and_request_id_from_the_request_context():
    request_token = context.set_request_id("req-12345678")
    user_token = context.set_user_id(42)
    try:
        entry = record_at(
            T0,
            action="tournament.cancelled",
            target_type="tournament",
            target_id=7,
            data={"refunded_entries": 12, "reason_code": "venue_lost"},
        )
    finally:
        context.reset(request_token, user_token)
    assert (entry.actor_id, entry.request_id) == (42, "req-12345678")
    assert (entry.action, entry.target_type, entry.target_id) == (
        "tournament.cancelled",
        "tournament",
        "7",
    )
    assert entry.data == {"refunded_entries": 12, "reason_code": "venue_lost"}
    assert entry.at == T0


@pytest.mark.django_db
def test_an_explicit_actor_wins_and_outside_a_request_there_is_no_request_id():
    entry = record_at(T0, action="user.banned", target_type="user", target_id="9", actor_id=3)
    assert (entry.actor_id, entry.request_id, entry.data) == (3, "", {})


@pytest.mark.django_db
def test_an_entry_rolls_back_with_the_action_it_audits():
    @transaction.atomic
    def disband_then_fail():
        audit.record(action="team.disbanded", target_type="team", target_id=1)
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        disband_then_fail()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"data": {"elo": 1500.5}}, TypeError),
        ({"data": {"when": T0}}, TypeError),
        ({"data": {1: 2}}, TypeError),
        ({"action": "Tournament Cancelled"}, ValueError),
        ({"target_type": "Tournament"}, ValueError),
        ({"target_id": "x" * 65}, ValueError),
        ({"target_id": 1.5}, TypeError),
        ({"actor_id": "42"}, TypeError),
    ],
    ids=[
        "float",
        "datetime",
        "int-key",
        "action",
        "target-type",
        "long-target",
        "float-target",
        "str-actor",
    ],
)
def test_malformed_entries_are_refused(fields, error):
    base = {"action": "tournament.cancelled", "target_type": "tournament", "target_id": 1}
    with pytest.raises(error):
        audit.record(**{**base, **fields})
    assert not AuditEntry.objects.exists()


# --- Append-only ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_cannot_be_changed_or_deleted_through_the_model():
    entry = record_at(T0, action="user.banned", target_type="user", target_id=5, actor_id=1)
    entry.action = "user.unbanned"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["action"])
    with pytest.raises(AppendOnlyError):
        entry.delete()
    # A new object carrying an existing id must not overwrite that row either.
    forged = AuditEntry(
        id=entry.id, action="user.unbanned", target_type="user", target_id="5", at=T0
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get().action == "user.banned"


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_in_bulk():
    for target in (1, 2):
        audit.record(action="user.banned", target_type="user", target_id=target)
    entries = AuditEntry.objects.all()
    with pytest.raises(AppendOnlyError):
        entries.update(action="user.unbanned")
    with pytest.raises(AppendOnlyError):
        entries.filter(target_id="1").delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update(list(entries), ["action"])
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update_or_create(target_id="1", defaults={"action": "x.y"})
    assert sorted(AuditEntry.objects.values_list("target_id", "action")) == [
        ("1", "user.banned"),
        ("2", "user.banned"),
    ]


# --- Admin API -----------------------------------------------------------------------------------

URL = "/api/v1/admin/audit"


def seed_trail() -> list[AuditEntry]:
    """Five entries, one hour apart, by actors 1 and 2, on tournaments and users."""
    rows = [
        ("tournament.created", "tournament", 10, 1),
        ("tournament.cancelled", "tournament", 10, 2),
        ("user.banned", "user", 77, 2),
        ("tournament.created", "tournament", 11, 1),
        ("user.unbanned", "user", 77, 1),
    ]
    return [
        record_at(
            T0 + timedelta(hours=i),
            action=action,
            target_type=target_type,
            target_id=target_id,
            actor_id=actor_id,
            data={"step": i},
        )
        for i, (action, target_type, target_id, actor_id) in enumerate(rows)
    ]


@pytest.mark.django_db
def test_admins_list_the_trail_newest_first_with_every_field(client):
    entries = seed_trail()
    client.force_login(make_user("root", staff=True))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [e.id for e in reversed(entries)]
    assert body["next_cursor"] is None
    newest = body["items"][0]
    assert newest == {
        "id": entries[-1].id,
        "actor_id": 1,
        "action": "user.unbanned",
        "target_type": "user",
        "target_id": "77",
        "data": {"step": 4},
        "at": newest["at"],
        "request_id": "",
    }
    assert datetime.fromisoformat(newest["at"].replace("Z", "+00:00")) == T0 + timedelta(hours=4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected_steps"),
    [
        ({"actor_id": 2}, [2, 1]),
        ({"action": "tournament.created"}, [3, 0]),
        ({"target_type": "user", "target_id": "77"}, [4, 2]),
        ({"target_type": "tournament", "actor_id": 1}, [3, 0]),
        ({"since": "2026-05-01T11:00:00Z"}, [4, 3, 2]),
        ({"until": "2026-05-01T11:00:00+00:00"}, [1, 0]),
        ({"since": "2026-05-01T10:00:00", "until": "2026-05-01T12:00:00"}, [2, 1]),
        ({"action": "nothing.matches"}, []),
    ],
    ids=[
        "actor",
        "action",
        "target",
        "combined",
        "since-inclusive",
        "until-exclusive",
        "naive-is-utc",
        "none",
    ],
)
def test_admins_filter_the_trail(client, query, expected_steps):
    seed_trail()
    client.force_login(make_user("root", staff=True))
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    assert [item["data"]["step"] for item in response.json()["items"]] == expected_steps


@pytest.mark.django_db
def test_the_trail_pages_with_a_cursor_without_skips_or_repeats(client):
    entries = seed_trail()
    client.force_login(make_user("root", staff=True))
    first = client.get(URL, {"limit": 2}).json()
    assert [i["data"]["step"] for i in first["items"]] == [4, 3]
    # An entry written between pages appears on no later page and shifts nothing.
    record_at(T0, action="user.banned", target_type="user", target_id=1)
    second = client.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get(URL, {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [i["data"]["step"] for i in second["items"]] == [2, 1]
    assert [i["data"]["step"] for i in third["items"]] == [0]
    assert third["next_cursor"] is None
    assert len(entries) == 5


@pytest.mark.django_db
def test_a_malformed_filter_is_a_validation_problem(client):
    client.force_login(make_user("root", staff=True))
    response = client.get(URL, {"since": "last tuesday"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_failed"


@pytest.mark.django_db
def test_non_admins_are_refused_with_403(client):
    seed_trail()
    client.force_login(make_user("player"))
    response = client.get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "admin_required"


@pytest.mark.django_db
def test_anonymous_callers_are_refused_with_401(client):
    seed_trail()
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
