"""Games app, Django admin: the game catalogue, with each game's config edited as JSON.

Saving goes through the services, so an edit in the admin is validated against the config
schema, audited and published exactly like one made through the API. Games cannot be deleted
here (tournaments keep pointing at them); deactivate a game instead.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from deltacrown.apps.games import config as game_config
from deltacrown.apps.games import services
from deltacrown.apps.games.data import GameMode, ScoreKind
from deltacrown.apps.games.models import Game


class PrettyJSONField(forms.JSONField):
    """A JSON text area that shows the stored document indented, for editing by hand."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class GameAdminForm(forms.ModelForm):
    config = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 24, "cols": 80, "spellcheck": "false"}),
        help_text="Must satisfy the schema served at /api/v1/games/config-schema.",
    )

    class Meta:
        model = Game
        fields = ("slug", "name", "is_active", "config")

    def clean_config(self) -> Any:
        value = self.cleaned_data["config"]
        found = game_config.config_errors(value)
        if found:
            raise forms.ValidationError(
                [f"{entry['field']}: {entry['message']}" for entry in found]
            )
        return value


class _ConfigChoiceFilter(admin.SimpleListFilter):
    """Filter on one key of the config document."""

    key: str
    options: tuple[tuple[str, str], ...]

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Any:
        return self.options

    def queryset(self, request: HttpRequest, queryset: QuerySet[Game]) -> QuerySet[Game]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(**{f"config__{self.key}": value})


class ModeFilter(_ConfigChoiceFilter):
    title = "mode"
    parameter_name = "mode"
    key = "mode"
    options = tuple((mode.value, mode.value.replace("_", " ")) for mode in GameMode)


class ScoreKindFilter(_ConfigChoiceFilter):
    title = "score kind"
    parameter_name = "score_kind"
    key = "score_kind"
    options = tuple((kind.value, kind.value.replace("_", " ")) for kind in ScoreKind)


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    form = GameAdminForm
    list_display = (
        "name",
        "slug",
        "mode",
        "team_size",
        "score_kind",
        "has_draft",
        "is_active",
        "config_version",
        "updated_at",
    )
    list_filter = (ModeFilter, ScoreKindFilter, "is_active")
    search_fields = ("name", "slug")
    ordering = ("name",)
    readonly_fields = ("config_version", "created_at", "updated_at")
    actions = ("activate", "deactivate")

    def get_readonly_fields(self, request: HttpRequest, obj: Game | None = None) -> Any:
        # The slug names the game in players' profiles and in URLs: fixed once created.
        return (*self.readonly_fields, "slug") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(boolean=True, description="draft")
    def has_draft(self, obj: Game) -> bool:
        return obj.has_draft

    def save_model(
        self, request: HttpRequest, obj: Game, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            created = services.game_create(
                actor=request.user,
                slug=obj.slug,
                name=obj.name,
                config=obj.config,
                is_active=obj.is_active,
            )
            obj.pk = created.pk
        else:
            services.game_update(
                actor=request.user, game_id=obj.pk, name=obj.name, is_active=obj.is_active
            )
            if "config" in form.changed_data:
                services.game_config_replace(actor=request.user, game_id=obj.pk, config=obj.config)
        obj.refresh_from_db()

    @admin.action(description="Offer the selected games for new tournaments")
    def activate(self, request: HttpRequest, queryset: QuerySet[Game]) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(description="Stop offering the selected games for new tournaments")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Game]) -> None:
        self._set_active(request, queryset, active=False)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Game], *, active: bool) -> None:
        ids = list(queryset.exclude(is_active=active).values_list("pk", flat=True))
        for game_id in ids:
            services.game_update(actor=request.user, game_id=game_id, is_active=active)
        self.message_user(request, f"Updated {len(ids)} game(s).", messages.SUCCESS)
