"""Moderation app, Django admin: sanctions and abuse reports for staff, with filters.

Every change goes through the services (which audit, publish and invalidate the gates' cache):
adding a sanction here calls ``sanction_create`` as the signed-in staff member; an existing
sanction is read-only except for the revocation reason, and filling it in revokes through
``sanction_revoke``. Reports are read-only; the "triage" action moves open ones on through
``report_transition``; the rest of the workflow lives in the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from deltacrown.apps.moderation import services
from deltacrown.apps.moderation.data import ReportStatus
from deltacrown.apps.moderation.models import AbuseReport, ReportNote, Sanction
from deltacrown.apps.moderation.schemas import sanction_state
from deltacrown.apps.moderation.selectors import sanction_state_q
from deltacrown.kernel import clock
from deltacrown.kernel.errors import DomainError

_ADD_FIELDS = (
    "user",
    "kind",
    "tournament",
    "starts_at",
    "ends_at",
    "reason_code",
    "note",
    "report",
)
_SHOWN_FIELDS = (
    *_ADD_FIELDS,
    "created_by",
    "created_at",
    "revoked_at",
    "revoked_by",
    "revoke_reason",
)


class SanctionStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("active", "Active"),
            ("scheduled", "Scheduled"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Sanction]) -> QuerySet[Sanction]:
        if self.value():
            return queryset.filter(sanction_state_q(self.value(), clock.now()))
        return queryset


class ScopeFilter(admin.SimpleListFilter):
    title = "scope"
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("global", "Global"), ("tournament", "One tournament")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Sanction]) -> QuerySet[Sanction]:
        if self.value() == "global":
            return queryset.filter(tournament__isnull=True)
        if self.value() == "tournament":
            return queryset.filter(tournament__isnull=False)
        return queryset


class SanctionAddForm(forms.ModelForm):
    """The service's checks that a form can make before anything is written."""

    class Meta:
        model = Sanction
        fields = _ADD_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at") or clock.now(), data.get("ends_at")
        if ends is not None and ends <= starts:
            self.add_error("ends_at", "A sanction ends after it starts.")
        elif ends is not None and ends <= clock.now():
            self.add_error("ends_at", "This sanction would be over already.")
        return data


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "kind",
        "scope",
        "reason_code",
        "starts_at",
        "ends_at",
        "state",
        "created_by",
        "revoked_at",
    )
    list_filter = (SanctionStateFilter, ScopeFilter, "kind", "reason_code", "starts_at")
    search_fields = ("=id", "=user__id", "=tournament__id")
    list_select_related = ("user", "tournament", "created_by")
    raw_id_fields = ("user", "tournament", "report")
    ordering = ("-id",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = SanctionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"starts_at": clock.now(), **super().get_changeform_initial_data(request)}

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return _ADD_FIELDS if obj is None else _SHOWN_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        if obj.revoked_at is None:
            # Filling in the reason is how a sanction is revoked here.
            return tuple(f for f in _SHOWN_FIELDS if f != "revoke_reason")
        return _SHOWN_FIELDS

    @admin.display(description="scope")
    def scope(self, obj: Sanction) -> str:
        return f"tournament {obj.tournament_id}" if obj.tournament_id else "global"

    @admin.display(description="state")
    def state(self, obj: Sanction) -> str:
        return sanction_state(obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # sanctions are history: revoke instead

    def save_model(self, request: HttpRequest, obj: Sanction, form: Any, change: bool) -> None:
        if not change:
            created = services.sanction_create(
                actor=request.user,
                user_id=obj.user_id,
                kind=obj.kind,
                reason_code=obj.reason_code,
                tournament_id=obj.tournament_id,
                starts_at=form.cleaned_data.get("starts_at"),
                ends_at=obj.ends_at,
                note=obj.note,
                report_id=obj.report_id,
            )
            # The admin goes on to log and show the row the service made.
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        reason = (form.cleaned_data.get("revoke_reason") or "").strip()
        if reason and Sanction.objects.filter(pk=obj.pk, revoked_at__isnull=True).exists():
            services.sanction_revoke(actor=request.user, sanction_id=obj.pk, reason=reason)
        obj.refresh_from_db()


class ReportNoteInline(admin.TabularInline):
    model = ReportNote
    fields = ("author", "body", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReportSanctionInline(admin.TabularInline):
    model = Sanction
    fk_name = "report"
    fields = ("user", "kind", "tournament", "starts_at", "ends_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "sanctions answering this report"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AssignedFilter(admin.SimpleListFilter):
    title = "assignment"
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("me", "Assigned to me"), ("yes", "Assigned"), ("no", "Unassigned")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AbuseReport]
    ) -> QuerySet[AbuseReport]:
        if self.value() == "me":
            return queryset.filter(assignee_id=request.user.pk)
        if self.value() == "yes":
            return queryset.filter(assignee__isnull=False)
        if self.value() == "no":
            return queryset.filter(assignee__isnull=True)
        return queryset


@admin.register(AbuseReport)
class AbuseReportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "category",
        "target_type",
        "target_id",
        "tournament",
        "status",
        "priority",
        "assignee",
        "has_evidence",
        "created_at",
    )
    list_filter = (
        "status",
        "category",
        "target_type",
        "priority",
        AssignedFilter,
        "created_at",
    )
    search_fields = ("=id", "=target_id", "=tournament__id")
    list_select_related = ("tournament", "assignee")
    readonly_fields = (
        "reporter",
        "category",
        "target_type",
        "target_id",
        "tournament",
        "description",
        "evidence_content_type",
        "evidence_size",
        "status",
        "priority",
        "assignee",
        "created_at",
        "updated_at",
        "triaged_at",
        "closed_at",
    )
    fields = readonly_fields
    inlines = (ReportNoteInline, ReportSanctionInline)
    actions = ("triage",)
    ordering = ("-id",)

    @admin.display(boolean=True, description="evidence")
    def has_evidence(self, obj: AbuseReport) -> bool:
        return bool(obj.evidence_file)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports are filed by users through the API

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Triage the selected open reports")
    def triage(self, request: HttpRequest, queryset: QuerySet[AbuseReport]) -> None:
        done = failed = 0
        open_ones = queryset.filter(Q(status=ReportStatus.OPEN.value)).values_list("pk", flat=True)
        for report_id in open_ones:
            try:
                services.report_transition(
                    actor=request.user, report_id=report_id, to=ReportStatus.TRIAGED
                )
                done += 1
            except DomainError:
                failed += 1
        self.message_user(request, f"Triaged {done} report(s).", messages.SUCCESS)
        if failed:
            self.message_user(request, f"{failed} report(s) could not be triaged.", messages.ERROR)
