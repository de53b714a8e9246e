"""Teams app, data layer: the frozen value objects, enums and event names other apps may use.

No Django import here: these types cross app boundaries (``api`` returns them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# The object type of teams in the kernel's permission registry (roles: captain, player).
TEAM_OBJECT_TYPE = "team"

# How long an invitation stays open before it expires.
INVITATION_LIFETIME = timedelta(days=7)

# Event names, published on the stream ``team:<id>`` (data: ids only).
TEAM_CREATED = "team.created"
TEAM_UPDATED = "team.updated"
TEAM_INVITED = "team.invited"
TEAM_INVITE_ACCEPTED = "team.invite_accepted"
TEAM_INVITE_DECLINED = "team.invite_declined"
TEAM_INVITE_REVOKED = "team.invite_revoked"
TEAM_INVITE_EXPIRED = "team.invite_expired"
TEAM_MEMBER_REMOVED = "team.member_removed"
TEAM_MEMBER_LEFT = "team.member_left"
TEAM_CAPTAIN_TRANSFERRED = "team.captain_transferred"
TEAM_DISBANDED = "team.disbanded"


def team_stream(team_id: int) -> str:
    """The event stream of one team."""
    return f"team:{team_id}"


class InvitationStatus(StrEnum):
    """Where an invitation stands; only ``pending`` ones can still change."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


class LeaveReason(StrEnum):
    """Why a membership ended."""

    LEFT = "left"
    REMOVED = "removed"
    DISBANDED = "disbanded"


class MemberRole(StrEnum):
    """A member's role on the roster, as shown on the team page."""

    CAPTAIN = "captain"
    PLAYER = "player"


@dataclass(frozen=True)
class TeamRef:
    """A team as other apps see it.

    ``member_ids`` is the current roster (captain included) of an active team; for a disbanded
    team it is the roster at the moment it was disbanded, kept for history.
    """

    id: int
    name: str
    tag: str
    game_id: int
    captain_id: int
    member_ids: tuple[int, ...]
    is_active: bool


@dataclass(frozen=True)
class InvitationRef:
    """A pending invitation as its invitee sees it: which team, and until when it is open."""

    id: int
    team_id: int
    team_name: str
    game_id: int
    expires_at: datetime


@dataclass(frozen=True)
class SentInvitationRef:
    """A pending invitation as the team's captain sees it: whom, and until when it is open."""

    id: int
    user_id: int
    expires_at: datetime
