"""Games app: Django application config."""

from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "deltacrown.apps.games"
    label = "games"
    verbose_name = "Games"
