"""Tournaments app: Django application config; answers role questions about tournaments."""

from django.apps import AppConfig


class TournamentsConfig(AppConfig):
    name = "deltacrown.apps.tournaments"
    label = "tournaments"
    verbose_name = "Tournaments"

    def ready(self) -> None:
        from deltacrown.apps.tournaments import roles
        from deltacrown.kernel import permissions

        # Every app asks the kernel "is this user an organizer of tournament 7?"; this app
        # is the one that knows.
        permissions.register_role_resolver(roles.OBJECT_TYPE, roles.resolve_role)
