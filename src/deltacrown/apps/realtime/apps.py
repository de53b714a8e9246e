"""Realtime app: Django application config; feeds the process's hub from the event log (through
Redis when ``REDIS_URL`` is set, so that every worker sees every process's events)."""

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "deltacrown.apps.realtime"
    label = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from django.conf import settings

        from deltacrown.apps.realtime import fanout
        from deltacrown.apps.realtime.hub import hub
        from deltacrown.kernel import events

        if not getattr(self, "_subscribed", False):
            # ready() can run more than once in tests; one subscription.
            events.subscribe(hub.dispatch)
            # With Redis, every process publishes what it commits and serving processes
            # subscribe to the streams they follow; without it, delivery stays in-process.
            fanout.configure(hub, settings.REDIS_URL)
            self._subscribed = True
