"""Competition app, selectors layer: who holds which role on a match.

The role resolver for the object type ``"match"`` (registered with ``kernel.permissions`` in
``AppConfig.ready``): ``organizer`` and ``moderator`` follow the tournament's staff (the
match's coordinator also counts as a moderator of the match); ``captain`` is whoever acts for
a side (a solo entrant, a team's current captain); ``player`` is everyone entered on a side.
Platform admins are let through by the kernel, not here.
"""

from __future__ import annotations

from typing import Any

from deltacrown.apps.competition.data import MATCH_OBJECT_TYPE
from deltacrown.apps.competition.models import Match
from deltacrown.apps.competition.services.common import acts_for, plays_for
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel.permissions import Role

OBJECT_TYPE = MATCH_OBJECT_TYPE


def has_match_role(user_id: int, role: Role, obj_id: Any) -> bool:
    """Whether ``user_id`` holds ``role`` on the match ``obj_id`` (False for unknown ids)."""
    try:
        match_id = int(obj_id)
    except (TypeError, ValueError):
        return False
    match = Match.objects.filter(pk=match_id).only("pk", "tournament_id", "coordinator_id").first()
    if match is None:
        return False
    if role is Role.ORGANIZER:
        return tournaments.is_organizer(user_id, match.tournament_id)
    if role is Role.MODERATOR:
        return match.coordinator_id == user_id or tournaments.is_staff_of(
            user_id, match.tournament_id
        )
    sides = [s.participant for s in match.slots.select_related("participant")]
    check = acts_for if role is Role.CAPTAIN else plays_for
    return any(p is not None and check(p, user_id) for p in sides)
