"""Registrations app, models layer: registrations, their player entries, fee payments and the
per-tournament ledger row that serialises every capacity decision.

The database repeats the invariants that concurrent requests could otherwise break: a player is
entered at most once per tournament (``Entry``, also across teams), an in-game id is entered at
most once per tournament, a team holds at most one active registration per tournament, and the
arrival numbers handed out under the ledger lock are unique per tournament.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from deltacrown.apps.registrations.data import (
    ACTIVE_STATES,
    ParticipantKind,
    PaymentState,
    RegistrationState,
)


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


_ACTIVE = [state.value for state in ACTIVE_STATES]


class TournamentLedger(models.Model):
    """One row per tournament that has registrations: the lock every registration decision of
    the tournament takes (``select_for_update``), the arrival counter that orders them, and
    when check-in was closed (after which no-shows are settled and nothing is promoted)."""

    tournament = models.OneToOneField(
        "tournaments.Tournament", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    arrivals = models.PositiveIntegerField(default=0)
    check_in_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["tournament"],
                name="registrations_ledger_open_idx",
                condition=Q(check_in_closed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"ledger of tournament {self.tournament_id}"


class Registration(models.Model):
    """One player (solo tournaments) or one team entered in a tournament.

    ``arrival`` is the 1-based order in which the ledger lock granted registrations of the
    tournament; it decides who got a place and the order of the waitlist. ``registered_by`` is
    who submitted it (the player, or the team's captain at the time).
    """

    tournament = models.ForeignKey(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=_choices(ParticipantKind))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tournament_registrations",
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=16, choices=_choices(RegistrationState))
    arrival = models.PositiveIntegerField()
    answers = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.TextField(blank=True, default="")
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in RegistrationState]),
                name="registrations_state_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=ParticipantKind.SOLO.value, user__isnull=False, team__isnull=True)
                    | Q(kind=ParticipantKind.TEAM.value, team__isnull=False, user__isnull=True)
                ),
                name="registrations_solo_user_or_team",
            ),
            models.CheckConstraint(
                condition=Q(arrival__gte=1), name="registrations_arrival_positive"
            ),
            models.UniqueConstraint(
                fields=["tournament", "arrival"], name="registrations_arrival_unique"
            ),
            models.UniqueConstraint(
                fields=["tournament", "team"],
                name="registrations_one_active_per_team",
                condition=Q(team__isnull=False, state__in=_ACTIVE),
            ),
        ]
        indexes = [
            models.Index(fields=["tournament", "state", "arrival"], name="registrations_state_idx"),
            models.Index(fields=["team", "state"], name="registrations_team_idx"),
            models.Index(fields=["registered_by", "id"], name="registrations_registrant_idx"),
        ]

    def __str__(self) -> str:
        who = f"team {self.team_id}" if self.team_id else f"user {self.user_id}"
        return f"registration {self.pk}: {who} in tournament {self.tournament_id}"


class Entry(models.Model):
    """One player entered in a tournament through a registration, with the in-game id they
    play under (normalised). Released when the registration is cancelled or dropped.

    The unique constraints are what keeps a player (or an in-game account) in at most one
    registration of a tournament when two registrations are decided at the same moment.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="entries")
    tournament = models.ForeignKey(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    game_player_id = models.CharField(max_length=64)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(
                fields=["tournament", "user"],
                name="registrations_entry_one_per_player",
                condition=Q(released_at__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["tournament", "game_player_id"],
                name="registrations_entry_one_per_game_id",
                condition=Q(released_at__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "released_at"], name="registrations_entry_user_idx"),
            models.Index(
                fields=["registration", "released_at"], name="registrations_entry_reg_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in registration {self.registration_id}"


class Payment(models.Model):
    """The external entry fee of one registration and the proof its registrant uploaded.

    ``amount`` and ``currency`` are the tournament's fee when the registration was made. The
    proof file lives in private storage (``PRIVATE_MEDIA_ROOT``) under a random name; only its
    storage name, detected kind and size are kept here. Reasons are shown to the registrant and
    the tournament's staff only, never published.
    """

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="payment"
    )
    tournament = models.ForeignKey(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=16, choices=_choices(PaymentState), default=PaymentState.PENDING.value
    )
    amount = models.BigIntegerField()  # minor units
    currency = models.CharField(max_length=3)

    proof_file = models.CharField(max_length=255, blank=True, default="")
    proof_kind = models.CharField(max_length=8, blank=True, default="")
    proof_content_type = models.CharField(max_length=64, blank=True, default="")
    proof_size = models.PositiveIntegerField(default=0)
    submissions = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reject_reason = models.TextField(blank=True, default="")
    refunded_at = models.DateTimeField(null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refund_reason = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in PaymentState]),
                name="registrations_payment_state_known",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="registrations_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(state=PaymentState.PENDING.value) | ~Q(proof_file=""),
                name="registrations_payment_proof_unless_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["tournament", "state"], name="registrations_pay_state_idx"),
        ]

    def __str__(self) -> str:
        return f"payment {self.pk} of registration {self.registration_id}"
