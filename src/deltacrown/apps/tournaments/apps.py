"""Tournaments app: Django application config."""

from django.apps import AppConfig


class TournamentsConfig(AppConfig):
    name = "deltacrown.apps.tournaments"
    label = "tournaments"
    verbose_name = "Tournaments"
