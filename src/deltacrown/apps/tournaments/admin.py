"""Tournaments app, Django admin: tournaments, their staff and fields, and templates.

Rows are viewed here and changed only through the services (actions below), so every change
made in the admin is audited and published like one made through the API.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from deltacrown.apps.tournaments import services
from deltacrown.apps.tournaments.data import TRANSITIONS, TournamentStatus
from deltacrown.apps.tournaments.models import (
    RegistrationField,
    Tournament,
    TournamentStaff,
    TournamentTemplate,
)
from deltacrown.kernel.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows changed only through services: viewable, never added or edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class StaffInline(admin.TabularInline):
    model = TournamentStaff
    fields = ("user", "role", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RegistrationFieldInline(admin.TabularInline):
    model = RegistrationField
    fields = ("position", "key", "label", "kind", "required", "options")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("no", "Not deleted"), ("yes", "Deleted")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


@admin.register(Tournament)
class TournamentAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "game",
        "status",
        "visibility",
        "participant_kind",
        "capacity",
        "starts_at",
        "official",
        "featured",
        "organizer",
        "deleted_at",
    )
    list_filter = (
        "status",
        "visibility",
        "official",
        "featured",
        "participant_kind",
        "entry_fee_kind",
        "region",
        "format",
        "game",
        DeletedFilter,
        "starts_at",
    )
    search_fields = ("name", "slug", "description")
    list_select_related = ("game", "organizer")
    date_hierarchy = "starts_at"
    ordering = ("-id",)
    exclude = ("invite_token",)  # a secret of the organizers; never shown in the admin
    inlines = (StaffInline, RegistrationFieldInline)
    actions = ("mark_official", "unmark_official", "feature", "unfeature", "cancel")

    def _update(self, request: HttpRequest, queryset: QuerySet, **changes: bool) -> None:
        done = 0
        for tournament_id in queryset.filter(deleted_at__isnull=True).values_list("pk", flat=True):
            services.tournament_update(
                actor=request.user, tournament_id=tournament_id, changes=changes
            )
            done += 1
        self.message_user(request, f"Updated {done} tournament(s).", messages.SUCCESS)

    @admin.action(description="Mark as official")
    def mark_official(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._update(request, queryset, official=True)

    @admin.action(description="Remove the official mark")
    def unmark_official(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._update(request, queryset, official=False)

    @admin.action(description="Feature")
    def feature(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._update(request, queryset, featured=True)

    @admin.action(description="Stop featuring")
    def unfeature(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._update(request, queryset, featured=False)

    @admin.action(description="Cancel the selected tournaments")
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        cancellable = [
            status
            for status, targets in TRANSITIONS.items()
            if TournamentStatus.CANCELLED in targets
        ]
        done = failed = 0
        for tournament_id in queryset.filter(
            deleted_at__isnull=True, status__in=cancellable
        ).values_list("pk", flat=True):
            try:
                services.tournament_transition(
                    actor=request.user, tournament_id=tournament_id, to=TournamentStatus.CANCELLED
                )
                done += 1
            except DomainError:
                failed += 1
        level = messages.SUCCESS if not failed else messages.WARNING
        self.message_user(request, f"Cancelled {done}, could not cancel {failed}.", level)


@admin.register(TournamentTemplate)
class TournamentTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "scope", "owner", "usage_count", "last_used_at", "created_at")
    list_filter = ("scope", "last_used_at", "created_at")
    search_fields = ("name", "description")
    list_select_related = ("owner",)
    ordering = ("-id",)


@admin.register(TournamentStaff)
class TournamentStaffAdmin(ReadOnlyAdmin):
    list_display = ("tournament", "user", "role", "added_at")
    list_filter = ("role",)
    search_fields = ("tournament__name", "user__username")
    list_select_related = ("tournament", "user")
