"""Teams app, services layer: invitations — sending, accepting, declining, revoking, expiring.

Capacity rule: current members plus open invitations may not exceed the game's roster limit
(team size plus substitutes), checked under the team's row lock when inviting; accepting checks
again under the same lock that members alone stay within the limit, so two acceptances at once
can never overfill a roster. One active team per player and game is enforced by the database.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.teams import errors, selectors
from deltacrown.apps.teams.data import (
    INVITATION_LIFETIME,
    TEAM_INVITE_ACCEPTED,
    TEAM_INVITE_DECLINED,
    TEAM_INVITE_REVOKED,
    TEAM_INVITED,
    InvitationStatus,
)
from deltacrown.apps.teams.models import Invitation, Membership
from deltacrown.apps.teams.services._common import (
    actor_get,
    audit_team,
    invitation_expire,
    publish,
    require_active,
    require_captain,
    require_unlocked,
    team_lock,
)
from deltacrown.kernel import clock, gates
from deltacrown.kernel.errors import NotFound, ValidationFailed, field_error

logger = logging.getLogger("deltacrown.teams")

_PENDING = InvitationStatus.PENDING.value
EXPIRE_BATCH = 100


def _invitee_id(user_id: int | None, username: str | None) -> int:
    """The invitee's id, from exactly one of ``user_id`` and ``username``."""
    if (user_id is None) == (username is None or not username.strip()):
        raise ValidationFailed(
            errors=[
                field_error(
                    "username" if user_id is None else "user_id",
                    "one_invitee",
                    "Give the player's user id or their username, not both.",
                )
            ]
        )
    if user_id is not None:
        return user_id
    found = accounts.user_find(username or "")
    if found is None:
        raise NotFound("No player has this username.", code="user_not_found")
    return found.id


