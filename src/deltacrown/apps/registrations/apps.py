"""Registrations app: Django application config; plugs registrations into the kernel and the
lower apps (role questions, private-tournament readers, roster locks, tournament events)."""

from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "deltacrown.apps.registrations"
    label = "registrations"
    verbose_name = "Registrations"

    def ready(self) -> None:
        from deltacrown.apps.registrations import selectors, subscribers
        from deltacrown.apps.registrations.data import REGISTRATION_OBJECT_TYPE
        from deltacrown.apps.teams import api as teams
        from deltacrown.apps.tournaments import api as tournaments
        from deltacrown.kernel import events, permissions

        permissions.register_role_resolver(
            REGISTRATION_OBJECT_TYPE, selectors.has_registration_role
        )
        # Only this app knows who plays: players may read the private tournaments they are in,
        # and a team's roster is frozen while it is checking in or playing.
        tournaments.register_player_check(selectors.plays_in)
        teams.register_roster_lock_check(selectors.roster_lock_reason)
        if not getattr(self, "_subscribed", False):
            # ready() can run more than once in tests; one subscription per handler.
            for names, handler in subscribers.SUBSCRIPTIONS:
                events.subscribe(handler, names=names)
            self._subscribed = True
