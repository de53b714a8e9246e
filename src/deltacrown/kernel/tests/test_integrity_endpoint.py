"""Kernel tests: ``GET /api/v1/admin/integrity`` — who may call it, what it reports about
intact and tampered chains, and how it pages through a large log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from deltacrown.kernel import events, integrity
from deltacrown.kernel.models import Event

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/integrity"


def _user(username: str, *, staff: bool = False) -> Any:
    return get_user_model().objects.create_user(
        username=username, password="Integrity-Pass-42", is_staff=staff
    )


def _admin(client: Any) -> Any:
    client.force_login(_user("root", staff=True))
    return client


def _stream(name: str, count: int) -> None:
    for n in range(1, count + 1):
        with transaction.atomic():
            events.publish(name, "match.completed", {"match_id": n, "score": [n, 0]})


def _by_stream(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["stream"]: item for item in body["items"]}


def _kinds(item: dict[str, Any]) -> list[tuple[str, int]]:
    return [(problem["kind"], problem["seq"]) for problem in item["problems"]]


def test_anonymous_callers_get_401_and_other_users_403(client):
    _stream("tournament:1", 1)
    anonymous = client.get(URL)
    client.force_login(_user("player"))
    player = client.get(URL)

    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    assert player.status_code == 403
    assert player.json()["code"] == "admin_required"
    assert "tournament:1" not in player.content.decode()


def test_an_intact_log_reports_every_stream_with_its_head_and_event_count(client):
    _stream("tournament:1", 3)
    _stream("match:7", 2)

    response = _admin(client).get(URL)

    assert response.status_code == 200, response.content
    body = response.json()
    head_seq, head_hash = events.stream_head("tournament:1")
    assert body["items"][1] == {
        "stream": "tournament:1",
        "ok": True,
        "head_seq": 3,
        "last_seq": 3,
        "events": 3,
        "verified_seq": head_seq,
        "verified_hash": head_hash,
        "problems": [],
    }
    assert [item["stream"] for item in body["items"]] == ["match:7", "tournament:1"]
    assert body["summary"] == {
        "ok": True,
        "streams_checked": 2,
        "events_checked": 5,
        "broken_streams": 0,
        "warned_streams": 0,
        "complete": True,
    }
    assert body["next_cursor"] is None


def test_gaps_reorderings_and_mismatches_are_reported_where_they_are(client):
    for name in ("s:edited", "s:gap", "s:relinked", "s:renumbered", "s:truncated", "s:intact"):
        _stream(name, 4)
    Event.objects.filter(stream="s:edited", seq=2).update(data={"match_id": 99})
    Event.objects.filter(stream="s:gap", seq=3).delete()
    Event.objects.filter(stream="s:relinked", seq=3).update(prev_hash="f" * 64)
    # Swap events 2 and 3 by renumbering, keeping every seq present.
    Event.objects.filter(stream="s:renumbered", seq__in=(2, 3)).update(seq=F("seq") + 100)
    Event.objects.filter(stream="s:renumbered", seq=102).update(seq=3)
    Event.objects.filter(stream="s:renumbered", seq=103).update(seq=2)
    Event.objects.filter(stream="s:truncated", seq=4).delete()

    body = _admin(client).get(URL).json()

    reports = _by_stream(body)
    assert _kinds(reports["s:edited"]) == [("hash_mismatch", 2)]
    assert reports["s:edited"]["verified_seq"] == 1
    assert _kinds(reports["s:gap"]) == [("gap", 3)]
    assert _kinds(reports["s:relinked"]) == [("prev_hash_mismatch", 3)]
    # Event 3 now sits at seq 2, and its prev_hash names event 2, not event 1.
    assert _kinds(reports["s:renumbered"]) == [("prev_hash_mismatch", 2)]
    # Deleting the last event keeps the chain intact; only the stream head gives it away.
    truncated = reports["s:truncated"]
    assert (truncated["head_seq"], truncated["last_seq"]) == (4, 3)
    assert truncated["problems"][0]["kind"] == "head_mismatch"
    assert truncated["problems"][0]["warning"] is True
    assert reports["s:intact"]["ok"] is True
    assert body["summary"]["ok"] is False
    assert (body["summary"]["broken_streams"], body["summary"]["warned_streams"]) == (4, 1)
    assert all(not problem["warning"] for problem in reports["s:gap"]["problems"])


def test_the_log_is_verified_in_pages_of_streams_without_skips_or_repeats(client):
    names = [f"tournament:{n}" for n in range(1, 6)]
    for name in names:
        _stream(name, 1)
    _admin(client)

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get(URL, query).json()
        pages += 1
        seen += [item["stream"] for item in body["items"]]
        cursor = body["next_cursor"]
        assert body["summary"]["complete"] is (cursor is None)
        if cursor is None:
            break

    assert pages == 3
    assert seen == sorted(names)


def test_a_page_ends_early_once_its_event_budget_is_spent(client, monkeypatch):
    for name in ("a", "b", "c"):
        _stream(f"tournament:{name}", 2)
    monkeypatch.setattr(integrity, "PAGE_EVENTS_BUDGET", 3)
    _admin(client)

    first = client.get(URL, {"limit": 10}).json()
    rest = client.get(URL, {"limit": 10, "cursor": first["next_cursor"]}).json()

    # The stream that crosses the budget is finished: no chain is split between pages.
    assert [i["stream"] for i in first["items"]] == ["tournament:a", "tournament:b"]
    assert first["summary"]["events_checked"] == 4
    assert [i["stream"] for i in rest["items"]] == ["tournament:c"]
    assert rest["next_cursor"] is None


def test_a_stream_whose_events_were_all_deleted_is_still_reported(client):
    _stream("tournament:gone", 2)
    Event.objects.filter(stream="tournament:gone").delete()

    body = _admin(client).get(URL).json()

    (item,) = body["items"]
    assert (item["stream"], item["head_seq"], item["events"]) == ("tournament:gone", 2, 0)
    assert _kinds(item) == [("head_mismatch", 2)]


def test_a_foreign_cursor_is_a_validation_problem(client):
    response = _admin(client).get(URL, {"cursor": "bm90LWEtY3Vyc29y"})
    forged = client.get(URL, {"cursor": "WzQyXQ"})  # a well-formed cursor holding [42]

    for refused in (response, forged):
        assert refused.status_code == 422
        assert refused.json()["code"] == "invalid_cursor"
