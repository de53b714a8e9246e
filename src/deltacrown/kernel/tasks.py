"""Kernel layer, background tasks: periodic housekeeping of kernel tables.

Tasks are thin: each calls a plain function that can also be run (and tested) without Huey.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from deltacrown.kernel.checkpoint_files import write_checkpoint_into
from deltacrown.kernel.idempotency import purge_expired_idempotency_records


@db_periodic_task(crontab(minute="17"))
def purge_idempotency_records() -> int:
    """Hourly: delete idempotency records whose retention (``IDEMPOTENCY_TTL``) has ended.

    Expired records are already ignored when a key is reused; purging only bounds the table.
    """
    return purge_expired_idempotency_records()


@db_periodic_task(crontab(minute="5"))
def write_checkpoint() -> str | None:
    """Hourly: sign the heads of every event stream into ``CHECKPOINT_DIR`` (unless disabled)."""
    if not settings.CHECKPOINT_DIR:
        return None
    return str(write_checkpoint_into(Path(settings.CHECKPOINT_DIR), keep=settings.CHECKPOINT_KEEP))
