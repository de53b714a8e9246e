"""Kernel layer, HTTP: platform administration endpoints (flags, audit)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, get_type_hints

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from deltacrown.kernel import audit, flags
from deltacrown.kernel.models import AuditEntry
from deltacrown.kernel.pagination import CursorPagination
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
