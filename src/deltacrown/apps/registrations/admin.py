"""Registrations app, Django admin: registrations and entry-fee payments, for staff to inspect.

Read-only: every change goes through the services (capacity under the ledger lock, waitlist
promotion, events, audit), which staff reach through the API, where platform admins act as
organizers of every tournament. Proof files are never linked from here; staff download them
through the permission-checked API endpoint.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from deltacrown.apps.registrations.models import Entry, Payment, Registration


class ReadOnlyAdmin(admin.ModelAdmin):
    """No adding, changing or deleting through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("user", "game_player_id", "released_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentInline(admin.StackedInline):
    model = Payment
    fields = (
        "state",
        "amount",
        "currency",
        "proof_kind",
        "proof_size",
        "submissions",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "reject_reason",
        "refunded_at",
        "refund_reason",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CheckedInFilter(admin.SimpleListFilter):
    title = "checked in"
    parameter_name = "checked_in"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Checked in"), ("no", "Not checked in")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> QuerySet[Registration]:
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "tournament",
        "kind",
        "team",
        "user",
        "state",
        "arrival",
        "checked_in_at",
        "created_at",
    )
    list_filter = ("state", "kind", CheckedInFilter, "tournament", "created_at")
    search_fields = ("=id", "=tournament__id", "tournament__name", "team__name")
    list_select_related = ("tournament", "team", "user")
    readonly_fields = (
        "tournament",
        "kind",
        "user",
        "team",
        "registered_by",
        "state",
        "arrival",
        "answers",
        "created_at",
        "updated_at",
        "confirmed_at",
        "promoted_at",
        "checked_in_at",
        "checked_in_by",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "dropped_at",
    )
    inlines = (EntryInline, PaymentInline)
    ordering = ("-id",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "registration",
        "tournament",
        "state",
        "amount",
        "currency",
        "submissions",
        "submitted_at",
        "reviewed_at",
    )
    list_filter = ("state", "currency", "tournament", "submitted_at")
    search_fields = ("=id", "=registration__id", "=tournament__id", "tournament__name")
    list_select_related = ("registration", "tournament")
    readonly_fields = (
        "registration",
        "tournament",
        "state",
        "amount",
        "currency",
        "proof_kind",
        "proof_content_type",
        "proof_size",
        "submissions",
        "created_at",
        "updated_at",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "reject_reason",
        "refunded_at",
        "refunded_by",
        "refund_reason",
    )
    exclude = ("proof_file",)
    ordering = ("-id",)