def invitation_create(
    *, actor_id: int, team_id: int, user_id: int | None = None, username: str | None = None
) -> Invitation:
    """Invite a player, by ``user_id`` or by ``username`` (exactly one), to the team; the
    invitation is open for seven days.

    Captain or staff, and the moderation gate ``team.invite`` must let the inviter through.
    422 ``validation_failed`` unless exactly one of them is given; 404 ``user_not_found``; 409
    ``team_disbanded``, ``roster_locked``, ``already_member``, ``invitation_already_pending`` or
    ``roster_full`` (members plus open invitations).
    """
    user_id = _invitee_id(user_id, username)
    actor = actor_get(actor_id)
    with transaction.atomic():
        team = team_lock(team_id)
        require_active(team)
        as_staff = require_captain(actor, team)
        gates.require(actor.id, gates.Action.TEAM_INVITE)
        require_unlocked(team)
        invitee = accounts.user_get(user_id)
        if not invitee.is_active:
            raise NotFound("No such user.", code="user_not_found")
        if selectors.active_membership(team_id=team.pk, user_id=invitee.id) is not None:
            raise errors.AlreadyMember("This player is already on the team.")
        now = clock.now()
        previous = (
            Invitation.objects.select_for_update()
            .filter(team_id=team.pk, user_id=invitee.id, status=_PENDING)
            .first()
        )
        if previous is not None:
            if previous.expires_at > now:
                raise errors.InvitationAlreadyPending(
                    "This player already has a pending invitation to the team.",
                    invitation_id=previous.pk,
                )
            invitation_expire(previous)
        limit = selectors.roster_limit(team.game_id)
        if selectors.roster_usage(team_id=team.pk, now=now) >= limit:
            raise errors.RosterFull(
                f"Members and pending invitations already fill all {limit} places.", limit=limit
            )
        invitation = Invitation.objects.create(
            team=team,
            user_id=invitee.id,
            invited_by_id=actor.id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        publish(
            team.pk,
            TEAM_INVITED,
            {"invitation_id": invitation.pk, "user_id": invitee.id, "invited_by_id": actor.id},
        )
        audit_team(
            TEAM_INVITED,
            actor,
            team.pk,
            {"invitation_id": invitation.pk, "user_id": invitee.id, "as_staff": as_staff},
        )
    return invitation


def _own_invitation(actor_id: int, invitation_id: int) -> Invitation:
    """The invitation if it is addressed to ``actor_id``; 404 for anyone else's."""
    invitation = Invitation.objects.filter(pk=invitation_id, user_id=actor_id).first()
    if invitation is None:
        raise errors.InvitationNotFound("No such invitation.")
    return invitation


def _require_pending(invitation: Invitation) -> None:
    if invitation.status != _PENDING:
        raise errors.InvitationNotPending(
            f"This invitation is already {invitation.status}.", status=invitation.status
        )


def _invitation_expired() -> errors.InvitationExpired:
    return errors.InvitationExpired(
        "This invitation has expired; ask the captain for a new one.",
        status=InvitationStatus.EXPIRED.value,
    )


def invitation_accept(*, actor_id: int, invitation_id: int) -> Invitation:
    """Join the team of an invitation addressed to ``actor_id``.

    404 ``invitation_not_found`` for anyone but the invitee; 409 ``invitation_not_pending``,
    ``roster_locked``, ``already_in_team_for_game`` or ``roster_full``; 410
    ``invitation_expired`` (the invitation is marked expired).
    """
    team_id = _own_invitation(actor_id, invitation_id).team_id
    expired = False
    with transaction.atomic():
        # Lock order: the team, then the invitation (the same order as inviting).
        team = team_lock(team_id)
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
        _require_pending(invitation)
        now = clock.now()
        if invitation.expires_at <= now:
            invitation_expire(invitation)
            expired = True
        else:
            require_active(team)
            require_unlocked(team)
            if selectors.active_team_id(user_id=actor_id, game_id=team.game_id) is not None:
                raise errors.AlreadyInTeamForGame(
                    "You already play for a team in this game; leave it first."
                )
            limit = selectors.roster_limit(team.game_id)
            members = Membership.objects.filter(team_id=team.pk, left_at__isnull=True).count()
            if members >= limit:
                raise errors.RosterFull(f"The roster already has all {limit} players.", limit=limit)
            try:
                with transaction.atomic():
                    Membership.objects.create(
                        team=team, user_id=actor_id, game_id=team.game_id, joined_at=now
                    )
            except IntegrityError:
                # An invitation of another team of this game was accepted at the same moment.
                raise errors.AlreadyInTeamForGame(
                    "You already play for a team in this game; leave it first."
                ) from None
            invitation.status = InvitationStatus.ACCEPTED.value
            invitation.responded_at = now
            invitation.save(update_fields=["status", "responded_at"])
            publish(
                team.pk, TEAM_INVITE_ACCEPTED, {"invitation_id": invitation.pk, "user_id": actor_id}
            )
    if expired:
        # Raised after the commit: the invitation stays marked expired.
        raise _invitation_expired()
    logger.info("team invitation accepted", extra={"team_id": team_id, "user_id": actor_id})
    return invitation


def invitation_decline(*, actor_id: int, invitation_id: int) -> Invitation:
    """Turn down an invitation addressed to ``actor_id``.

    404 ``invitation_not_found`` for anyone but the invitee; 409 ``invitation_not_pending``;
    410 ``invitation_expired``.
    """
    _own_invitation(actor_id, invitation_id)
    expired = False
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
        _require_pending(invitation)
        now = clock.now()
        if invitation.expires_at <= now:
            invitation_expire(invitation)
            expired = True
        else:
            invitation.status = InvitationStatus.DECLINED.value
            invitation.responded_at = now
            invitation.save(update_fields=["status", "responded_at"])
            publish(
                invitation.team_id,
                TEAM_INVITE_DECLINED,
                {"invitation_id": invitation.pk, "user_id": actor_id},
            )
    if expired:
        raise _invitation_expired()
    return invitation


def invitation_revoke(*, actor_id: int, team_id: int, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation of the team.

    Captain or staff (403 for others); 404 ``invitation_not_found`` when the invitation is not
    the team's; 409 ``invitation_not_pending`` (expired ones included).
    """
    actor = actor_get(actor_id)
    with transaction.atomic():
        team = team_lock(team_id)
        as_staff = require_captain(actor, team)
        invitation = (
            Invitation.objects.select_for_update().filter(pk=invitation_id, team_id=team.pk).first()
        )
        if invitation is None:
            raise errors.InvitationNotFound("No such invitation.")
        status = selectors.effective_status(invitation)
        if status != InvitationStatus.PENDING:
            raise errors.InvitationNotPending(
                f"This invitation is already {status.value}.", status=status.value
            )
        invitation.status = InvitationStatus.REVOKED.value
        invitation.responded_at = clock.now()
        invitation.save(update_fields=["status", "responded_at"])
        publish(
            team.pk,
            TEAM_INVITE_REVOKED,
            {
                "invitation_id": invitation.pk,
                "user_id": invitation.user_id,
                "revoked_by_id": actor.id,
            },
        )
        audit_team(
            TEAM_INVITE_REVOKED,
            actor,
            team.pk,
            {"invitation_id": invitation.pk, "user_id": invitation.user_id, "as_staff": as_staff},
        )
    return invitation


def invitations_expire_due(*, now: datetime | None = None, batch: int = EXPIRE_BATCH) -> int:
    """Mark every pending invitation past its deadline expired; returns how many.

    Works in batches, each in its own transaction; rows another worker holds are skipped (that
    worker, or the next run, handles them). Publishes ``team.invite_expired`` for each.
    """
    now = now or clock.now()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                selectors.invitations_due(now=now).select_for_update(skip_locked=True)[:batch]
            )
            for invitation in due:
                invitation_expire(invitation)
        total += len(due)
        if len(due) < batch:
            break
    if total:
        logger.info("team invitations expired", extra={"count": total})
    return total
