"""Kernel layer, HTTP: platform administration endpoints (flags, audit, event log integrity)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, get_type_hints

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from deltacrown.kernel import audit, flags, integrity
from deltacrown.kernel.data import Problem, ProblemKind
from deltacrown.kernel.errors import ValidationFailed, field_error
from deltacrown.kernel.models import AuditEntry
from deltacrown.kernel.pagination import CursorPagination, decode_cursor, encode_cursor
from deltacrown.kernel.permissions import require_platform_admin

router = Router(tags=["admin"])


class FlagOut(Schema):
    name: str
    type: Literal["bool", "int", "str"]
    value: bool | int | str
    default: bool | int | str
    source: Literal["default", "settings", "env"]
    description: str


class FlagList(Schema):
    items: list[FlagOut]


@router.get("/flags", response=FlagList, summary="List feature flags")
def list_flags(request: HttpRequest) -> dict[str, list[flags.FlagState]]:
    """Every feature flag with its current value, default and where the value came from."""
    require_platform_admin(request.auth)  # type: ignore[attr-defined]
    return {"items": flags.all()}


class AuditEntryOut(Schema):
    id: int
    actor_id: int | None
    action: str
    target_type: str
    target_id: str
    data: dict[str, Any]
    at: datetime
    request_id: str


class AuditFilters(Schema):
    actor_id: int | None = None
    action: str | None = Field(None, max_length=64)
    target_type: str | None = Field(None, max_length=64)
    target_id: str | None = Field(None, max_length=64)
    since: datetime | None = Field(None, description="Entries at or after (ISO 8601; UTC if naive)")
    until: datetime | None = Field(None, description="Entries before (ISO 8601; UTC if naive)")


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _resolved_annotations(view: Callable[..., Any]) -> Callable[..., Any]:
    """Evaluate the view's annotations here: ``@paginate`` wraps the view in a function of
    ninja's own module, where the string annotations of this module cannot be resolved."""
    view.__annotations__ = get_type_hints(view, include_extras=True)
    return view


@router.get("/audit", response=list[AuditEntryOut], summary="List audit entries")
@paginate(CursorPagination, ordering=("-id",))
@_resolved_annotations
def list_audit(request: HttpRequest, filters: Query[AuditFilters]) -> QuerySet[AuditEntry]:
    """The audit trail, newest first, filtered by actor, action, target and time window."""
    require_platform_admin(getattr(request, "auth", None))
    return audit.entries(
        actor_id=filters.actor_id,
        action=filters.action,
        target_type=filters.target_type,
        target_id=filters.target_id,
        since=_aware(filters.since),
        until=_aware(filters.until),
    )


class IntegrityQuery(Schema):
    cursor: str | None = Field(None, description="Opaque cursor from a previous page")
    limit: int = Field(
        25, ge=1, le=integrity.PAGE_STREAMS_MAX, description="Most streams verified in this page"
    )


class IntegrityProblemOut(Schema):
    kind: ProblemKind
    seq: int = Field(description="Where: the first missing or broken seq")
    detail: str
    warning: bool = Field(description="true: the chain itself is intact (head_mismatch)")


class IntegrityStreamOut(Schema):
    stream: str
    ok: bool
    head_seq: int = Field(description="The stream head's seq when the scan ended")
    last_seq: int = Field(description="The seq of the last event found")
    events: int = Field(description="Events checked")
    verified_seq: int = Field(description="The chain is intact up to this seq")
    verified_hash: str
    problems: list[IntegrityProblemOut]


class IntegritySummaryOut(Schema):
    ok: bool = Field(description="Every stream of this page is intact")
    streams_checked: int
    events_checked: int
    broken_streams: int = Field(description="Streams whose chain is broken")
    warned_streams: int = Field(description="Streams with an intact chain but a warning")
    complete: bool = Field(description="This page reached the end of the log")


class IntegrityPageOut(Schema):
    items: list[IntegrityStreamOut]
    summary: IntegritySummaryOut
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next streams")


def _problem(problem: Problem, *, warning: bool) -> dict[str, Any]:
    return {"kind": problem.kind, "seq": problem.seq, "detail": problem.detail, "warning": warning}


def _stream_after(cursor: str | None) -> str | None:
    if not cursor:
        return None
    (stream,) = decode_cursor(cursor, 1)
    if not isinstance(stream, str):
        raise ValidationFailed(
            "The cursor is not one this endpoint issued.",
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid_cursor", "Malformed or foreign cursor.")],
        )
    return stream


@router.get("/integrity", response=IntegrityPageOut, summary="Verify the event log's chains")
def verify_integrity(request: HttpRequest, query: Query[IntegrityQuery]) -> dict[str, Any]:
    """Recompute the hash chains of the next ``limit`` streams (in name order) from their
    events, like ``deltacrown verify-integrity``: per stream the head seq, the events checked
    and the first chain break (gap, duplicate seq, reordering, prev_hash or hash mismatch)
    plus warnings. A page also ends once about 100,000 events were checked, so one request
    stays short however large the log is; follow ``next_cursor`` until it is null."""
    require_platform_admin(getattr(request, "auth", None))
    page = integrity.verify_page(
        after=_stream_after(query.cursor),
        max_streams=query.limit,
        max_events=integrity.PAGE_EVENTS_BUDGET,
    )
    items = []
    broken = warned = events = 0
    for check in page.checks:
        report = check.report
        problems = [_problem(report.problem, warning=False)] if report.problem else []
        problems += [_problem(found, warning=True) for found in report.warnings]
        broken += report.problem is not None
        warned += report.problem is None and bool(report.warnings)
        events += report.events
        items.append(
            {
                "stream": report.stream,
                "ok": report.ok,
                "head_seq": check.head_seq,
                "last_seq": check.last_seq,
                "events": report.events,
                "verified_seq": report.verified_seq,
                "verified_hash": report.verified_hash,
                "problems": problems,
            }
        )
    return {
        "items": items,
        "summary": {
            "ok": broken == 0 and warned == 0,
            "streams_checked": len(items),
            "events_checked": events,
            "broken_streams": broken,
            "warned_streams": warned,
            "complete": page.next_after is None,
        },
        "next_cursor": encode_cursor([page.next_after]) if page.next_after else None,
    }
