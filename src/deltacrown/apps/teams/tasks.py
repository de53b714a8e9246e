"""Teams app, background tasks: expiring invitations whose seven days have passed.

Past its deadline an invitation can no longer be accepted and no longer holds a roster place,
whether or not this task has run; the task records the expiry (status ``expired`` and the
``team.invite_expired`` event) so that the invitee and the captain hear about it.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from deltacrown.apps.teams import services


@db_periodic_task(crontab(minute="*/10"))
def expire_team_invitations() -> int:
    """Every ten minutes: mark pending invitations past their deadline as expired."""
    return services.invitations_expire_due()
