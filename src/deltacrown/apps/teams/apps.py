"""Teams app: Django application config."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "deltacrown.apps.teams"
    label = "teams"
    verbose_name = "Teams"
