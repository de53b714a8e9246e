"""Accounts app, Django admin: users with their profile, and read-only views of credentials.

Credentials are never edited by hand: personal tokens and sign-ins can only be revoked (through
the services, so caches are cleared too), and no secret is ever shown, only its hash or prefix.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from deltacrown.apps.accounts import services
from deltacrown.apps.accounts.models import (
    PersonalAccessToken,
    RefreshToken,
    TokenFamily,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the platform writes: viewable, never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "country",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "country", "date_joined")
    search_fields = ("username", "display_name", "email")
    ordering = ("-date_joined",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "country", "avatar", "game_ids")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "display_name", "password1", "password2"),
            },
        ),
    )


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(ReadOnlyAdmin):
    list_display = (
        "prefix",
        "name",
        "user",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "created_at")
    search_fields = ("prefix", "name", "user__username")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "secret_hash",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke",)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PersonalAccessToken]) -> None:
        ids = list(queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        for token_id in ids:
            services.personal_token_revoke(user_id=None, token_id=token_id)
        self.message_user(request, f"Revoked {len(ids)} token(s).", messages.SUCCESS)


class RefreshTokenInline(admin.TabularInline):
    model = RefreshToken
    fields = ("jti", "issued_at", "expires_at", "used_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TokenFamily)
class TokenFamilyAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "created_at", "revoked_at", "revoke_reason")
    list_filter = ("revoke_reason", "created_at")
    search_fields = ("id", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("id", "user", "created_at", "revoked_at", "revoke_reason")
    inlines = (RefreshTokenInline,)
    actions = ("revoke",)

    @admin.action(description="Revoke the selected sign-ins")
    def revoke(self, request: HttpRequest, queryset: QuerySet[TokenFamily]) -> None:
        ids = list(queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        for family_id in ids:
            services.family_revoke(family_id=family_id)
        self.message_user(request, f"Revoked {len(ids)} sign-in(s).", messages.SUCCESS)


@admin.register(RefreshToken)
class RefreshTokenAdmin(ReadOnlyAdmin):
    list_display = ("jti", "user", "family", "issued_at", "expires_at", "used_at")
    list_filter = ("issued_at",)
    search_fields = ("jti", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("jti", "family", "user", "issued_at", "expires_at", "used_at")
