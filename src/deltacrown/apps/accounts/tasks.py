"""Accounts app, background tasks: password-reset mail and the purge of spent sign-ins.

Task arguments are ids only, so the queue (SQLite or Redis) never holds an email address or
a reset token; the task builds both when it runs.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from deltacrown.apps.accounts import services


@db_task(retries=3, retry_delay=60)
def send_password_reset_email(user_id: int) -> bool:
    """Mail a password-reset link to ``user_id`` (retried if the mail server is down)."""
    return services.password_reset_email_send(user_id=user_id)


@db_periodic_task(crontab(hour="4", minute="17"))
def purge_spent_tokens() -> int:
    """Daily: delete refresh tokens and sign-ins that expired more than a week ago."""
    return services.tokens_purge()
