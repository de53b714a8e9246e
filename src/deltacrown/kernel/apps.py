"""Kernel layer: Django application config (models for the event log, audit, idempotency)."""

from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "deltacrown.kernel"
    label = "kernel"
    verbose_name = "Platform kernel"

    def ready(self) -> None:
        from django.conf import settings

        from deltacrown.kernel import flags
        from deltacrown.kernel.logging import configure_logging

        # settings.LOGGING_CONFIG is None: this is the one place logging gets configured.
        configure_logging(level=settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)
        # A malformed FLAG_<NAME> or FEATURE_FLAGS entry stops start-up here, not mid-request.
        flags.load()
