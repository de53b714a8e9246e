"""Whole-platform smoke tests: the process answers and unknown API paths answer with problems."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response["X-Request-ID"]) >= 8


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_path_is_a_problem_not_html(method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404


def test_api_docs_load_their_assets_from_this_server_not_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs"):
        assert cdn not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    asset = client.get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_openapi_schema_is_generated(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "DeltaCrown API"
    assert schema["openapi"].startswith("3.")
