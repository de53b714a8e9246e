"""Competition app, models layer: participants, stages, rounds, matches, results and disputes.

The engine (``deltacrown.engine``) decides progression; these rows persist what it returns so
reads need no recomputation: a stage keeps the engine's state as JSON (the source of truth for
the next operation) and its current standings; every engine match has a ``Match`` row with its
slots and the links to where its winner and loser go. The platform adds what the engine does
not know: schedules, live scores, submissions, confirmations, disputes and their comments.

Writes to one tournament's competition are serialized by locking its ``CompetitionLedger`` row
first (see ``services.common``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from deltacrown.apps.competition.data import (
    DisputeResolution,
    DisputeStatus,
    MatchStatus,
    ParticipantStatus,
    ReportStatus,
    StageStatus,
)


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class CompetitionLedger(models.Model):
    """One row per tournament whose competition has started: the lock every competition write
    takes first, and the record of how the tournament ended."""

    tournament = models.OneToOneField(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    #: Final placements ``[{"participant_id", "place"}]``, best first.
    placements = models.JSONField(default=list, blank=True)
    #: Why each tie was broken: ``[{"stage_id", "ahead", "behind", "criterion", "values"}]``.
    explanation = models.JSONField(default=list, blank=True)
    #: The champion's path includes a forfeit: an organizer should look before prizes go out.
    requires_review = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"competition of tournament {self.tournament_id}"


class Participant(models.Model):
    """A checked-in entrant of a tournament, as the competition knows it.

    Created from the registrations when the first stage is generated; ``seed`` is the seed of
    the first stage. ``name`` is a snapshot of the team's or player's public display name
    (display and team names are public by choice of the user) for drawing brackets.
    """

    tournament = models.ForeignKey(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    registration_id = models.BigIntegerField()
    team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    member_ids = models.JSONField(default=list)
    name = models.CharField(max_length=100)
    seed = models.PositiveIntegerField()
    rating = models.FloatField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=_choices(ParticipantStatus), default=ParticipantStatus.ACTIVE
    )
    status_reason = models.CharField(max_length=64, blank=True, default="")
    placement = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tournament", "registration_id"], name="competition_participant_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ParticipantStatus]),
                name="competition_participant_status_known",
            ),
        ]
        indexes = [models.Index(fields=["tournament", "seed"], name="competition_part_seed_idx")]

    def __str__(self) -> str:
        return f"participant {self.pk} of tournament {self.tournament_id}"


class Stage(models.Model):
    """One stage of the tournament's plan, with the engine's state.

    ``engine`` is ``deltacrown.engine.stage_to_dict`` of the current engine stage: every
    operation loads it, calls the engine and stores the new version with the rows it changed.
    ``standings`` caches the engine's standings after each change. ``best_of`` is the match
    length plan (``{"default": n, "rounds": {...}}``, see docs/competition.md).
    """

    tournament = models.ForeignKey(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    index = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100, blank=True, default="")
    format = models.CharField(max_length=32)
    options = models.JSONField(default=dict, blank=True)
    best_of = models.JSONField(default=dict, blank=True)
    #: How many participants enter this stage (later stages: the best of the previous one).
    size = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=_choices(StageStatus), default=StageStatus.PENDING
    )
    #: ``{"method", "rng_seed", "order"}``: enough to reproduce the draw.
    seeding = models.JSONField(default=dict, blank=True)
    engine = models.JSONField(null=True, blank=True)
    standings = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tournament", "index"], name="competition_stage_once"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in StageStatus]),
                name="competition_stage_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"stage {self.index + 1} of tournament {self.tournament_id}"


class Round(models.Model):
    """A round of a stage (of one bracket or group): its display name and match length."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="rounds")
    group = models.CharField(max_length=32)
    bracket = models.CharField(max_length=16, blank=True, default="")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=64)
    best_of = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "group", "bracket", "number"], name="competition_round_once"
            ),
        ]
        ordering = ["stage_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} of stage {self.stage_id}"


class Match(models.Model):
    """One match of a stage: the engine's match (``key``, slots, links) plus its schedule,
    live score, result and state.

    ``winner_to``/``loser_to`` are ``{"match": <key>, "slot": n}`` (within the stage) or null.
    ``scores`` are the match scores aligned with the slots (maps won, or lobby points);
    ``live_scores`` the latest live update, whose ``score_seq`` must grow.
    """

    tournament = models.ForeignKey(
        "tournaments.Tournament", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="matches")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="matches")
    key = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    group = models.CharField(max_length=32)
    bracket = models.CharField(max_length=16, blank=True, default="")
    round_number = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=_choices(MatchStatus), default=MatchStatus.SCHEDULED
    )
    engine_status = models.CharField(max_length=16)
    is_bye = models.BooleanField(default=False)
    best_of = models.PositiveSmallIntegerField(default=1)
    sources = models.JSONField(default=list, blank=True)
    winner_to = models.JSONField(null=True, blank=True)
    loser_to = models.JSONField(null=True, blank=True)
    winner = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loser = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=16, blank=True, default="")
    scores = models.JSONField(default=list, blank=True)
    #: The engine's result as stored in its JSON (lobby placements and kills included).
    result = models.JSONField(null=True, blank=True)
    live_scores = models.JSONField(default=list, blank=True)
    score_seq = models.PositiveIntegerField(default=0)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    stream_url = models.URLField(max_length=500, blank=True, default="")
    station = models.JSONField(default=dict, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="competition_match_key_once"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MatchStatus]),
                name="competition_match_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["tournament", "status"], name="competition_match_status_idx"),
            models.Index(fields=["stage", "position"], name="competition_match_pos_idx"),
            models.Index(fields=["status", "scheduled_at"], name="competition_match_sched_idx"),
        ]
        verbose_name_plural = "matches"

    def __str__(self) -> str:
        return f"match {self.key} (#{self.pk}) of stage {self.stage_id}"


