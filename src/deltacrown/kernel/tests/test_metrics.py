"""Prometheus metrics: bounded labels, the /metrics endpoint, its token, and several workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import override_settings
from django.urls import include, path
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from deltacrown.kernel.metrics import MULTIPROC_ENV


def _match(request: HttpRequest, match_id: int) -> JsonResponse:
    if request.method == "DELETE":
        return JsonResponse({"detail": "locked"}, status=409)
    return JsonResponse({"id": match_id})


urlpatterns = [
    path("matches/<int:match_id>", _match),
    path("", include("deltacrown.kernel.urls")),
]

pytestmark = pytest.mark.urls(__name__)

ROUTE = "matches/<int:match_id>"


def _requests(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("deltacrown_http_requests_total", labels) or 0.0


def _latency_count(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    value = REGISTRY.get_sample_value("deltacrown_http_request_duration_seconds_count", labels)
    return value or 0.0


def _samples(body: bytes, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_requests_are_counted_and_timed_by_route_pattern_and_status(client):
    ok_before = _requests("GET", ROUTE, 200)
    conflict_before = _requests("DELETE", ROUTE, 409)
    timed_before = _latency_count("GET", ROUTE, 200)

    client.get("/matches/1")
    client.get("/matches/2")
    client.delete("/matches/3")

    assert _requests("GET", ROUTE, 200) == ok_before + 2
    assert _requests("DELETE", ROUTE, 409) == conflict_before + 1
    assert _latency_count("GET", ROUTE, 200) == timed_before + 2


def test_unmatched_paths_and_odd_methods_share_one_label(client):
    unmatched_before = _requests("GET", "unmatched", 404)
    other_before = _requests("other", ROUTE, 200)

    client.get("/random/path/1")
    client.get("/random/path/2")
    client.generic("BREW", "/matches/4")

    assert _requests("GET", "unmatched", 404) == unmatched_before + 2
    assert _requests("other", ROUTE, 200) == other_before + 1


@pytest.mark.urls("deltacrown.config.urls")
def test_unknown_api_paths_are_unmatched_not_labelled_with_the_catch_all_pattern(client):
    before = _requests("GET", "unmatched", 404)

    response = client.get("/api/v1/no-such-endpoint/42")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert _requests("GET", "unmatched", 404) == before + 1
    assert _requests("GET", "^api/(?P<rest>.*)$", 404) == 0


def test_metrics_endpoint_serves_the_prometheus_text_format(client):
    client.get("/matches/5")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    counts = _samples(response.content, "deltacrown_http_requests_total")
    assert counts[(("method", "GET"), ("route", ROUTE), ("status", "200"))] >= 1
    assert "/matches/5" not in response.content.decode()


@override_settings(METRICS_TOKEN="scrape-secret")
def test_metrics_token_is_required_when_configured(client):
    missing = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess")
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")

    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused["Content-Type"] == "application/problem+json"
        assert refused["WWW-Authenticate"].startswith("Bearer")
        assert refused.json()["code"] == "not_authenticated"
        assert b"deltacrown_http_requests_total" not in refused.content
    assert right.status_code == 200
    assert b"deltacrown_http_requests_total" in right.content


# One uvicorn worker stands in here: its own interpreter, serving requests through Django.
WORKER = textwrap.dedent(
    """
    import sys

    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = sys.argv[2]
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    for number in range(int(sys.argv[1])):
        assert client.get(f"/matches/{number}").status_code == 200
    """
)


def test_metrics_from_several_worker_processes_are_summed(client, tmp_path: Path, monkeypatch):
    env = {
        **os.environ,
        MULTIPROC_ENV: str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "deltacrown.config.test_settings",
    }
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter running a fixed script
            [sys.executable, "-c", WORKER, str(count), __name__],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for count in (3, 4)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr.decode()[-2000:]

    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    response = client.get("/metrics")

    assert response.status_code == 200
    counts = _samples(response.content, "deltacrown_http_requests_total")
    assert counts[(("method", "GET"), ("route", ROUTE), ("status", "200"))] == 7
    latency = _samples(response.content, "deltacrown_http_request_duration_seconds_count")
    assert latency[(("method", "GET"), ("route", ROUTE), ("status", "200"))] == 7
