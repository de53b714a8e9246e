"""Kernel layer: cursor (keyset) pagination for every list endpoint.

``?cursor=&limit=`` (limit 1..100, default 25). The cursor is an opaque token holding the
ordering values of the last item returned, so pages stay stable while rows are added: no item is
skipped or repeated, unlike offset pagination. The ordering must end in a unique field (``id``).
Use as ``@paginate(CursorPagination, ordering=("-id",))`` on a Ninja operation that returns a
queryset, or call ``paginate_queryset`` directly.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from deltacrown.kernel.errors import ValidationFailed, field_error

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        decoded = datetime.fromisoformat(value["dt"])
        if decoded.tzinfo is None:
            raise ValueError("cursors carry aware datetimes only")
        return decoded
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = orjson.dumps([_encode_value(v) for v in values])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    """The ordering values in ``cursor``; a malformed cursor is a 422 ``invalid_cursor``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("wrong shape")
        return [_decode_value(v) for v in values]
    except (
        ValueError,
        TypeError,
        binascii.Error,
        orjson.JSONDecodeError,
        UnicodeEncodeError,
    ) as exc:
        raise _invalid_cursor() from exc


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        "The cursor is not one this endpoint issued.",
        code="invalid_cursor",
        errors=[field_error("cursor", "invalid_cursor", "Malformed or foreign cursor.")],
    )


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (a lexicographic keyset condition)."""
    condition = Q()
    for i, spec in enumerate(ordering):
        field = spec.lstrip("-")
        op = "lt" if spec.startswith("-") else "gt"
        step = Q(**{f"{field}__{op}": values[i]})
        for prev_spec, prev_value in zip(ordering[:i], values[:i], strict=True):
            step &= Q(**{prev_spec.lstrip("-"): prev_value})
        condition |= step
    return condition


def _value_of(item: Any, field: str) -> Any:
    for part in field.split("__"):
        item = item[part] if isinstance(item, dict) else getattr(item, part)
    return item


def paginate_queryset(
    queryset: QuerySet,
    *,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    ordering: tuple[str, ...] = ("-id",),
) -> Page:
    """One page of ``queryset`` in ``ordering`` after ``cursor``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            errors=[field_error("limit", "out_of_range", f"limit must be 1..{MAX_LIMIT}")]
        )
    qs = queryset.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor, len(ordering))
        try:
            # A well-formed cursor can still carry values of the wrong type for the ordering
            # fields (forged, or issued by another endpoint); the fields reject them here.
            qs = qs.filter(_after(ordering, values))
        except (ValueError, TypeError, DjangoValidationError) as exc:
            raise _invalid_cursor() from exc
    rows = list(qs[: limit + 1])
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor([_value_of(last, spec.lstrip("-")) for spec in ordering])
    return Page(items=items, next_cursor=next_cursor)


class CursorPagination(PaginationBase):
    """Ninja paginator: ``{"items": [...], "next_cursor": "..." | null}``."""

    class Input(Schema):
        cursor: str | None = Field(None, description="Opaque cursor from a previous page")
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page")

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")

    items_attribute = "items"

    def __init__(self, *, ordering: tuple[str, ...] = ("-id",), **kwargs: Any) -> None:
        self.ordering = ordering
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page = paginate_queryset(
            queryset, cursor=pagination.cursor, limit=pagination.limit, ordering=self.ordering
        )
        return {"items": page.items, "next_cursor": page.next_cursor}
