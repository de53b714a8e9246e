"""Tournaments app, models layer: tournaments, their staff, registration fields and templates.

The rows hold what the services validated; the database repeats the one-row invariants that a
bug or a hand edit must never break (schedule order, fee consistency, the invite token of
private tournaments). Deleting a tournament is soft (``deleted_at``) so that registrations,
events and audit entries keep pointing at a real row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from deltacrown.apps.tournaments.data import (
    EntryFeeKind,
    FieldKind,
    ParticipantKind,
    Region,
    StaffRole,
    TemplateScope,
    TournamentStatus,
    Visibility,
)


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class Tournament(models.Model):
    """A competition in one game, run by its organizer through a fixed lifecycle.

    ``stage_plan`` is the list of stages (engine format and options) validated when it was
    saved; ``format`` repeats the first stage's format for discovery filters.
    ``check_in_opens_at`` is ``starts_at`` minus ``check_in_opens_before`` minutes, stored so
    the scheduler can find due tournaments with an index.
    """

    game = models.ForeignKey("games.Game", on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, default="")
    rules = models.TextField(blank=True, default="")
    region = models.CharField(max_length=24, choices=_choices(Region), default=Region.GLOBAL.value)
    status = models.CharField(
        max_length=24, choices=_choices(TournamentStatus), default=TournamentStatus.DRAFT.value
    )
    visibility = models.CharField(
        max_length=16, choices=_choices(Visibility), default=Visibility.PUBLIC.value
    )
    # The secret of the invite link of a private tournament; empty for other visibilities.
    invite_token = models.CharField(max_length=64, blank=True, default="")

    participant_kind = models.CharField(max_length=8, choices=_choices(ParticipantKind))
    team_size = models.PositiveSmallIntegerField()
    capacity = models.PositiveIntegerField()
    stage_plan = models.JSONField(default=list)
    format = models.CharField(max_length=32)

    entry_fee_kind = models.CharField(
        max_length=16, choices=_choices(EntryFeeKind), default=EntryFeeKind.NONE.value
    )
    entry_fee_amount = models.BigIntegerField(default=0)  # minor units
    entry_fee_currency = models.CharField(max_length=3, blank=True, default="")
    prize_pool = models.BigIntegerField(default=0)  # minor units
    prize_currency = models.CharField(max_length=3, blank=True, default="")
    prize_distribution = models.JSONField(null=True, blank=True)

    registration_opens_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    check_in_opens_before = models.PositiveIntegerField(default=30)  # minutes before start
    check_in_opens_at = models.DateTimeField()
    starts_at = models.DateTimeField()

    waitlist_promotion_on_close = models.BooleanField(default=False)
    official = models.BooleanField(default=False)
    featured = models.BooleanField(default=False)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in TournamentStatus]),
                name="tournaments_status_known",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__lt=F("registration_closes_at"))
                & Q(registration_closes_at__lte=F("check_in_opens_at"))
                & Q(check_in_opens_at__lt=F("starts_at")),
                name="tournaments_schedule_in_order",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=2) & Q(team_size__gte=1),
                name="tournaments_sizes_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(entry_fee_kind=EntryFeeKind.NONE.value, entry_fee_amount=0)
                    | Q(entry_fee_kind=EntryFeeKind.EXTERNAL.value, entry_fee_amount__gt=0)
                ),
                name="tournaments_entry_fee_consistent",
            ),
            models.CheckConstraint(
                condition=Q(prize_pool__gte=0), name="tournaments_prize_pool_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    (Q(visibility=Visibility.PRIVATE.value) & ~Q(invite_token=""))
                    | (~Q(visibility=Visibility.PRIVATE.value) & Q(invite_token=""))
                ),
                name="tournaments_invite_token_iff_private",
            ),
        ]
        indexes = [
            models.Index(
                fields=["visibility", "status", "starts_at"],
                name="tournaments_discovery_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["status", "starts_at"], name="tournaments_status_start_idx"),
            models.Index(
                fields=["starts_at", "id"],
                name="tournaments_featured_idx",
                condition=Q(featured=True, deleted_at__isnull=True),
            ),
            models.Index(fields=["organizer", "id"], name="tournaments_organizer_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class TournamentStaff(models.Model):
    """A co-organizer (edits everything but the staff list) or a moderator of a tournament."""

    tournament = models.ForeignKey(Tournament, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=_choices(StaffRole))
    added_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "tournament staff"
        constraints = [
            models.UniqueConstraint(
                fields=["tournament", "user"], name="tournaments_staff_one_role_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="tournaments_staff_user_idx")]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id} of {self.tournament_id}"


class RegistrationField(models.Model):
    """A custom question every registration of the tournament answers.

    ``options`` holds the kind's bounds: ``min``/``max`` (number, date), ``choices``
    (dropdown), ``max_length`` (text).
    """

    tournament = models.ForeignKey(
        Tournament, on_delete=models.CASCADE, related_name="registration_fields"
    )
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=_choices(FieldKind))
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=300, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["tournament", "key"], name="tournaments_field_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.kind})"


class TournamentTemplate(models.Model):
    """A saved tournament configuration to start new tournaments from.

    ``config`` has the shape of a create request without the schedule's dates (only the
    check-in window is kept), so every use supplies fresh dates. ``owner`` is empty only for
    global templates whose creator's account is gone.
    """

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scope = models.CharField(max_length=16, choices=_choices(TemplateScope))
    config = models.JSONField(default=dict)
    source_tournament = models.ForeignKey(
        Tournament, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=[s.value for s in TemplateScope]),
                name="tournaments_template_scope_known",
            ),
            models.CheckConstraint(
                condition=Q(scope=TemplateScope.GLOBAL.value) | Q(owner__isnull=False),
                name="tournaments_template_owned_unless_global",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "scope", "id"], name="tournaments_template_owner_idx"),
            models.Index(fields=["scope", "id"], name="tournaments_template_scope_idx"),
        ]

    def __str__(self) -> str:
        return self.name
