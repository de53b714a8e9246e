"""Test URLconf: a small API whose operations fail in every way the platform distinguishes."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from deltacrown.kernel import errors
from deltacrown.kernel.ninja import ORJSONRenderer, install_error_handlers


class _Bearer(HttpBearer):
    def authenticate(self, request, token):
        return token if token == "good" else None


api = NinjaAPI(urls_namespace="problem-tests", renderer=ORJSONRenderer())
install_error_handlers(api)


class Payload(Schema):
    name: str
    size: int


@api.post("/validate")
def validate(request, payload: Payload):
    return {"ok": True}


@api.get("/private", auth=_Bearer())
def private(request):
    return {"ok": True}


@api.get("/forbidden")
def forbidden(request):
    raise errors.PermissionDenied("Organizers only.", code="organizer_required")


@api.get("/missing")
def missing(request):
    raise errors.NotFound("No such tournament.", code="tournament_not_found")


@api.get("/conflict")
def conflict(request):
    raise errors.Conflict(
        "The tournament is live.", code="invalid_transition", allowed=["completed", "cancelled"]
    )


@api.get("/throttled")
def throttled(request):
    raise errors.RateLimited(retry_after=17)


@api.get("/boom")
def boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [path("api/", api.urls)]
