"""Kernel layer, Django admin: read-only views of the event log, audit trail and idempotency keys.

History is never edited through the admin: events, stream heads and audit entries are view-only
for everyone, superusers included. Idempotency records may be deleted by operators (for example
to let a client retry a key whose stored answer is wrong), never added or changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from deltacrown.kernel.models import AuditEntry, Event, IdempotencyRecord, StreamHead


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete for anyone."""

    # Counting every row of an append-only table on each page load gets slower as it grows.
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("stream", "seq", "name", "occurred_at", "short_hash")
    list_filter = ("name",)
    search_fields = ("^stream",)
    ordering = ("stream", "seq")
    readonly_fields = ("occurred_at",)

    @admin.display(description="time (UTC)", ordering="at_us")
    def occurred_at(self, obj: Event) -> str:
        return datetime.fromtimestamp(obj.at_us / 1_000_000, tz=UTC).isoformat()

    @admin.display(description="hash")
    def short_hash(self, obj: Event) -> str:
        return obj.hash[:12]


@admin.register(StreamHead)
class StreamHeadAdmin(ReadOnlyAdmin):
    list_display = ("stream", "seq", "hash", "updated_at")
    search_fields = ("^stream",)
    ordering = ("stream",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "target_type", "target_id", "actor_id", "request_id")
    list_filter = ("action", "target_type")
    search_fields = ("=target_id", "=actor_id")
    ordering = ("-id",)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("method", "path", "scope", "status_code", "created_at", "completed_at")
    list_filter = ("method", "status_code")
    search_fields = ("=key", "^path")
    ordering = ("-created_at",)
    show_full_result_count = False
    # The stored response body is bytes of any size; it is not useful on an operator's screen.
    exclude = ("response_body",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
