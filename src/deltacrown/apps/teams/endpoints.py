"""Teams app, HTTP layer: teams, rosters, invitations and captaincy under ``/api/v1/teams``.

Each operation parses its input, calls one service or selector and shapes the answer. Listing
and viewing teams is public (``auth=None``); everything else takes the API-wide default
authentication. Teams are public objects, so a signed-in caller without the needed role gets
403; invitations are private to their invitee and the team's captain, so others get 404.
"""

# No ``from __future__ import annotations`` here: ``@paginate`` wraps the views in a function
# of Ninja's own module, which needs the annotations as real types, not strings.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.games import api as games
from deltacrown.apps.teams import selectors, services
from deltacrown.apps.teams.data import TEAM_OBJECT_TYPE, InvitationStatus, MemberRole
from deltacrown.apps.teams.models import Invitation, Team
from deltacrown.apps.teams.schemas import (
    CaptainIn,
    InvitationFilters,
    InvitationIn,
    InvitationOut,
    TeamCreateIn,
    TeamDetailOut,
    TeamFilters,
    TeamOut,
    TeamPatchIn,
)
from deltacrown.kernel.pagination import CursorPagination
from deltacrown.kernel.permissions import Role, require_role

router = Router(tags=["teams"])


def _detail(team: Team) -> dict[str, Any]:
    game = games.game_get(team.game_id)
    members = selectors.roster(team=team)
    users = accounts.user_refs(m.user_id for m in members)
    return {
        "id": team.pk,
        "name": team.name,
        "tag": team.tag,
        "game": {"id": game.id, "slug": game.slug, "name": game.name},
        "captain_id": team.captain_id,
        "is_active": team.is_active,
        "roster_limit": selectors.roster_limit(team.game_id),
        "members": [
            {
                "user_id": m.user_id,
                # Display names only: usernames and emails never appear on public pages.
                "display_name": users[m.user_id].public_name
                if m.user_id in users
                else f"player-{m.user_id}",
                "role": MemberRole.CAPTAIN if m.user_id == team.captain_id else MemberRole.PLAYER,
                "joined_at": m.joined_at,
            }
            for m in members
        ],
        "created_at": team.created_at,
        "disbanded_at": team.disbanded_at,
    }


def _status(value: str) -> InvitationStatus | None:
    return None if value == "all" else InvitationStatus(value)


# --- invitations addressed to me (before /{team_id} so the literal path wins) ---------------


@router.get("/invitations", response=list[InvitationOut], summary="List my team invitations")
@paginate(CursorPagination, ordering=("-id",))
def my_invitations(request: HttpRequest, filters: Query[InvitationFilters]) -> QuerySet[Invitation]:
    """Invitations addressed to me, newest first (pending ones unless ``status`` says otherwise)."""
    return selectors.invitation_list_for_user(
        user_id=request.auth.pk, status=_status(filters.status)
    ).select_related("team")


@router.post(
    "/invitations/{invitation_id}/accept", response=InvitationOut, summary="Accept an invitation"
)
def invitation_accept(request: HttpRequest, invitation_id: int) -> Invitation:
    """Join the team. 409 ``roster_full``, ``already_in_team_for_game``, ``roster_locked``;
    410 ``invitation_expired``; 404 for anyone but the invitee."""
    return services.invitation_accept(actor_id=request.auth.pk, invitation_id=invitation_id)


@router.post(
    "/invitations/{invitation_id}/decline", response=InvitationOut, summary="Decline an invitation"
)
def invitation_decline(request: HttpRequest, invitation_id: int) -> Invitation:
    """Turn the invitation down; 404 for anyone but the invitee."""
    return services.invitation_decline(actor_id=request.auth.pk, invitation_id=invitation_id)


# --- teams -----------------------------------------------------------------------------------


@router.get("", auth=None, response=list[TeamOut], summary="List teams")
@paginate(CursorPagination, ordering=("-id",))
def team_list(request: HttpRequest, filters: Query[TeamFilters]) -> QuerySet[Team]:
    """Active teams, newest first; filter by game slug, part of the name, or a member's id."""
    game_id = games.game_get_by_slug(filters.game).id if filters.game else None
    return selectors.team_list(game_id=game_id, q=filters.q, member_id=filters.member_id)


