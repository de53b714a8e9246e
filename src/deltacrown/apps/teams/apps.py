"""Teams app: Django application config; answers the kernel's role questions about teams."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "deltacrown.apps.teams"
    label = "teams"
    verbose_name = "Teams"

    def ready(self) -> None:
        from deltacrown.apps.teams import selectors
        from deltacrown.apps.teams.data import TEAM_OBJECT_TYPE
        from deltacrown.kernel import permissions

        # Captain and player roles on teams, for every app that asks the kernel.
        permissions.register_role_resolver(TEAM_OBJECT_TYPE, selectors.has_team_role)
