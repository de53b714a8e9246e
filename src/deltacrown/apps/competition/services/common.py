"""Competition app, services layer: what every competition write shares.

**Locking.** Every write to a tournament's competition first locks that tournament's
``CompetitionLedger`` row (``ledger_lock``), then the stage and match rows it changes, and the
event stream heads last (``kernel.events``). So results, confirmations, overrides, withdrawals
and regenerations of one tournament queue up behind one lock and see each other's effects:
two confirmations of the same match cannot both complete it. Other tournaments proceed.

Also here: who the caller is in a match (a side's captain or player, the coordinator, staff),
audit and events with ids only, published on the tournament's stream and the match's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    MATCH_TRANSITIONS,
    MatchStatus,
    match_stream,
    tournament_stream,
)
from deltacrown.apps.competition.models import CompetitionLedger, Match, Participant
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor
from deltacrown.kernel import audit, events, permissions
from deltacrown.kernel.errors import PermissionDenied
from deltacrown.kernel.permissions import Role

logger = logging.getLogger("deltacrown.competition")


def actor_id(actor: Actor) -> int:
    """The acting user's id (401 for anonymous callers)."""
    permissions.require_authenticated(actor)
    if actor.id is None:
        raise ValueError("an authenticated actor without an id")
    return int(actor.id)


def ledger_lock(tournament_id: int) -> CompetitionLedger:
    """The tournament's competition ledger, created if needed, locked until the transaction
    ends. Must run inside ``transaction.atomic()`` and be the first lock the transaction takes.
    """
    locked = CompetitionLedger.objects.select_for_update()
    ledger = locked.filter(tournament_id=tournament_id).first()
    if ledger is None:
        # INSERT ... ON CONFLICT DO NOTHING, then the locked read queues behind any holder.
        CompetitionLedger.objects.bulk_create(
            [CompetitionLedger(tournament_id=tournament_id)], ignore_conflicts=True
        )
        ledger = locked.get(tournament_id=tournament_id)
    return ledger


def match_lock(match_id: int) -> Match:
    """The match row, locked (after the ledger); 404 ``match_not_found``."""
    match = Match.objects.select_for_update().filter(pk=match_id).first()
    if match is None:
        raise errors.MatchNotFound("No such match.")
    return match


# --- who the caller is ------------------------------------------------------------------------


def is_staff(actor: Actor, tournament_id: int) -> bool:
    """Organizers, moderators and platform admins of the tournament."""
    return permissions.has_role(actor, Role.MODERATOR, "tournament", tournament_id)


def is_organizer(actor: Actor, tournament_id: int) -> bool:
    """Organizers (owner, co-organizers) and platform admins."""
    return permissions.has_role(actor, Role.ORGANIZER, "tournament", tournament_id)


def can_officiate(actor: Actor, match: Match) -> bool:
    """Staff of the tournament, or the match's coordinator."""
    if (
        match.coordinator_id is not None
        and permissions.is_authenticated(actor)
        and int(actor.id) == match.coordinator_id
    ):
        return True
    return is_staff(actor, match.tournament_id)


def require_visible_tournament(actor: Actor | None, tournament_id: int) -> None:
    """404 ``tournament_not_found`` unless the caller may see the tournament."""
    tournaments.tournament_get_for(actor, tournament_id)


def require_organizer(actor: Actor, tournament_id: int) -> None:
    """404 for those who may not see the tournament, 403 ``role_required`` for the others."""
    require_visible_tournament(actor, tournament_id)
    permissions.require_role(actor, Role.ORGANIZER, "tournament", tournament_id)


def require_officiate(actor: Actor, match: Match) -> None:
    """403 ``role_required`` unless staff or the match's coordinator (404 for strangers)."""
    require_visible_tournament(actor, match.tournament_id)
    permissions.require_authenticated(actor)
    if not can_officiate(actor, match):
        raise PermissionDenied(
            "This action needs the organizer or moderator role, or to coordinate this match.",
            code="role_required",
            role="moderator",
        )


def acts_for(participant: Participant, user_id: int) -> bool:
    """Whether the user may act for the participant: the player of a solo entry, the current
    captain of a team."""
    if participant.team_id is not None:
        return teams.is_captain(user_id, participant.team_id)
    return participant.user_id == user_id


def plays_for(participant: Participant, user_id: int) -> bool:
    """Whether the user is entered on the participant (a roster member, or the solo player)."""
    if participant.user_id == user_id:
        return True
    return user_id in (participant.member_ids or [])


@dataclass(frozen=True)
class Side:
    """The caller's side in a match: the participant and its 0-based slot."""

    participant: Participant
    slot: int


def side_of(match: Match, user_id: int) -> Side | None:
    """The side of the match the user acts for (captain or solo player), if any."""
    for slot in match.slots.select_related("participant").order_by("slot"):
        participant = slot.participant
        if participant is not None and acts_for(participant, user_id):
            return Side(participant=participant, slot=slot.slot)
    return None


def require_side(actor: Actor, match: Match) -> Side:
    """The caller's side (403 ``not_in_match`` when they act for no side of the match)."""
    who = actor_id(actor)
    side = side_of(match, who)
    if side is None:
        raise errors.NotInMatch(
            "Only a side of this match (for a team, its captain) can do this.", role="captain"
        )
    return side


def require_transition(match: Match, to: MatchStatus) -> None:
    """409 ``invalid_match_transition`` with the allowed moves unless ``match`` may go to
    ``to``."""
    current = MatchStatus(match.status)
    allowed = MATCH_TRANSITIONS[current]
    if to not in allowed:
        raise errors.InvalidMatchTransition(
            f"A {current.value} match cannot move to {to.value}.",
            state=current.value,
            allowed=sorted(status.value for status in allowed),
        )


# --- audit and events -------------------------------------------------------------------------


def record(
    tournament_id: int,
    name: str,
    data: dict[str, Any],
    *,
    actor: int | None,
    match_id: int | None = None,
    audited: bool = True,
) -> None:
    """Audit ``name`` and publish it on the tournament's stream (and the match's, for match
    events). Runs in the caller's transaction; ``data`` holds ids, numbers and state names."""
    payload = {"tournament_id": tournament_id, **data}
    if audited:
        target_type, target_id = ("match", match_id) if match_id else ("tournament", tournament_id)
        audit.record(
            action=name, target_type=target_type, target_id=target_id, data=payload, actor_id=actor
        )
    events.publish(tournament_stream(tournament_id), name, payload)
    if match_id is not None:
        events.publish(match_stream(match_id), name, payload)
