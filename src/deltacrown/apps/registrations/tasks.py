"""Registrations app, background tasks: closing check-in when tournaments start.

Thin: the task calls the service, which can also be run (and tested) without Huey.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from deltacrown.apps.registrations import services


@db_periodic_task(crontab())
def close_due_check_ins() -> int:
    """Every minute: close check-in of tournaments whose start time has passed.

    The ``tournament.live`` subscriber normally does it first; this catches tournaments whose
    event was missed (a crashed subscriber) or that are still checking in past their start.
    Idempotent, so overlapping runs on several workers are harmless.
    """
    return services.checkin_close_due()
