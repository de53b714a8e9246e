"""Teams app, services layer: every write to teams, rosters and invitations.

Split by concept (teams, invitations, members); this package re-exports the services so callers
write ``services.invitation_accept(...)``. Every service takes the acting user's id, runs in one
transaction, checks permission and state under the team's row lock and publishes its events on
``team:<id>``. Logs carry ids only.
"""

from __future__ import annotations

from deltacrown.apps.teams.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_revoke,
    invitations_expire_due,
)
from deltacrown.apps.teams.services.members import captain_transfer, member_leave, member_remove
from deltacrown.apps.teams.services.teams import team_create, team_disband, team_update

__all__ = [
    "captain_transfer",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_revoke",
    "invitations_expire_due",
    "member_leave",
    "member_remove",
    "team_create",
    "team_disband",
    "team_update",
]
