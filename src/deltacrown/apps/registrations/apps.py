"""Registrations app: Django application config."""

from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "deltacrown.apps.registrations"
    label = "registrations"
    verbose_name = "Registrations"
