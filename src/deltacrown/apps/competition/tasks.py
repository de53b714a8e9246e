"""Competition app, tasks: the periodic work of running competitions (Huey).

Every minute: confirm submitted results whose confirmation window has passed, and complete
tournaments whose last stage finished without a recorded completion (a crash between the
result and the completion). Both are idempotent and safe to run on several workers at once.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from deltacrown.apps.competition import services

logger = logging.getLogger("deltacrown.competition")


@db_periodic_task(crontab(minute="*"))
def confirm_due_results() -> int:
    """Auto-confirm due results and finish completed tournaments; returns confirmations."""
    confirmed = services.results_auto_confirm()
    finished = services.tournaments_finish_due()
    if confirmed or finished:
        logger.info(
            "competition periodic run", extra={"confirmed": confirmed, "finished": finished}
        )
    return confirmed
