"""Realtime app: Django application config; feeds the process's hub from the event log."""

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "deltacrown.apps.realtime"
    label = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from deltacrown.apps.realtime.hub import hub
        from deltacrown.kernel import events

        if not getattr(self, "_subscribed", False):
            # ready() can run more than once in tests; one subscription.
            events.subscribe(hub.dispatch)
            self._subscribed = True