class MatchSlot(models.Model):
    """One side of a match (or one seat of a battle-royale lobby)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="slots")
    slot = models.PositiveSmallIntegerField()
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="slots"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "slot"], name="competition_slot_once"),
        ]
        indexes = [models.Index(fields=["participant", "match"], name="competition_slot_part_idx")]
        ordering = ["match_id", "slot"]

    def __str__(self) -> str:
        return f"slot {self.slot} of match {self.match_id}"


class MatchGame(models.Model):
    """One game inside a match (a map, a round, a battle-royale round) of the applied result.

    ``scores`` align with the match's slots; ``winner_slot`` is 0-based (None for a draw);
    lobbies record ``placements`` (participant ids, 1st first) and ``kills``.
    """

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="games")
    number = models.PositiveSmallIntegerField()
    scores = models.JSONField(default=list, blank=True)
    winner_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    placements = models.JSONField(default=list, blank=True)
    kills = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "number"], name="competition_game_once"),
        ]
        ordering = ["match_id", "number"]

    def __str__(self) -> str:
        return f"game {self.number} of match {self.match_id}"


class ResultReport(models.Model):
    """A result submitted by a side (or an organizer's override), with what it claims.

    ``payload`` is the normalized claim: ``{"kind": "games"|"scores"|"winner"|"forfeit"|
    "double_forfeit"|"lobby", ...}``. A pending report confirms itself at ``auto_confirm_at``.
    """

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reports")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: The side that submitted (None: staff).
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=_choices(ReportStatus))
    created_at = models.DateTimeField()
    auto_confirm_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ReportStatus]),
                name="competition_report_status_known",
            ),
            # One result waits for confirmation at a time; a new submission supersedes it.
            models.UniqueConstraint(
                fields=["match"],
                condition=Q(status__in=[ReportStatus.PENDING.value, ReportStatus.DISPUTED.value]),
                name="competition_one_open_report",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "auto_confirm_at"], name="competition_report_due_idx")
        ]

    def __str__(self) -> str:
        return f"result report {self.pk} of match {self.match_id}"


class Dispute(models.Model):
    """A side contests a submitted result; an organizer resolves it."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="disputes")
    report = models.ForeignKey(ResultReport, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(
        max_length=16, choices=_choices(DisputeStatus), default=DisputeStatus.OPEN
    )
    resolution = models.CharField(
        max_length=16, choices=_choices(DisputeResolution), blank=True, default=""
    )
    resolution_note = models.TextField(blank=True, default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["match"],
                condition=Q(status=DisputeStatus.OPEN.value),
                name="competition_one_open_dispute",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="competition_dispute_idx")]

    def __str__(self) -> str:
        return f"dispute {self.pk} of match {self.match_id}"


class DisputeComment(models.Model):
    """A message in a dispute's thread, from a side or the staff, optionally with evidence.

    Evidence files are inspected like payment proofs and stored privately (random names).
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: ``staff`` or ``participant``.
    role = models.CharField(max_length=16)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True, default="")
    evidence_file = models.CharField(max_length=255, blank=True, default="")
    evidence_content_type = models.CharField(max_length=64, blank=True, default="")
    evidence_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["dispute_id", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on dispute {self.dispute_id}"
