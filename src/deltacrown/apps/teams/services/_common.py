"""Teams app, services layer: the checks and steps that every team write shares.

Every roster change locks the team row first (``team_lock``) and decides under that lock, so
concurrent invitations, acceptances and departures of one team queue up instead of racing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.accounts.data import UserRef
from deltacrown.apps.teams import errors, roster_lock
from deltacrown.apps.teams.data import (
    TEAM_INVITE_EXPIRED,
    TEAM_OBJECT_TYPE,
    InvitationStatus,
    team_stream,
)
from deltacrown.apps.teams.models import Invitation, Team
from deltacrown.kernel import audit, events, permissions
from deltacrown.kernel.errors import ValidationFailed, field_error
from deltacrown.kernel.permissions import Role

NAME_MIN, NAME_MAX = 2, 64
TAG_MIN, TAG_MAX = 2, 5


def actor_get(actor_id: int) -> UserRef:
    """The user acting; 404 ``user_not_found`` if the id names nobody."""
    return accounts.user_get(actor_id)


def team_lock(team_id: int) -> Team:
    """The team row, locked until the caller's transaction ends; 404 ``team_not_found``.

    Must run inside ``transaction.atomic()``.
    """
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None:
        raise errors.TeamNotFound("No such team.")
    return team


def require_active(team: Team) -> None:
    """409 ``team_disbanded`` for a disbanded team."""
    if not team.is_active:
        raise errors.TeamDisbanded("This team has been disbanded.")


def require_captain(actor: UserRef, team: Team) -> bool:
    """403 ``role_required`` unless ``actor`` is the captain or staff; True when acting as staff."""
    permissions.require_role(actor, Role.CAPTAIN, TEAM_OBJECT_TYPE, team.pk)
    return team.captain_id != actor.id


def require_unlocked(team: Team) -> None:
    """409 ``roster_locked`` with the reason while a registered check locks the roster."""
    roster_lock.ensure_unlocked(team.pk)


def publish(team_id: int, name: str, data: dict[str, Any]) -> None:
    events.publish(team_stream(team_id), name, {"team_id": team_id, **data})


def audit_team(action: str, actor: UserRef, team_id: int, data: dict[str, Any]) -> None:
    audit.record(
        action=action, target_type=TEAM_OBJECT_TYPE, target_id=team_id, data=data, actor_id=actor.id
    )


def invitation_expire(invitation: Invitation) -> None:
    """Mark a pending invitation past its deadline as expired (the row must be locked)."""
    invitation.status = InvitationStatus.EXPIRED.value
    invitation.responded_at = invitation.expires_at
    invitation.save(update_fields=["status", "responded_at"])
    publish(
        invitation.team_id,
        TEAM_INVITE_EXPIRED,
        {"invitation_id": invitation.pk, "user_id": invitation.user_id},
    )


def _has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch).startswith("C") for ch in value)


def clean_name(name: str) -> str:
    """``name`` without surrounding or repeated whitespace; 422 when it is unusable."""
    cleaned = " ".join(name.split())
    if not NAME_MIN <= len(cleaned) <= NAME_MAX or _has_control_chars(cleaned):
        raise ValidationFailed(
            "The team name is invalid.",
            errors=[
                field_error(
                    "name", "invalid", f"Use {NAME_MIN} to {NAME_MAX} printable characters."
                )
            ],
        )
    return cleaned


def clean_tag(tag: str) -> str:
    """``tag`` trimmed; empty, or 2 to 5 letters and digits; 422 otherwise."""
    cleaned = tag.strip()
    if cleaned and not (TAG_MIN <= len(cleaned) <= TAG_MAX and cleaned.isalnum()):
        raise ValidationFailed(
            "The team tag is invalid.",
            errors=[
                field_error("tag", "invalid", f"Use {TAG_MIN} to {TAG_MAX} letters and digits.")
            ],
        )
    return cleaned
