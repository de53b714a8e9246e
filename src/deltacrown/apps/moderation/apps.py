"""Moderation app: Django application config; plugs the enforcement gates into the kernel."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "deltacrown.apps.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from deltacrown.apps.moderation import enforcement
        from deltacrown.kernel import gates

        # From here on every gate in the lower apps (registration, check-in, team invitations,
        # result reports, WebSocket connect and messages) is answered by the sanctions.
        gates.register_policy(enforcement.decide)
