"""Teams app, services layer: roster changes — removing a member, leaving, passing captaincy.

Publishes ``team.member_removed``, ``team.member_left`` (plus ``team.disbanded`` when the last
member leaves) and ``team.captain_transferred`` on ``team:<id>``.
"""

from __future__ import annotations

import logging

from django.db import transaction

from deltacrown.apps.teams import errors, selectors
from deltacrown.apps.teams.data import (
    TEAM_CAPTAIN_TRANSFERRED,
    TEAM_MEMBER_LEFT,
    TEAM_MEMBER_REMOVED,
    TEAM_OBJECT_TYPE,
    LeaveReason,
)
from deltacrown.apps.teams.models import Membership, Team
from deltacrown.apps.teams.services._common import (
    actor_get,
    audit_team,
    publish,
    require_active,
    require_captain,
    require_unlocked,
    team_lock,
)
from deltacrown.apps.teams.services.teams import disband_locked
from deltacrown.kernel import clock, permissions
from deltacrown.kernel.permissions import Role

logger = logging.getLogger("deltacrown.teams")


def _membership(team: Team, user_id: int) -> Membership:
    membership = selectors.active_membership(team_id=team.pk, user_id=user_id)
    if membership is None:
        raise errors.MemberNotFound("This player is not on the team.")
    return membership


def _end(membership: Membership, reason: LeaveReason) -> None:
    membership.left_at = clock.now()
    membership.left_reason = reason.value
    membership.save(update_fields=["left_at", "left_reason"])


def member_remove(*, actor_id: int, team_id: int, user_id: int) -> Team:
    """Take ``user_id`` off the roster.

    Captain or staff; 404 ``member_not_found``; 409 ``team_disbanded``, ``roster_locked`` or
    ``cannot_remove_captain`` (transfer the captaincy or disband instead).
    """
    actor = actor_get(actor_id)
    with transaction.atomic():
        team = team_lock(team_id)
        require_active(team)
        as_staff = require_captain(actor, team)
        require_unlocked(team)
        if user_id == team.captain_id:
            raise errors.CannotRemoveCaptain(
                "The captain cannot be removed; transfer the captaincy or disband the team."
            )
        _end(_membership(team, user_id), LeaveReason.REMOVED)
        publish(team.pk, TEAM_MEMBER_REMOVED, {"user_id": user_id, "removed_by_id": actor.id})
        audit_team(TEAM_MEMBER_REMOVED, actor, team.pk, {"user_id": user_id, "as_staff": as_staff})
    return team


def member_leave(*, actor_id: int, team_id: int) -> Team:
    """Leave the team. The last member leaving disbands it.

    Members only (403 for others); 409 ``team_disbanded``, ``roster_locked`` or
    ``captain_must_transfer`` while the captain still has teammates.
    """
    actor = actor_get(actor_id)
    with transaction.atomic():
        team = team_lock(team_id)
        require_active(team)
        permissions.require_role(actor, Role.PLAYER, TEAM_OBJECT_TYPE, team.pk)
        require_unlocked(team)
        membership = _membership(team, actor.id)
        teammates = (
            Membership.objects.filter(team_id=team.pk, left_at__isnull=True)
            .exclude(pk=membership.pk)
            .exists()
        )
        if teammates and team.captain_id == actor.id:
            raise errors.CaptainMustTransfer(
                "Hand the captaincy to another member before leaving the team."
            )
        if teammates:
            _end(membership, LeaveReason.LEFT)
            publish(team.pk, TEAM_MEMBER_LEFT, {"user_id": actor.id})
        else:
            # The last member's membership closes with the team, keeping the final roster.
            publish(team.pk, TEAM_MEMBER_LEFT, {"user_id": actor.id})
            disband_locked(team, by_user_id=actor.id)
    logger.info("team member left", extra={"team_id": team.pk, "user_id": actor.id})
    return team


def captain_transfer(*, actor_id: int, team_id: int, user_id: int) -> Team:
    """Make ``user_id``, a current member, the captain; the old captain stays a member.

    Captain or staff; 404 ``member_not_found``; 409 ``team_disbanded``, ``roster_locked`` or
    ``already_captain``.
    """
    actor = actor_get(actor_id)
    with transaction.atomic():
        team = team_lock(team_id)
        require_active(team)
        as_staff = require_captain(actor, team)
        require_unlocked(team)
        if user_id == team.captain_id:
            raise errors.AlreadyCaptain("This player already is the captain.")
        _membership(team, user_id)
        previous = team.captain_id
        team.captain_id = user_id
        team.updated_at = clock.now()
        team.save(update_fields=["captain", "updated_at"])
        publish(
            team.pk,
            TEAM_CAPTAIN_TRANSFERRED,
            {"from_user_id": previous, "to_user_id": user_id, "by_user_id": actor.id},
        )
        audit_team(
            TEAM_CAPTAIN_TRANSFERRED,
            actor,
            team.pk,
            {"from_user_id": previous, "to_user_id": user_id, "as_staff": as_staff},
        )
    return team
