"""Moderation app: Django application config; plugs the enforcement gates into the kernel."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "deltacrown.apps.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from deltacrown.apps.moderation import enforcement
        from deltacrown.apps.moderation.data import user_stream
        from deltacrown.kernel import gates

        # From here on every gate in the lower apps (registration, check-in, team invitations,
        # result reports, WebSocket connect and messages) is answered by the sanctions.
        gates.register_policy(enforcement.decide)
        # A sanction created or revoked is an event on the user's stream: live connections
        # follow it and ask their gate again at once.
        gates.register_standing_stream(user_stream)
