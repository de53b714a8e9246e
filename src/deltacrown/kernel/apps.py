"""Kernel layer: Django application config (models for the event log, audit, idempotency)."""

from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "deltacrown.kernel"
    label = "kernel"
    verbose_name = "Platform kernel"
