"""Teams app, selectors layer: reads of teams, rosters and invitations.

An invitation whose seven days have passed counts as expired everywhere here, even before the
periodic task has marked it so: lists, filters and capacity counts agree with ``effective_status``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from deltacrown.apps.games import api as games
from deltacrown.apps.teams import errors
from deltacrown.apps.teams.data import InvitationStatus, LeaveReason, TeamRef
from deltacrown.apps.teams.models import Invitation, Membership, Team
from deltacrown.kernel import clock
from deltacrown.kernel.permissions import Role

_PENDING = InvitationStatus.PENDING.value


def team_get(*, team_id: int) -> Team:
    """The team with ``team_id`` (disbanded ones included); 404 ``team_not_found``."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise errors.TeamNotFound("No such team.")
    return team


def team_list(
    *, game_id: int | None = None, q: str | None = None, member_id: int | None = None
) -> QuerySet[Team]:
    """Active teams, optionally of one game, whose name contains ``q``, with ``member_id``.

    Each team carries ``member_count`` (its current roster size).
    """
    queryset = Team.objects.filter(disbanded_at__isnull=True)
    if game_id is not None:
        queryset = queryset.filter(game_id=game_id)
    if q:
        queryset = queryset.filter(name__icontains=q)
    if member_id is not None:
        queryset = queryset.filter(
            memberships__user_id=member_id, memberships__left_at__isnull=True
        )
    return queryset.annotate(
        member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True))
    )


def roster(*, team: Team) -> list[Membership]:
    """The team's roster, captain first, then by seniority.

    For a disbanded team: the roster at the moment it was disbanded.
    """
    if team.is_active:
        queryset = team.memberships.filter(left_at__isnull=True)
    else:
        queryset = team.memberships.filter(left_reason=LeaveReason.DISBANDED.value)
    members = list(queryset.order_by("joined_at", "id"))
    members.sort(key=lambda m: m.user_id != team.captain_id)  # stable: seniority kept
    return members


def member_ids(*, team: Team) -> tuple[int, ...]:
    """The user ids of ``roster(team=team)``, in the same order."""
    return tuple(m.user_id for m in roster(team=team))


def team_ref(team: Team) -> TeamRef:
    """The public value object for ``team``."""
    return TeamRef(
        id=team.pk,
        name=team.name,
        tag=team.tag,
        game_id=team.game_id,
        captain_id=team.captain_id,
        member_ids=member_ids(team=team),
        is_active=team.is_active,
    )


def team_refs(*, team_ids: Iterable[int]) -> dict[int, TeamRef]:
    """The existing teams among ``team_ids``, by id, with their rosters, in two queries."""
    teams = {team.pk: team for team in Team.objects.filter(pk__in={int(i) for i in team_ids})}
    rosters: dict[int, list[tuple[int, int]]] = {pk: [] for pk in teams}
    memberships = (
        Membership.objects.filter(team_id__in=teams)
        .filter(Q(left_at__isnull=True) | Q(left_reason=LeaveReason.DISBANDED.value))
        .order_by("joined_at", "id")
        .values_list("team_id", "user_id", "left_at")
    )
    for team_id, user_id, left_at in memberships:
        team = teams[team_id]
        # An active team's roster is its open memberships; a disbanded one's, those it closed.
        if (left_at is None) == team.is_active:
            rosters[team_id].append((user_id != team.captain_id, user_id))
    return {
        pk: TeamRef(
            id=pk,
            name=team.name,
            tag=team.tag,
            game_id=team.game_id,
            captain_id=team.captain_id,
            member_ids=tuple(user_id for _, user_id in sorted(rosters[pk], key=lambda r: r[0])),
            is_active=team.is_active,
        )
        for pk, team in teams.items()
    }


def team_ids_of(*, user_id: int) -> list[int]:
    """The active teams ``user_id`` plays for (one per game at most), oldest membership first."""
    return list(
        Membership.objects.filter(
            user_id=user_id, left_at__isnull=True, team__disbanded_at__isnull=True
        )
        .order_by("joined_at", "id")
        .values_list("team_id", flat=True)
    )


