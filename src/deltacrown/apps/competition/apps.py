"""Competition app: Django application config; plugs the match role resolver into the kernel."""

from django.apps import AppConfig


class CompetitionConfig(AppConfig):
    name = "deltacrown.apps.competition"
    label = "competition"
    verbose_name = "Competition"

    def ready(self) -> None:
        from deltacrown.apps.competition import roles
        from deltacrown.kernel import permissions

        permissions.register_role_resolver(roles.OBJECT_TYPE, roles.has_match_role)