@router.post("", response={201: TeamDetailOut}, summary="Create a team")
def team_create(request: HttpRequest, payload: TeamCreateIn) -> Status:
    """Create a team for a game; I become its captain. One active team per player and game."""
    game = games.game_get_by_slug(payload.game)
    team = services.team_create(
        actor_id=request.auth.pk, game_id=game.id, name=payload.name, tag=payload.tag
    )
    return Status(201, _detail(team))


@router.get("/{team_id}", auth=None, response=TeamDetailOut, summary="Team with its roster")
def team_detail(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """The team and its roster (display names only). Disbanded teams stay viewable."""
    return _detail(selectors.team_get(team_id=team_id))


@router.patch("/{team_id}", response=TeamDetailOut, summary="Update a team")
def team_update(request: HttpRequest, team_id: int, payload: TeamPatchIn) -> dict[str, Any]:
    """Rename the team or change its tag (captain or staff); absent fields stay, a null tag
    clears it."""
    sent = payload.model_fields_set
    team = services.team_update(
        actor_id=request.auth.pk,
        team_id=team_id,
        name=payload.name if "name" in sent and payload.name is not None else None,
        tag=(payload.tag or "") if "tag" in sent else None,
    )
    return _detail(team)


@router.delete("/{team_id}", response={204: None}, summary="Disband a team")
def team_disband(request: HttpRequest, team_id: int) -> Status:
    """Disband the team (captain or staff). It stays viewable for history, leaves every list,
    and its members are free to join other teams."""
    services.team_disband(actor_id=request.auth.pk, team_id=team_id)
    return Status(204, None)


# --- a team's invitations --------------------------------------------------------------------


@router.get(
    "/{team_id}/invitations", response=list[InvitationOut], summary="List a team's invitations"
)
@paginate(CursorPagination, ordering=("-id",))
def team_invitations(
    request: HttpRequest, team_id: int, filters: Query[InvitationFilters]
) -> QuerySet[Invitation]:
    """The team's invitations, newest first (captain or staff)."""
    team = selectors.team_get(team_id=team_id)
    require_role(request.auth, Role.CAPTAIN, TEAM_OBJECT_TYPE, team.pk)
    return selectors.invitation_list_for_team(
        team_id=team.pk, status=_status(filters.status)
    ).select_related("team")


@router.post("/{team_id}/invitations", response={201: InvitationOut}, summary="Invite a player")
def invitation_create(request: HttpRequest, team_id: int, payload: InvitationIn) -> Status:
    """Invite a player by user id or username (captain or staff); open for seven days. Members
    plus pending invitations may not exceed the game's roster limit (409 ``roster_full``)."""
    invitation = services.invitation_create(
        actor_id=request.auth.pk,
        team_id=team_id,
        user_id=payload.user_id,
        username=payload.username,
    )
    return Status(201, invitation)


@router.delete(
    "/{team_id}/invitations/{invitation_id}",
    response={204: None},
    summary="Revoke an invitation",
)
def invitation_revoke(request: HttpRequest, team_id: int, invitation_id: int) -> Status:
    """Withdraw a pending invitation (captain or staff)."""
    services.invitation_revoke(
        actor_id=request.auth.pk, team_id=team_id, invitation_id=invitation_id
    )
    return Status(204, None)


# --- members and captaincy -------------------------------------------------------------------


@router.delete("/{team_id}/members/{user_id}", response={204: None}, summary="Remove a member")
def member_remove(request: HttpRequest, team_id: int, user_id: int) -> Status:
    """Take a player off the roster (captain or staff; the captain cannot be removed)."""
    services.member_remove(actor_id=request.auth.pk, team_id=team_id, user_id=user_id)
    return Status(204, None)


@router.post("/{team_id}/leave", response={204: None}, summary="Leave a team")
def member_leave(request: HttpRequest, team_id: int) -> Status:
    """Leave the team. A captain with teammates must transfer the captaincy first; the last
    member leaving disbands the team."""
    services.member_leave(actor_id=request.auth.pk, team_id=team_id)
    return Status(204, None)


@router.post("/{team_id}/captain", response=TeamDetailOut, summary="Transfer the captaincy")
def captain_transfer(request: HttpRequest, team_id: int, payload: CaptainIn) -> dict[str, Any]:
    """Make another member the captain (captain or staff); the old captain stays a member."""
    team = services.captain_transfer(
        actor_id=request.auth.pk, team_id=team_id, user_id=payload.user_id
    )
    return _detail(team)
