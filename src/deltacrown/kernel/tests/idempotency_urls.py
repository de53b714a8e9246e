"""Test URLconf: an API whose operations have side effects that tests can count.

Each side effect is a database row (a ``django.contrib.auth`` group), so a test, or a race of
threads against a live server, proves how many times an operation really ran. A paginated list of
audit entries serves the cursor pagination tests.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema, Status
from ninja.pagination import paginate

from deltacrown.kernel import errors
from deltacrown.kernel.idempotency import HEADER
from deltacrown.kernel.models import AuditEntry, IdempotencyRecord
from deltacrown.kernel.ninja import ORJSONRenderer, install_error_handlers
from deltacrown.kernel.pagination import CursorPagination

api = NinjaAPI(
    urls_namespace="idempotency-tests", renderer=ORJSONRenderer(), docs_url=None, openapi_url=None
)
install_error_handlers(api)

# How the next calls of /flaky fail, consumed one per call: "crash" (an unexpected exception
# after the row was written) or "throttle" (rate limited before anything ran).
FLAKY_FAILURES: list[str] = []

SLOW_SECONDS = 0.2


class GroupIn(Schema):
    name: str


class TicketIn(Schema):
    note: str


class GroupOut(Schema):
    id: int
    name: str


class AuditOut(Schema):
    id: int
    action: str
    at: datetime


def _new_ticket() -> Group:
    return Group.objects.create(name=f"ticket-{uuid.uuid4().hex}")


@api.post("/groups", response={201: GroupOut})
def create_group(request: HttpRequest, payload: GroupIn, response: HttpResponse):
    if Group.objects.filter(name=payload.name).exists():
        raise errors.Conflict("A group with this name exists.", code="group_exists")
    group = Group.objects.create(name=payload.name)
    response["Location"] = f"/api/test/groups/{group.pk}"
    return Status(201, group)


@api.get("/groups", response=list[GroupOut])
def list_groups(request: HttpRequest):
    return Group.objects.order_by("id")


@api.delete("/groups/{group_id}", response={204: None})
def delete_group(request: HttpRequest, group_id: int):
    deleted, _ = Group.objects.filter(pk=group_id).delete()
    if not deleted:
        raise errors.NotFound("No such group.", code="group_not_found")
    return Status(204, None)


@api.post("/tickets", response={201: GroupOut})
def create_ticket(request: HttpRequest, payload: TicketIn):
    """Every run writes a new row with a new random name: a repeat that ran shows up twice."""
    return Status(201, _new_ticket())


@api.post("/slow-tickets", response={201: GroupOut})
def create_slow_ticket(request: HttpRequest, payload: TicketIn):
    """Like /tickets, but holds its transaction open long enough for repeats to overlap it."""
    ticket = _new_ticket()
    time.sleep(SLOW_SECONDS)
    return Status(201, ticket)


@api.post("/flaky", response={201: GroupOut})
def create_flaky_ticket(request: HttpRequest, payload: TicketIn):
    failure = FLAKY_FAILURES.pop(0) if FLAKY_FAILURES else None
    if failure == "throttle":
        raise errors.RateLimited(retry_after=3)
    ticket = _new_ticket()
    if failure == "crash":
        raise RuntimeError("the worker fell over after writing")
    return Status(201, ticket)


def _take_over(key: str) -> None:
    """What a worker that presumed the request dead does: re-stamp the claim as its own."""
    IdempotencyRecord.objects.filter(key=key).update(
        created_at=timezone.now() + timedelta(seconds=1)
    )


@api.post("/overtaken", response={201: GroupOut})
def create_overtaken_ticket(request: HttpRequest, payload: TicketIn):
    """Writes a row, then finds its key taken over before it could finish.

    The takeover is written on this request's own connection, which is all a single-connection
    test database allows; /overtaken-elsewhere does it on another connection.
    """
    ticket = _new_ticket()
    _take_over(request.headers[HEADER])
    return Status(201, ticket)


@api.post("/overtaken-elsewhere", response={201: GroupOut})
def create_ticket_overtaken_elsewhere(request: HttpRequest, payload: TicketIn):
    """Like /overtaken, but the takeover commits on another connection, as it would from
    another worker (needs a database that serves several connections: PostgreSQL)."""
    ticket = _new_ticket()

    def other_worker() -> None:
        try:
            _take_over(request.headers[HEADER])
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    return Status(201, ticket)


@api.get("/audit", response=list[AuditOut])
@paginate(CursorPagination, ordering=("-at", "-id"))
def list_audit(request: HttpRequest):
    return AuditEntry.objects.all()


@csrf_exempt
def outside_api(request: HttpRequest) -> JsonResponse:
    """A mutating endpoint outside /api/: the middleware leaves it alone."""
    return JsonResponse({"id": _new_ticket().pk}, status=201)


urlpatterns = [
    path("api/test/", api.urls),
    path("outside/tickets", outside_api),
]
