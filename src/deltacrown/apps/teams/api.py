"""Teams app, public interface: what other apps may import from teams.

Other apps (registrations, competition, the web app) import only this module and ``data``.
Functions take and return ids and ``data`` objects, never model instances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from deltacrown.apps.games import api as games
from deltacrown.apps.teams import roster_lock, selectors, services
from deltacrown.apps.teams.data import InvitationRef, SentInvitationRef, TeamRef
from deltacrown.kernel.permissions import Role

__all__ = [
    "DEMO_GAME_SLUG",
    "DEMO_TEAMS",
    "invitations_for",
    "invitations_sent",
    "is_captain",
    "member_ids",
    "register_roster_lock_check",
    "seed_demo",
    "seed_demo_rosters",
    "team_get",
    "team_refs",
    "teams_of",
    "user_team_id",
]

DEMO_GAME_SLUG = "valorant"
# (name, tag) of the demo teams, filled in this order from the players given to ``seed_demo``.
DEMO_TEAMS: tuple[tuple[str, str], ...] = (("Northern Lights", "NL"), ("Crimson Tide", "CRT"))


def team_get(team_id: int) -> TeamRef:
    """The team with ``team_id``, disbanded ones included; raises 404 ``team_not_found``."""
    return selectors.team_ref(selectors.team_get(team_id=team_id))


def team_refs(team_ids: Iterable[int]) -> dict[int, TeamRef]:
    """The existing teams among ``team_ids``, by id (unknown ids are absent)."""
    return selectors.team_refs(team_ids=team_ids)


def teams_of(user_id: int) -> list[TeamRef]:
    """The active teams ``user_id`` plays for (at most one per game), with their rosters."""
    ids = selectors.team_ids_of(user_id=user_id)
    found = selectors.team_refs(team_ids=ids)
    return [found[team_id] for team_id in ids if team_id in found]


def invitations_for(user_id: int) -> list[InvitationRef]:
    """The invitations waiting for ``user_id``'s answer (pending, not expired), newest first."""
    rows = selectors.invitation_list_for_user(user_id=user_id).select_related("team")
    return [
        InvitationRef(
            id=row.pk,
            team_id=row.team_id,
            team_name=row.team.name,
            game_id=row.team.game_id,
            expires_at=row.expires_at,
        )
        for row in rows.order_by("-id")
    ]


def invitations_sent(team_id: int) -> list[SentInvitationRef]:
    """The team's invitations still waiting for an answer (pending, not expired), newest
    first. No permission check: show them to the captain only."""
    rows = selectors.invitation_list_for_team(team_id=team_id)
    return [
        SentInvitationRef(id=row.pk, user_id=row.user_id, expires_at=row.expires_at)
        for row in rows.order_by("-id")
    ]


def is_captain(user_id: int, team_id: int) -> bool:
    """Whether ``user_id`` captains ``team_id`` now (a disbanded team has no captain)."""
    return selectors.has_team_role(user_id, Role.CAPTAIN, team_id)


def member_ids(team_id: int) -> tuple[int, ...]:
    """The roster's user ids, captain first; raises 404 ``team_not_found``.

    For a disbanded team: the roster at the moment it was disbanded.
    """
    return selectors.member_ids(team=selectors.team_get(team_id=team_id))


def user_team_id(user_id: int, game_id: int) -> int | None:
    """The active team ``user_id`` plays for in ``game_id`` (a player has at most one)."""
    return selectors.active_team_id(user_id=user_id, game_id=game_id)


def register_roster_lock_check(fn: Callable[[int], str | None]) -> Callable[[], None]:
    """Make every roster change ask ``fn(team_id)`` first; returns a function removing it.

    ``fn`` returns why the roster is locked ("tournament 42 is live") or None. While it gives
    a reason, inviting, accepting, removing, leaving, transferring the captaincy and disbanding
    fail with 409 ``roster_locked`` carrying that reason. ``fn`` runs inside the roster change's
    transaction, with the team row locked: it may read, never write. Register it from
    ``AppConfig.ready``; registering the same function again is a no-op.
    """
    return roster_lock.register(fn)


def seed_demo(player_ids: list[int]) -> list[int]:
    """Create the demo teams of ``DEMO_GAME_SLUG`` from ``player_ids``; returns their ids.

    The players are split into ``DEMO_TEAMS`` in order: the first of each group founds and
    captains the team, the others are invited and accept (up to the roster limit). Players who
    already play for a team of the game are skipped. Idempotent: a demo team that already
    exists is returned as it is.
    """
    game = games.game_get_by_slug(DEMO_GAME_SLUG)
    team_size, max_substitutes = games.roster_limits(game.id)
    free = [pid for pid in dict.fromkeys(player_ids) if user_team_id(pid, game.id) is None]
    size = -(-len(free) // len(DEMO_TEAMS)) if free else 0
    return seed_demo_rosters(
        DEMO_GAME_SLUG,
        [
            (name, tag, free[index * size : (index + 1) * size][: team_size + max_substitutes])
            for index, (name, tag) in enumerate(DEMO_TEAMS)
        ],
    )


def seed_demo_rosters(
    game_slug: str, rosters: Sequence[tuple[str, str, Sequence[int]]]
) -> list[int]:
    """Create demo teams of the game ``game_slug`` with the given rosters; returns their ids.

    Each roster is (name, tag, member ids, captain first): the captain founds the team, invites
    the others and they accept. Idempotent: a team of the game with that name already is
    returned as it is (its roster untouched); an empty roster of a missing team makes none.
    """
    game = games.game_get_by_slug(game_slug)
    team_ids: list[int] = []
    for name, tag, members in rosters:
        existing = selectors.team_find(game_id=game.id, name=name)
        if existing is not None:
            team_ids.append(existing.pk)
            continue
        if not members:
            continue
        captain, *players = members
        with transaction.atomic():
            team = services.team_create(actor_id=captain, game_id=game.id, name=name, tag=tag)
            for player in players:
                invitation = services.invitation_create(
                    actor_id=captain, team_id=team.pk, user_id=player
                )
                services.invitation_accept(actor_id=player, invitation_id=invitation.pk)
        team_ids.append(team.pk)
    return team_ids
