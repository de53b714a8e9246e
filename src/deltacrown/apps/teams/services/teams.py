"""Teams app, services layer: creating, renaming and disbanding teams.

Publishes ``team.created``, ``team.updated`` and ``team.disbanded`` on ``team:<id>``; captain and
staff actions are audited.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from deltacrown.apps.games import api as games
from deltacrown.apps.teams import errors, selectors
from deltacrown.apps.teams.data import (
    TEAM_CREATED,
    TEAM_DISBANDED,
    TEAM_INVITE_REVOKED,
    TEAM_UPDATED,
    InvitationStatus,
    LeaveReason,
)
from deltacrown.apps.teams.models import Membership, Team
from deltacrown.apps.teams.services._common import (
    actor_get,
    audit_team,
    clean_name,
    clean_tag,
    publish,
    require_active,
    require_captain,
    require_unlocked,
    team_lock,
)
from deltacrown.kernel import clock

logger = logging.getLogger("deltacrown.teams")


def _name_taken(*, game_id: int, name: str, exclude_team_id: int | None = None) -> bool:
    queryset = Team.objects.filter(game_id=game_id, name__iexact=name, disbanded_at__isnull=True)
    if exclude_team_id is not None:
        queryset = queryset.exclude(pk=exclude_team_id)
    return queryset.exists()


def _raise_if_taken(*, game_id: int, name: str, user_id: int) -> None:
    if _name_taken(game_id=game_id, name=name):
        raise errors.TeamNameTaken("Another team of this game already uses this name.")
    if selectors.active_team_id(user_id=user_id, game_id=game_id) is not None:
        raise errors.AlreadyInTeamForGame("You already play for a team in this game.")


def team_create(*, actor_id: int, game_id: int, name: str, tag: str = "") -> Team:
    """Create a team for ``game_id`` with ``actor_id`` as its captain and only member.

    422 for an invalid name or tag or a game without teams (one-against-one or retired);
    409 ``team_name_taken`` (case-insensitive, per game) or ``already_in_team_for_game``.
    """
    actor = actor_get(actor_id)
    name = clean_name(name)
    tag = clean_tag(tag)
    game = games.game_get(game_id)
    if game.mode == "solo" or not game.is_active:
        raise errors.GameWithoutTeams(
            f"{game.name} has no teams: it is played one against one or no longer offered.",
        )
    with transaction.atomic():
        _raise_if_taken(game_id=game.id, name=name, user_id=actor.id)
        now = clock.now()
        try:
            with transaction.atomic():
                team = Team.objects.create(
                    game_id=game.id,
                    name=name,
                    tag=tag,
                    captain_id=actor.id,
                    created_at=now,
                    updated_at=now,
                )
                Membership.objects.create(
                    team=team, user_id=actor.id, game_id=game.id, joined_at=now
                )
        except IntegrityError:
            # A concurrent request took the name, or put the creator on another team first.
            _raise_if_taken(game_id=game.id, name=name, user_id=actor.id)
            raise
        publish(team.pk, TEAM_CREATED, {"game_id": game.id, "captain_id": actor.id})
    logger.info("team created", extra={"team_id": team.pk, "user_id": actor.id})
    return team


def team_update(
    *, actor_id: int, team_id: int, name: str | None = None, tag: str | None = None
) -> Team:
    """Rename the team or change its tag (None leaves a field, ``""`` clears the tag).

    Captain or staff; 409 ``team_name_taken`` or ``team_disbanded``. Publishes ``team.updated``
    only when something changed.
    """
    actor = actor_get(actor_id)
    updates: dict[str, str] = {}
    if name is not None:
        updates["name"] = clean_name(name)
    if tag is not None:
        updates["tag"] = clean_tag(tag)
    with transaction.atomic():
        team = team_lock(team_id)
        require_active(team)
        as_staff = require_captain(actor, team)
        changed = sorted(field for field, value in updates.items() if getattr(team, field) != value)
        if not changed:
            return team
        if "name" in updates and _name_taken(
            game_id=team.game_id, name=updates["name"], exclude_team_id=team.pk
        ):
            raise errors.TeamNameTaken("Another team of this game already uses this name.")
        for field in changed:
            setattr(team, field, updates[field])
        team.updated_at = clock.now()
        try:
            with transaction.atomic():
                team.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            if _name_taken(game_id=team.game_id, name=team.name, exclude_team_id=team.pk):
                raise errors.TeamNameTaken(
                    "Another team of this game already uses this name."
                ) from None
            raise
        publish(team.pk, TEAM_UPDATED, {"fields": changed, "by_user_id": actor.id})
        audit_team(TEAM_UPDATED, actor, team.pk, {"fields": changed, "as_staff": as_staff})
    return team


def team_disband(*, actor_id: int, team_id: int) -> Team:
    """Disband the team: every membership ends, pending invitations are revoked.

    Captain or staff; 409 ``team_disbanded`` or ``roster_locked``. The team stays for history
    but no longer appears in lists, and its name becomes free.
    """
    actor = actor_get(actor_id)
    with transaction.atomic():
        team = team_lock(team_id)
        require_active(team)
        as_staff = require_captain(actor, team)
        require_unlocked(team)
        member_ids = disband_locked(team, by_user_id=actor.id)
        audit_team(
            TEAM_DISBANDED, actor, team.pk, {"member_ids": list(member_ids), "as_staff": as_staff}
        )
    logger.info("team disbanded", extra={"team_id": team.pk, "user_id": actor.id})
    return team


def disband_locked(team: Team, *, by_user_id: int, now: datetime | None = None) -> tuple[int, ...]:
    """Disband ``team`` (locked by the caller, checks done); returns the final roster's ids."""
    now = now or clock.now()
    member_ids = selectors.member_ids(team=team)
    team.memberships.filter(left_at__isnull=True).update(
        left_at=now, left_reason=LeaveReason.DISBANDED.value
    )
    pending = list(
        team.invitations.select_for_update()
        .filter(status=InvitationStatus.PENDING.value)
        .order_by("pk")
    )
    for invitation in pending:
        invitation.status = InvitationStatus.REVOKED.value
        invitation.responded_at = now
        invitation.save(update_fields=["status", "responded_at"])
        publish(
            team.pk,
            TEAM_INVITE_REVOKED,
            {
                "invitation_id": invitation.pk,
                "user_id": invitation.user_id,
                "revoked_by_id": by_user_id,
            },
        )
    team.disbanded_at = now
    team.updated_at = now
    team.save(update_fields=["disbanded_at", "updated_at"])
    publish(team.pk, TEAM_DISBANDED, {"member_ids": list(member_ids), "by_user_id": by_user_id})
    return member_ids
