"""Kernel layer: operational URLs (health, readiness, metrics, well-known keys)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_safe

from deltacrown.kernel import integrity
from deltacrown.kernel.health import readyz
from deltacrown.kernel.metrics import metrics_view


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@require_safe
def checkpoint_key(request: HttpRequest) -> JsonResponse:
    """The public key that verifies this server's signed event-log checkpoints."""
    response = JsonResponse(integrity.public_key_document())
    response["Cache-Control"] = "public, max-age=3600"
    return response


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path(".well-known/deltacrown/checkpoint-key", checkpoint_key, name="checkpoint-key"),
]
