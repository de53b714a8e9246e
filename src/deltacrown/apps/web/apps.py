"""Web app: Django application config."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "deltacrown.apps.web"
    label = "web"
    verbose_name = "Web pages"
