"""Tournaments app, background tasks: the clock-driven lifecycle transitions.

Thin: the task calls the service, which can also be run (and tested) without Huey.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from deltacrown.apps.tournaments import services


@db_periodic_task(crontab())
def advance_tournaments() -> int:
    """Every minute: open and close registration, open check-in and go live when due.

    Idempotent (conditional updates), so overlapping runs on several workers are harmless.
    """
    return services.tournaments_advance_scheduled()
