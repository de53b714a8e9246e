"""Teams app, errors: the typed failures of teams, rosters and invitations.

Every class has a stable ``code`` (listed in docs/teams.md and docs/errors.md).
"""

from __future__ import annotations

from deltacrown.kernel.errors import Conflict, Gone, NotFound, ValidationFailed


class TeamNotFound(NotFound):
    """No team with this id."""

    code = "team_not_found"


class InvitationNotFound(NotFound):
    """No such invitation among those the caller may see."""

    code = "invitation_not_found"


class MemberNotFound(NotFound):
    """The player is not on the team's current roster."""

    code = "member_not_found"


class GameWithoutTeams(ValidationFailed):
    """The game is played one against one (or is retired), so it has no teams."""

    code = "game_without_teams"


class TeamNameTaken(Conflict):
    """Another active team of the same game uses this name (compared case-insensitively)."""

    code = "team_name_taken"


class TeamDisbanded(Conflict):
    """The team has been disbanded; it is kept for history and cannot change."""

    code = "team_disbanded"


class AlreadyInTeamForGame(Conflict):
    """The player already plays for an active team of this game (one team per game)."""

    code = "already_in_team_for_game"


class AlreadyMember(Conflict):
    """The player is already on the team's roster."""

    code = "already_member"


class InvitationAlreadyPending(Conflict):
    """The player already holds a pending invitation to this team."""

    code = "invitation_already_pending"


class InvitationNotPending(Conflict):
    """The invitation was already accepted, declined, revoked or has expired."""

    code = "invitation_not_pending"


class InvitationExpired(Gone):
    """The invitation's seven days have passed; the captain may send a new one."""

    code = "invitation_expired"


class RosterFull(Conflict):
    """Members plus pending invitations already reach the game's roster limit."""

    code = "roster_full"


class RosterLocked(Conflict):
    """The roster cannot change now (for example while a tournament of the team is live)."""

    code = "roster_locked"


class CaptainMustTransfer(Conflict):
    """The captain must hand the captaincy to another member before leaving."""

    code = "captain_must_transfer"


class CannotRemoveCaptain(Conflict):
    """The captain cannot be removed; transfer the captaincy or disband the team."""

    code = "cannot_remove_captain"


class AlreadyCaptain(Conflict):
    """The player named as the new captain already is the captain."""

    code = "already_captain"
