"""Teams app, Django admin: teams with their rosters, and invitations, for staff to inspect.

Teams, rosters and invitations change only through the services (which validate, check the
roster limit and lock, publish events and audit), so here they are read-only; staff disband
teams with the admin action, which calls the service as themselves, and make other changes
through the API, where staff can act as any team's captain.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from deltacrown.apps.teams import services
from deltacrown.apps.teams.models import Invitation, Membership, Team
from deltacrown.kernel.errors import DomainError


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "joined_at", "left_at", "left_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("left_at", "joined_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class InvitationInline(admin.TabularInline):
    model = Invitation
    fk_name = "team"
    fields = ("user", "invited_by", "status", "created_at", "expires_at", "responded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ActiveFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Active"), ("no", "Disbanded")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Team]) -> QuerySet[Team]:
        if self.value() == "yes":
            return queryset.filter(disbanded_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(disbanded_at__isnull=False)
        return queryset


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "tag", "game", "captain", "member_count", "created_at", "disbanded_at")
    list_filter = (ActiveFilter, "game", "created_at")
    search_fields = ("name", "tag", "=id")
    list_select_related = ("game", "captain")
    readonly_fields = (
        "name",
        "tag",
        "game",
        "captain",
        "created_at",
        "updated_at",
        "disbanded_at",
    )
    inlines = (MembershipInline, InvitationInline)
    actions = ("disband",)
    ordering = ("-id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True))
            )
        )

    @admin.display(description="members", ordering="_member_count")
    def member_count(self, obj: Team) -> int:
        return obj._member_count  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a team needs a founding captain: created through the API

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # disbanding is soft; history keeps the row

    @admin.action(description="Disband the selected teams")
    def disband(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        done = failed = 0
        for team_id in queryset.filter(disbanded_at__isnull=True).values_list("pk", flat=True):
            try:
                services.team_disband(actor_id=request.user.pk, team_id=team_id)
                done += 1
            except DomainError:
                failed += 1
        self.message_user(request, f"Disbanded {done} team(s).", messages.SUCCESS)
        if failed:
            self.message_user(
                request, f"{failed} team(s) could not be disbanded (roster locked).", messages.ERROR
            )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("id", "team", "user", "invited_by", "status", "created_at", "expires_at")
    list_filter = ("status", "team__game", "created_at", "expires_at")
    search_fields = ("=id", "team__name", "=user__id")
    list_select_related = ("team", "user", "invited_by")
    readonly_fields = (
        "team",
        "user",
        "invited_by",
        "status",
        "created_at",
        "expires_at",
        "responded_at",
    )
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("id", "team", "user", "game", "joined_at", "left_at", "left_reason")
    list_filter = ("left_reason", "game", "joined_at", "left_at")
    search_fields = ("team__name", "=user__id", "=team__id")
    list_select_related = ("team", "user", "game")
    readonly_fields = ("team", "user", "game", "joined_at", "left_at", "left_reason")
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
