"""Teams app, models layer: teams, their memberships and the invitations to join them.

A team belongs to one game. Memberships are never deleted: a member who leaves, is removed or
whose team is disbanded keeps a row with ``left_at`` set, so rosters stay available for
history. The database itself enforces the invariants that concurrent requests could otherwise
break: one active team name per game (case-insensitive), one active membership per player and
game, one pending invitation per player and team.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from deltacrown.apps.teams.data import InvitationStatus, LeaveReason


class Team(models.Model):
    """A roster of players who compete together in one game, led by a captain.

    Disbanding is soft: ``disbanded_at`` is set, the team disappears from lists and its name
    becomes free again, but the row stays so that registrations and results keep their team.
    """

    game = models.ForeignKey("games.Game", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=64)
    tag = models.CharField(max_length=5, blank=True, default="")
    captain = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    disbanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "game",
                name="teams_team_name_ci_unique_per_game",
                condition=models.Q(disbanded_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["game", "disbanded_at", "id"], name="teams_team_game_idx")]

    def __str__(self) -> str:
        return f"{self.name} [{self.tag}]" if self.tag else self.name

    @property
    def is_active(self) -> bool:
        return self.disbanded_at is None


class Membership(models.Model):
    """One player's time on one team; active while ``left_at`` is empty.

    ``game`` repeats the team's game so that the database can refuse a second active team for
    the same player and game even when two invitations are accepted at the same moment.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    game = models.ForeignKey("games.Game", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    left_reason = models.CharField(
        max_length=16,
        choices=[(reason.value, reason.value.capitalize()) for reason in LeaveReason],
        blank=True,
        default="",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "game"],
                name="teams_membership_one_active_team_per_game",
                condition=models.Q(left_at__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["team", "user"],
                name="teams_membership_active_unique",
                condition=models.Q(left_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["team", "left_at"], name="teams_membership_team_idx")]

    def __str__(self) -> str:
        return f"user {self.user_id} in team {self.team_id}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class Invitation(models.Model):
    """A captain's invitation for one player to join the team, open for seven days."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=16,
        choices=[(status.value, status.value.capitalize()) for status in InvitationStatus],
        default=InvitationStatus.PENDING.value,
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                name="teams_invitation_one_pending_per_user",
                condition=models.Q(status=InvitationStatus.PENDING.value),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status", "id"], name="teams_invitation_user_idx"),
            models.Index(fields=["status", "expires_at"], name="teams_invitation_due_idx"),
            models.Index(fields=["team", "status"], name="teams_invitation_team_idx"),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}: user {self.user_id} to team {self.team_id}"
