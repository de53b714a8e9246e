"""Kernel layer: running the task consumer inside the serving process (embedded mode).

In embedded mode (no REDIS_URL) ``deltacrown serve`` runs Huey's consumer in threads of its own
process, so a newcomer needs one command. The server owns the signals (Ctrl-C), so the consumer
must not install handlers of its own; the server stops it gracefully on the way out.
"""

from __future__ import annotations

from huey.consumer import Consumer


class EmbeddedConsumer(Consumer):
    """A Huey consumer that leaves signal handling to the process that embeds it."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_consumer(workers: int = 2) -> EmbeddedConsumer:
    """Start the task consumer in background threads and return it (call ``stop`` to end it)."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    consumer = EmbeddedConsumer(HUEY, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    return consumer
