"""Idempotency-Key: a repeated mutating request is answered from the first, never run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from deltacrown.kernel import idempotency
from deltacrown.kernel.idempotency import (
    purge_expired_idempotency_records,
    register_caller_resolver,
    request_fingerprint,
)
from deltacrown.kernel.models import IdempotencyRecord
from deltacrown.kernel.tasks import purge_idempotency_records
from deltacrown.kernel.tests import idempotency_urls

pytestmark = [
    pytest.mark.urls("deltacrown.kernel.tests.idempotency_urls"),
    pytest.mark.django_db,
]

JSON = "application/json"
PROBLEM = "application/problem+json"


def _post(client, path: str, body: dict, key: str | None, **headers: str):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/test{path}", body, content_type=JSON, headers=headers)


def _tickets() -> int:
    return Group.objects.filter(name__startswith="ticket-").count()


def _problem_code(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    return response.json()["code"]


def _record(*, path: str, key: str, body: bytes, **fields) -> IdempotencyRecord:
    """A record as the middleware would have written it for an anonymous JSON request."""
    now = timezone.now()
    defaults = {
        "scope": "anonymous",
        "method": "POST",
        "path": path,
        "key": key,
        "fingerprint": request_fingerprint(body, JSON),
        "created_at": now,
        "expires_at": now + settings.IDEMPOTENCY_TTL,
    }
    return IdempotencyRecord.objects.create(**{**defaults, **fields})


@pytest.fixture
def caller_from_header():
    """Callers named by an ``X-Caller`` header, as the accounts app names authenticated users."""
    previous = idempotency.current_caller_resolver()

    def resolve(request):
        caller = request.headers.get("X-Caller")
        return f"user:{caller}" if caller else None

    register_caller_resolver(resolve)
    yield
    register_caller_resolver(previous)


@pytest.fixture
def flaky():
    idempotency_urls.FLAKY_FAILURES.clear()
    yield idempotency_urls.FLAKY_FAILURES
    idempotency_urls.FLAKY_FAILURES.clear()


def test_repeats_replay_the_first_response_and_run_once(client):
    first = _post(client, "/tickets", {"note": "sign me up"}, "key-1")
    replays = [_post(client, "/tickets", {"note": "sign me up"}, "key-1") for _ in range(3)]

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    for replay in replays:
        assert replay.status_code == 201
        assert replay.content == first.content
        assert replay["Content-Type"] == first["Content-Type"]
        assert replay["Idempotent-Replayed"] == "true"
    assert _tickets() == 1


def test_replay_keeps_the_location_header(client):
    first = _post(client, "/groups", {"name": "alpha"}, "key-loc")
    replay = _post(client, "/groups", {"name": "alpha"}, "key-loc")

    assert first.status_code == 201
    assert first["Location"] == f"/api/test/groups/{first.json()['id']}"
    assert replay.status_code == 201
    assert replay["Location"] == first["Location"]
    assert replay["Idempotent-Replayed"] == "true"


def test_requests_without_a_key_run_every_time(client):
    for _ in range(2):
        assert _post(client, "/tickets", {"note": "x"}, None).status_code == 201
    assert _tickets() == 2
    assert not IdempotencyRecord.objects.exists()


def test_same_key_with_another_body_is_refused(client):
    _post(client, "/tickets", {"note": "first"}, "key-2")
    response = _post(client, "/tickets", {"note": "second"}, "key-2")

    assert _problem_code(response, 422) == "idempotency_key_reused"
    assert _tickets() == 1


def test_same_body_under_another_content_type_is_another_request(client):
    _post(client, "/tickets", {"note": "first"}, "key-ct")
    response = client.post(
        "/api/test/tickets",
        b'{"note": "first"}',
        content_type="text/plain",
        headers={"Idempotency-Key": "key-ct"},
    )

    assert _problem_code(response, 422) == "idempotency_key_reused"


def test_keys_are_scoped_to_the_caller(client, caller_from_header):
    alice = _post(client, "/tickets", {"note": "same"}, "shared-key", **{"X-Caller": "1"})
    bob = _post(client, "/tickets", {"note": "same"}, "shared-key", **{"X-Caller": "2"})
    anonymous = _post(client, "/tickets", {"note": "same"}, "shared-key")
    alice_again = _post(client, "/tickets", {"note": "same"}, "shared-key", **{"X-Caller": "1"})

    assert alice.status_code == bob.status_code == anonymous.status_code == 201
    assert "Idempotent-Replayed" not in bob
    assert "Idempotent-Replayed" not in anonymous
    assert len({alice.json()["id"], bob.json()["id"], anonymous.json()["id"]}) == 3
    assert alice_again["Idempotent-Replayed"] == "true"
    assert alice_again.content == alice.content
    assert _tickets() == 3


def test_keys_are_scoped_to_the_path(client):
    ticket = _post(client, "/tickets", {"name": "x", "note": "x"}, "key-path")
    group = _post(client, "/groups", {"name": "x", "note": "x"}, "key-path")

    assert ticket.status_code == group.status_code == 201
    assert "Idempotent-Replayed" not in group
    assert group.json()["name"] == "x"


def test_a_client_error_is_stored_and_replayed(client):
    Group.objects.create(name="taken")
    first = _post(client, "/groups", {"name": "taken"}, "key-4xx")
    Group.objects.filter(name="taken").delete()
    replay = _post(client, "/groups", {"name": "taken"}, "key-4xx")

    assert _problem_code(first, 409) == "group_exists"
    assert replay.status_code == 409
    assert replay.content == first.content
    assert replay["Idempotent-Replayed"] == "true"
    assert not Group.objects.filter(name="taken").exists()


def test_delete_is_replayed_instead_of_answering_not_found(client):
    group = Group.objects.create(name="doomed")
    first = client.delete(f"/api/test/groups/{group.pk}", headers={"Idempotency-Key": "key-del"})
    replay = client.delete(f"/api/test/groups/{group.pk}", headers={"Idempotency-Key": "key-del"})
    without_key = client.delete(f"/api/test/groups/{group.pk}")

    assert first.status_code == replay.status_code == 204
    assert replay["Idempotent-Replayed"] == "true"
    assert without_key.status_code == 404


def test_a_server_error_is_rolled_back_and_not_stored(client, flaky):
    flaky.append("crash")
    failed = _post(client, "/flaky", {"note": "x"}, "key-5xx")

    assert _problem_code(failed, 500) == "internal_error"
    assert _tickets() == 0
    assert not IdempotencyRecord.objects.exists()

    retry = _post(client, "/flaky", {"note": "x"}, "key-5xx")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert _tickets() == 1


def test_a_rate_limited_request_is_not_stored(client, flaky):
    flaky.append("throttle")
    throttled = _post(client, "/flaky", {"note": "x"}, "key-429")

    assert _problem_code(throttled, 429) == "rate_limited"
    retry = _post(client, "/flaky", {"note": "x"}, "key-429")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert _tickets() == 1


def test_a_repeat_while_the_first_is_running_is_told_to_retry(client):
    _record(path="/api/test/tickets", key="key-busy", body=b'{"note": "x"}')

    response = _post(client, "/tickets", {"note": "x"}, "key-busy")

    assert _problem_code(response, 409) == "idempotency_in_flight"
    assert response["Retry-After"] == "1"
    assert _tickets() == 0


def test_another_body_while_the_first_is_running_is_refused(client):
    _record(path="/api/test/tickets", key="key-busy", body=b'{"note": "x"}')

    response = _post(client, "/tickets", {"note": "y"}, "key-busy")

    assert _problem_code(response, 422) == "idempotency_key_reused"


def test_a_stale_claim_whose_request_died_is_taken_over(client):
    long_ago = timezone.now() - settings.IDEMPOTENCY_STALE_AFTER - timedelta(seconds=1)
    _record(path="/api/test/tickets", key="key-stale", body=b'{"note": "x"}', created_at=long_ago)

    taken_over = _post(client, "/tickets", {"note": "x"}, "key-stale")
    replay = _post(client, "/tickets", {"note": "x"}, "key-stale")

    assert taken_over.status_code == 201
    assert "Idempotent-Replayed" not in taken_over
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == taken_over.content
    assert _tickets() == 1


def test_a_request_whose_claim_was_taken_over_is_rolled_back(client):
    response = _post(client, "/overtaken", {"note": "x"}, "key-overtaken")

    assert _problem_code(response, 409) == "idempotency_in_flight"
    assert response["Retry-After"] == "1"
    assert _tickets() == 0


def test_an_expired_record_is_purged_and_its_key_reused(client):
    past = timezone.now() - timedelta(seconds=1)
    _record(
        path="/api/test/tickets",
        key="key-old",
        body=b'{"note": "old"}',
        created_at=past - settings.IDEMPOTENCY_TTL,
        completed_at=past - settings.IDEMPOTENCY_TTL,
        expires_at=past,
        status_code=201,
        response_body=b'{"id": 0, "name": "old"}',
        response_headers={"Content-Type": JSON},
    )
    _record(path="/api/test/tickets", key="key-live", body=b'{"note": "x"}')

    assert purge_expired_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["key-live"]

    response = _post(client, "/tickets", {"note": "new"}, "key-old")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert _tickets() == 1


def test_an_expired_record_not_yet_purged_counts_as_absent(client):
    past = timezone.now() - timedelta(seconds=1)
    _record(
        path="/api/test/tickets",
        key="key-old",
        body=b'{"note": "old"}',
        created_at=past - settings.IDEMPOTENCY_TTL,
        completed_at=past - settings.IDEMPOTENCY_TTL,
        expires_at=past,
        status_code=201,
        response_body=b'{"id": 0, "name": "old"}',
        response_headers={"Content-Type": JSON},
    )

    response = _post(client, "/tickets", {"note": "new"}, "key-old")

    assert response.status_code == 201
    assert response.json()["id"] != 0
    assert "Idempotent-Replayed" not in response


def test_the_hourly_task_purges_expired_records():
    past = timezone.now() - timedelta(seconds=1)
    _record(path="/api/test/tickets", key="gone", body=b"", expires_at=past)
    _record(path="/api/test/tickets", key="kept", body=b"")

    assert purge_idempotency_records.call_local() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["kept"]


@pytest.mark.parametrize(
    "key",
    ["", " ", "x" * 256, "clé", "tab\there", "bell\x07"],
    ids=["empty", "blank", "too-long", "non-ascii", "tab", "control"],
)
def test_an_invalid_key_is_refused_before_anything_runs(client, key):
    response = _post(client, "/tickets", {"note": "x"}, key)

    assert _problem_code(response, 400) == "idempotency_key_invalid"
    assert _tickets() == 0


def test_the_longest_valid_key_is_accepted(client):
    key = "k" * 255
    first = _post(client, "/tickets", {"note": "x"}, key)
    replay = _post(client, "/tickets", {"note": "x"}, key)

    assert first.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"


def test_get_ignores_the_key(client):
    Group.objects.create(name="visible")

    for _ in range(2):
        response = client.get("/api/test/groups", headers={"Idempotency-Key": ""})
        assert response.status_code == 200
        assert "Idempotent-Replayed" not in response
        assert [g["name"] for g in response.json()] == ["visible"]
    assert not IdempotencyRecord.objects.exists()


def test_paths_outside_the_api_ignore_the_key(client):
    for _ in range(2):
        response = client.post("/outside/tickets", headers={"Idempotency-Key": "key-out"})
        assert response.status_code == 201
    assert _tickets() == 2


def test_replay_works_through_the_asgi_handler(async_client):
    def post():
        return async_to_sync(async_client.post)(
            "/api/test/tickets",
            {"note": "over asgi"},
            content_type=JSON,
            headers={"Idempotency-Key": "key-asgi"},
        )

    first, replay = post(), post()

    assert first.status_code == replay.status_code == 201
    assert replay.content == first.content
    assert replay["Idempotent-Replayed"] == "true"
    assert _tickets() == 1
