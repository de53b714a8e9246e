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


def test_openapi_schema_names_are_unique_across_apps():
    # Ninja names OpenAPI components after the schema classes: two classes of the same name
    # (say two apps' GameOut) would silently overwrite each other in the document.
    from ninja import Schema

    import deltacrown.config.api  # noqa: F401 - imports every app's schemas

    seen: dict[str, set[str]] = {}
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("deltacrown.") and ".tests." not in cls.__module__:
            seen.setdefault(cls.__name__, set()).add(cls.__module__)
    assert len(seen) > 20
    assert {name: mods for name, mods in seen.items() if len(mods) > 1} == {}
