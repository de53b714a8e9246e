"""Every failure of an API answers as RFC 9457 problem+json with a stable code."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.urls("deltacrown.kernel.tests.problem_urls")

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(f"/{code}")
    assert body["title"]
    assert body["detail"]
    return body


def test_invalid_fields_are_422_with_one_entry_per_field(client):
    response = client.post(
        "/api/validate", {"name": 3, "size": "big"}, content_type="application/json"
    )
    body = _problem(response, 422, "validation_failed")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"name", "size"}
    assert all(e["code"] and e["message"] for e in body["errors"])


def test_malformed_json_body_is_a_problem(client):
    response = client.post("/api/validate", "{not json", content_type="application/json")
    _problem(response, 400, "bad_request")


def test_missing_credentials_are_401_with_a_bearer_challenge(client):
    response = client.get("/api/private")
    _problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/private", HTTP_AUTHORIZATION="Bearer good").status_code == 200


def test_forbidden_and_not_found_keep_their_own_codes(client):
    _problem(client.get("/api/forbidden"), 403, "organizer_required")
    _problem(client.get("/api/missing"), 404, "tournament_not_found")


def test_conflict_lists_the_allowed_transitions(client):
    body = _problem(client.get("/api/conflict"), 409, "invalid_transition")
    assert body["allowed"] == ["completed", "cancelled"]


def test_rate_limited_says_when_to_retry(client):
    response = client.get("/api/throttled")
    body = _problem(response, 429, "rate_limited")
    assert response["Retry-After"] == "17"
    assert body["retry_after"] == 17


def test_unexpected_errors_reveal_nothing_and_carry_the_request_id(client, caplog):
    response = client.get("/api/boom", HTTP_X_REQUEST_ID="req-0123456789")
    body = _problem(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert body["request_id"] == "req-0123456789"
    assert response["X-Request-ID"] == "req-0123456789"
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)
