"""Teams app, HTTP schemas: request and response bodies of the teams endpoints.

Schemas check shape and bounds; the services own the rules (name and tag format, uniqueness,
roster limits), so other callers of the services get the same checks. Public shapes carry
display names only, never usernames or emails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from deltacrown.apps.teams import selectors
from deltacrown.apps.teams.data import InvitationStatus, MemberRole
from deltacrown.apps.teams.models import Invitation

InvitationStatusFilter = Literal["pending", "accepted", "declined", "revoked", "expired", "all"]


class TeamCreateIn(Schema):
    game: str = Field(..., min_length=1, max_length=64, description="Game slug", examples=["cs2"])
    name: str = Field(..., min_length=1, max_length=128, examples=["Northern Lights"])
    tag: str = Field("", max_length=16, description="2 to 5 letters and digits", examples=["NL"])


class TeamPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=128)
    tag: str | None = Field(None, max_length=16, description="Empty or null clears the tag")


class TeamFilters(Schema):
    game: str | None = Field(None, max_length=64, description="Only teams of this game (slug)")
    q: str | None = Field(None, max_length=64, description="Part of the team name")
    member_id: int | None = Field(None, description="Only teams this user plays for")


class TeamOut(Schema):
    id: int
    name: str
    tag: str
    game_id: int
    captain_id: int
    member_count: int
    created_at: datetime


class TeamGameOut(Schema):
    id: int
    slug: str
    name: str


class MemberOut(Schema):
    user_id: int
    display_name: str
    role: MemberRole
    joined_at: datetime


class TeamDetailOut(Schema):
    id: int
    name: str
    tag: str
    game: TeamGameOut
    captain_id: int
    is_active: bool
    roster_limit: int = Field(..., description="Team size plus substitutes of the game")
    members: list[MemberOut]
    created_at: datetime
    disbanded_at: datetime | None


class InvitationIn(Schema):
    user_id: int | None = Field(None, description="The player to invite, by user id")
    username: str | None = Field(
        None,
        max_length=150,
        description="Or the player to invite by their username (give exactly one of the two)",
    )


class CaptainIn(Schema):
    user_id: int = Field(..., description="The member who becomes captain")


class InvitationFilters(Schema):
    status: InvitationStatusFilter = Field("pending", description="Which invitations to list")


class InvitationTeamOut(Schema):
    id: int
    name: str
    tag: str
    game_id: int


class InvitationOut(Schema):
    id: int
    team: InvitationTeamOut
    user_id: int
    invited_by_id: int | None
    status: InvitationStatus = Field(..., description="Expired once expires_at has passed")
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None

    @staticmethod
    def resolve_status(obj: Invitation) -> str:
        return selectors.effective_status(obj).value
