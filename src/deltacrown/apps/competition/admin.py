"""Competition app, Django admin: stages, matches, participants, results and disputes, for
staff to inspect.

Read-only: every change goes through the services (the ledger lock, the engine's progression,
events and audit), which staff reach through the API, where platform admins act as organizers
of every tournament. A row edited here would fall out of step with the engine's state stored on
its stage. Evidence files are never linked from here; staff download them through the
permission-checked API endpoint.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from deltacrown.apps.competition.models import (
    Dispute,
    DisputeComment,
    Match,
    MatchSlot,
    Participant,
    ResultReport,
    Stage,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """No adding, changing or deleting through the admin (so no bulk delete action either)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    list_display = ("id", "tournament", "index", "name", "format", "status", "size", "generated_at")
    list_filter = ("status", "format")
    search_fields = ("=id", "=tournament__id", "tournament__name")
    list_select_related = ("tournament",)
    readonly_fields = (
        "tournament",
        "index",
        "name",
        "format",
        "options",
        "best_of",
        "size",
        "status",
        "seeding",
        "engine",
        "standings",
        "version",
        "generated_at",
        "locked_at",
        "completed_at",
    )
    ordering = ("-id",)


class MatchSlotInline(ReadOnlyInline):
    model = MatchSlot
    fields = ("slot", "participant")
    readonly_fields = fields
    ordering = ("slot",)


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "key", "status", "stage", "tournament", "scheduled_at", "completed_at")
    list_filter = ("status", "outcome", "is_bye")
    search_fields = ("=id", "key", "=tournament__id", "tournament__name")
    list_select_related = ("stage", "tournament")
    readonly_fields = (
        "tournament",
        "stage",
        "round",
        "key",
        "position",
        "group",
        "bracket",
        "round_number",
        "number",
        "status",
        "engine_status",
        "is_bye",
        "best_of",
        "sources",
        "winner_to",
        "loser_to",
        "winner",
        "loser",
        "outcome",
        "scores",
        "result",
        "live_scores",
        "score_seq",
        "scheduled_at",
        "stream_url",
        "station",
        "coordinator",
        "started_at",
        "completed_at",
        "version",
        "updated_at",
    )
    inlines = (MatchSlotInline,)
    ordering = ("-id",)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "tournament", "seed", "status", "placement")
    list_filter = ("status",)
    search_fields = ("=id", "name", "=tournament__id", "tournament__name")
    list_select_related = ("tournament",)
    readonly_fields = (
        "tournament",
        "registration_id",
        "team",
        "user",
        "member_ids",
        "name",
        "seed",
        "rating",
        "status",
        "status_reason",
        "placement",
        "created_at",
        "updated_at",
    )
    ordering = ("-id",)


@admin.register(ResultReport)
class ResultReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "match", "participant", "status", "created_at", "auto_confirm_at")
    list_filter = ("status",)
    search_fields = ("=id", "=match__id")
    list_select_related = ("match", "participant")
    readonly_fields = (
        "match",
        "submitted_by",
        "participant",
        "payload",
        "status",
        "created_at",
        "auto_confirm_at",
        "decided_at",
        "decided_by",
    )
    ordering = ("-id",)


class DisputeCommentInline(ReadOnlyInline):
    model = DisputeComment
    fields = ("created_at", "role", "author", "participant", "body", "evidence_content_type")
    readonly_fields = fields
    ordering = ("id",)


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("id", "match", "participant", "status", "resolution", "created_at")
    list_filter = ("status", "resolution")
    search_fields = ("=id", "=match__id", "=match__tournament__id")
    list_select_related = ("match", "participant")
    readonly_fields = (
        "match",
        "report",
        "opened_by",
        "participant",
        "reason",
        "status",
        "resolution",
        "resolution_note",
        "resolved_by",
        "created_at",
        "resolved_at",
    )
    inlines = (DisputeCommentInline,)
    ordering = ("-id",)
