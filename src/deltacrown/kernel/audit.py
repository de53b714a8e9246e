"""Kernel layer: the audit trail — an append-only record of privileged actions.

Services call ``record(...)`` next to the write they audit, inside the same transaction, so an
action and its audit entry commit or roll back together. Entries name the actor and the target
by id only; ``data`` follows the event-data rule (ids and integers, no personal data). Entries
can never be changed or deleted through the ORM, and on PostgreSQL a trigger refuses UPDATE
and DELETE on the table (migration kernel/0002_audit_append_only).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from deltacrown.kernel import clock, context
from deltacrown.kernel.events import normalize_payload
from deltacrown.kernel.models import AuditEntry

__all__ = ["entries", "record"]

# Actions read like event names: "tournament.cancelled", "user.banned".
_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")
_TYPE_RE = re.compile(r"^[a-z][a-z0-9_.]*$")
_FIELD_MAX = 64


def record(
    *,
    action: str,
    target_type: str,
    target_id: str | int,
    data: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> None:
    """Append an audit entry for ``action`` on ``target_type``/``target_id``.

    Written with the caller's transaction. ``actor_id`` defaults to the authenticated user of
    the current request and the request id is taken from the request context, so a service
    only passes them when acting outside a request (tasks, CLI). ``data`` must satisfy
    ``deltacrown.kernel.events.normalize_payload``.
    """
    if not isinstance(action, str) or len(action) > _FIELD_MAX or not _ACTION_RE.match(action):
        raise ValueError("action must be dotted lowercase words, e.g. 'tournament.cancelled'")
    if (
        not isinstance(target_type, str)
        or len(target_type) > _FIELD_MAX
        or not _TYPE_RE.match(target_type)
    ):
        raise ValueError("target_type must be a lowercase identifier, e.g. 'tournament'")
    if isinstance(target_id, bool) or not isinstance(target_id, str | int):
        raise TypeError("target_id must be a string or an integer id")
    target = str(target_id)
    if len(target) > _FIELD_MAX:
        raise ValueError(f"target_id must be at most {_FIELD_MAX} characters")
    if actor_id is not None and (isinstance(actor_id, bool) or not isinstance(actor_id, int)):
        raise TypeError("actor_id must be an integer user id")
    payload = normalize_payload({} if data is None else data, what="audit data")

    AuditEntry.objects.create(
        actor_id=actor_id if actor_id is not None else context.current_user_id(),
        action=action,
        target_type=target_type,
        target_id=target,
        data=payload,
        at=clock.now(),
        request_id=context.current_request_id() or "",
    )


def entries(
    *,
    actor_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries matching every given filter; ``since`` is inclusive, ``until`` exclusive."""
    queryset = AuditEntry.objects.all()
    if actor_id is not None:
        queryset = queryset.filter(actor_id=actor_id)
    if action is not None:
        queryset = queryset.filter(action=action)
    if target_type is not None:
        queryset = queryset.filter(target_type=target_type)
    if target_id is not None:
        queryset = queryset.filter(target_id=target_id)
    if since is not None:
        queryset = queryset.filter(at__gte=since)
    if until is not None:
        queryset = queryset.filter(at__lt=until)
    return queryset
