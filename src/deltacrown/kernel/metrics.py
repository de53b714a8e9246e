"""Kernel layer: Prometheus metrics for HTTP traffic and the ``/metrics`` endpoint.

``MetricsMiddleware`` counts every request and observes its latency, labelled by method, route
pattern and status. Labels are bounded: the route is the URL pattern that matched
("api/v1/tournaments/<int:tournament_id>"), never the raw path, and a path that matched no
pattern is "unmatched"; unusual methods are "other".

With several uvicorn workers (``deltacrown serve --workers N``) each worker is its own process.
``serve`` then sets PROMETHEUS_MULTIPROC_DIR before the workers start, prometheus-client writes
every sample to files in that directory, and ``/metrics`` merges the files of all workers, so a
scrape reaching any worker reports the whole server.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from deltacrown.kernel.errors import NotAuthenticated
from deltacrown.kernel.http import problem_response

UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
V = TypeVar("V", bound=Callable[..., HttpResponse])

HTTP_REQUESTS = Counter(
    "deltacrown_http_requests",
    "HTTP requests served, by method, route pattern and status.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "deltacrown_http_request_duration_seconds",
    "Time to serve an HTTP request, by method, route pattern and status.",
    ["method", "route", "status"],
)


def unmatched_route(view: V) -> V:
    """Mark a catch-all view (such as the API's "no such endpoint" answer): the requests it
    serves matched no real route and are labelled "unmatched", not with its regex."""
    view.unmatched_route = True  # type: ignore[attr-defined]
    return view


def route_label(request: HttpRequest) -> str:
    """The URL pattern ``request`` resolved to ("api/v1/me", "/" for the root, else "unmatched")."""
    match = getattr(request, "resolver_match", None)
    if match is None or getattr(match.func, "unmatched_route", False):
        return UNMATCHED
    return match.route or "/"


def method_label(method: str | None) -> str:
    """The request method, or "other" for methods outside the standard set."""
    method = (method or "").upper()
    return method if method in METHODS else "other"


def observe_request(method: str, route: str, status: int, duration_seconds: float) -> None:
    """Record one served request in the request counter and the latency histogram."""
    labels = (method_label(method), route, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_REQUEST_DURATION.labels(*labels).observe(duration_seconds)


class MetricsMiddleware:
    """Count and time every request; place it first so the time covers the whole stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        observe_request(
            request.method or "",
            route_label(request),
            response.status_code,
            time.perf_counter() - started,
        )
        return response


def forget_process(pid: int) -> None:
    """A worker process ended: its live gauges (``livesum``/``liveall``, such as the open
    WebSocket connections) stop counting. Counters and histograms keep its totals. The process
    manager (``deltacrown serve --workers N``) calls it; without a multiprocess directory it
    does nothing."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)


def exposition() -> bytes:
    """Every metric in Prometheus text format, merged across worker processes when they share
    a PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _authorized(request: HttpRequest, token: str) -> bool:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    )


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: open unless METRICS_TOKEN is set, then ``Authorization: Bearer`` it."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token and not _authorized(request, token):
        return problem_response(
            NotAuthenticated(
                "A valid metrics bearer token is required.",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            ),
            request,
        )
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
