"""Accounts app: Django application config."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "deltacrown.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"