def team_find(*, game_id: int, name: str) -> Team | None:
    """The active team of ``game_id`` named ``name`` (case-insensitive), if any."""
    return Team.objects.filter(
        game_id=game_id, name__iexact=name.strip(), disbanded_at__isnull=True
    ).first()


def active_membership(*, team_id: int, user_id: int) -> Membership | None:
    """The user's open membership of the team, if they are on its roster."""
    return Membership.objects.filter(team_id=team_id, user_id=user_id, left_at__isnull=True).first()


def active_team_id(*, user_id: int, game_id: int) -> int | None:
    """The id of the active team the user plays for in ``game_id``, if any."""
    return (
        Membership.objects.filter(user_id=user_id, game_id=game_id, left_at__isnull=True)
        .values_list("team_id", flat=True)
        .first()
    )


def has_team_role(user_id: int, role: Role, team_id: object) -> bool:
    """Role resolver for the object type ``team`` (registered in ``TeamsConfig.ready``).

    ``captain``: the captain of an active team. ``player``: anyone on an active team's roster,
    the captain included. Disbanded teams grant no role.
    """
    try:
        team_id = int(team_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
    if role == Role.CAPTAIN:
        return Team.objects.filter(
            pk=team_id, captain_id=user_id, disbanded_at__isnull=True
        ).exists()
    if role == Role.PLAYER:
        return Membership.objects.filter(
            team_id=team_id, user_id=user_id, left_at__isnull=True, team__disbanded_at__isnull=True
        ).exists()
    return False


def effective_status(invitation: Invitation, *, now: datetime | None = None) -> InvitationStatus:
    """The invitation's status, counting a pending one past its deadline as expired."""
    status = InvitationStatus(invitation.status)
    if status == InvitationStatus.PENDING and invitation.expires_at <= (now or clock.now()):
        return InvitationStatus.EXPIRED
    return status


def _status_filter(status: InvitationStatus, now: datetime) -> Q:
    if status == InvitationStatus.PENDING:
        return Q(status=_PENDING, expires_at__gt=now)
    if status == InvitationStatus.EXPIRED:
        return Q(status=InvitationStatus.EXPIRED.value) | Q(status=_PENDING, expires_at__lte=now)
    return Q(status=status.value)


def invitation_list_for_user(
    *, user_id: int, status: InvitationStatus | None = InvitationStatus.PENDING
) -> QuerySet[Invitation]:
    """Invitations addressed to ``user_id`` (pending ones by default; None for all)."""
    queryset = Invitation.objects.filter(user_id=user_id)
    if status is not None:
        queryset = queryset.filter(_status_filter(status, clock.now()))
    return queryset


def invitation_list_for_team(
    *, team_id: int, status: InvitationStatus | None = InvitationStatus.PENDING
) -> QuerySet[Invitation]:
    """Invitations sent by the team (pending ones by default; None for all)."""
    queryset = Invitation.objects.filter(team_id=team_id)
    if status is not None:
        queryset = queryset.filter(_status_filter(status, clock.now()))
    return queryset


def roster_limit(game_id: int) -> int:
    """The most players a roster of ``game_id`` may hold: team size plus substitutes."""
    team_size, max_substitutes = games.roster_limits(game_id)
    return team_size + max_substitutes


def roster_usage(*, team_id: int, now: datetime | None = None) -> int:
    """Places taken on the team's roster: current members plus invitations still open."""
    now = now or clock.now()
    members = Membership.objects.filter(team_id=team_id, left_at__isnull=True).count()
    pending = Invitation.objects.filter(team_id=team_id, status=_PENDING, expires_at__gt=now)
    return members + pending.count()


def invitations_due(*, now: datetime) -> QuerySet[Invitation]:
    """Pending invitations whose deadline has passed, oldest first."""
    return Invitation.objects.filter(status=_PENDING, expires_at__lte=now).order_by("pk")
