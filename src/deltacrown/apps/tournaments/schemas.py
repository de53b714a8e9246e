"""Tournaments app, HTTP schemas: request and response bodies of the tournament endpoints.

A create request is a ``configuration.TournamentConfig`` (the same object templates store); an
edit sends any part of it, nested objects partially. Schemas check shape and bounds, the
services own the rules (schedule order, prize sums, stage plans, locks).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from deltacrown.apps.tournaments.configuration import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    CHECK_IN_MAX_MINUTES,
    CHECK_IN_MIN_MINUTES,
    DESCRIPTION_MAX,
    MAX_AMOUNT,
    MAX_STAGES,
    NAME_MAX,
    RULES_MAX,
    TournamentConfig,
    TournamentPrizeDistributionIn,
    TournamentStageIn,
)
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
from deltacrown.apps.tournaments.models import RegistrationField, Tournament, TournamentTemplate
from deltacrown.apps.tournaments.registration_fields import MAX_FIELDS, RegistrationFieldIn

# --- requests ----------------------------------------------------------------------------------


class TournamentCreateIn(TournamentConfig):
    """A new tournament; ``official`` and ``featured`` are for platform staff only."""

    official: bool = False
    featured: bool = False


class _Patch(Schema):
    model_config = ConfigDict(extra="forbid")


class TournamentEntryFeePatch(_Patch):
    kind: EntryFeeKind | None = None
    amount: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    currency: str | None = Field(None, max_length=3)


class TournamentPrizePatch(_Patch):
    pool: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    currency: str | None = Field(None, max_length=3)
    distribution: TournamentPrizeDistributionIn | None = None


class TournamentSchedulePatch(_Patch):
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    check_in_opens_before: int | None = Field(
        None, ge=CHECK_IN_MIN_MINUTES, le=CHECK_IN_MAX_MINUTES
    )
    starts_at: AwareDatetime | None = None


class TournamentPatchIn(_Patch):
    """Any settings to change; absent ones stay. ``stage_plan`` is replaced as a whole."""

    game: str | None = Field(None, min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    rules: str | None = Field(None, max_length=RULES_MAX)
    region: Region | None = None
    capacity: int | None = Field(None, ge=CAPACITY_MIN, le=CAPACITY_MAX)
    participant_kind: ParticipantKind | None = None
    team_size: int | None = Field(None, ge=1, le=100)
    stage_plan: list[TournamentStageIn] | None = Field(None, min_length=1, max_length=MAX_STAGES)
    entry_fee: TournamentEntryFeePatch | None = None
    prize: TournamentPrizePatch | None = None
    schedule: TournamentSchedulePatch | None = None
    visibility: Visibility | None = None
    waitlist_promotion_on_close: bool | None = None
    official: bool | None = Field(None, description="Platform staff only")
    featured: bool | None = Field(None, description="Platform staff only")


class TournamentTransitionIn(Schema):
    to: TournamentStatus


class TournamentStaffIn(Schema):
    user_id: int = Field(..., ge=1)
    role: StaffRole


class RegistrationFieldsIn(Schema):
    fields: list[RegistrationFieldIn] = Field(..., max_length=MAX_FIELDS)


class TournamentTemplateCreateIn(Schema):
    tournament_id: int = Field(..., ge=1)
    name: str = Field(..., min_length=1, max_length=100)
    scope: TemplateScope = TemplateScope.PRIVATE
    description: str = Field("", max_length=500)


class TournamentTemplatePatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    scope: TemplateScope | None = None
    description: str | None = Field(None, max_length=500)


class TournamentTemplateUseIn(Schema):
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Deep-merged into the template's configuration; give the schedule's dates",
    )


# --- responses ---------------------------------------------------------------------------------


class TournamentGameOut(Schema):
    id: int
    slug: str
    name: str


class TournamentEntryFeeOut(Schema):
    kind: EntryFeeKind
    amount: int = Field(..., description="Minor units")
    currency: str


class TournamentPrizeDistributionOut(Schema):
    kind: str
    places: list[int]


class TournamentPrizeOut(Schema):
    pool: int = Field(..., description="Minor units")
    currency: str
    distribution: TournamentPrizeDistributionOut | None


class TournamentScheduleOut(Schema):
    registration_opens_at: datetime
    registration_closes_at: datetime
    check_in_opens_before: int = Field(..., description="Minutes before starts_at")
    check_in_opens_at: datetime
    starts_at: datetime


class TournamentStageOut(Schema):
    name: str
    format: str
    options: dict[str, Any]
    participants: int | None = None


class TournamentSummaryOut(Schema):
    id: int
    slug: str
    name: str
    game: TournamentGameOut
    status: TournamentStatus
    visibility: Visibility
    participant_kind: ParticipantKind
    team_size: int
    capacity: int
    format: str
    region: Region
    entry_fee: TournamentEntryFeeOut
    prize: TournamentPrizeOut
    schedule: TournamentScheduleOut
    official: bool
    featured: bool
    organizer_id: int
    created_at: datetime

    @staticmethod
    def resolve_game(obj: Tournament) -> dict[str, Any]:
        return {"id": obj.game_id, "slug": obj.game_slug, "name": obj.game_name}  # type: ignore[attr-defined]

    @staticmethod
    def resolve_entry_fee(obj: Tournament) -> dict[str, Any]:
        return {
            "kind": obj.entry_fee_kind,
            "amount": obj.entry_fee_amount,
            "currency": obj.entry_fee_currency,
        }

    @staticmethod
    def resolve_prize(obj: Tournament) -> dict[str, Any]:
        return {
            "pool": obj.prize_pool,
            "currency": obj.prize_currency,
            "distribution": obj.prize_distribution,
        }

    @staticmethod
    def resolve_schedule(obj: Tournament) -> dict[str, Any]:
        return {
            "registration_opens_at": obj.registration_opens_at,
            "registration_closes_at": obj.registration_closes_at,
            "check_in_opens_before": obj.check_in_opens_before,
            "check_in_opens_at": obj.check_in_opens_at,
            "starts_at": obj.starts_at,
        }


class TournamentViewerOut(Schema):
    roles: list[str] = Field(..., description="owner, organizer, moderator")
    can_edit: bool
    allowed_transitions: list[TournamentStatus]


class TournamentOut(TournamentSummaryOut):
    description: str
    rules: str
    stage_plan: list[TournamentStageOut]
    waitlist_promotion_on_close: bool
    updated_at: datetime
    published_at: datetime | None
    live_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    invite_token: str | None = Field(None, description="Private tournaments; organizers only")
    viewer: TournamentViewerOut

    @staticmethod
    def resolve_invite_token(obj: Tournament) -> str | None:
        viewer = getattr(obj, "viewer", None)
        return (obj.invite_token or None) if viewer and viewer["can_edit"] else None


class TournamentPage(Schema):
    items: list[TournamentSummaryOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")


class TournamentInviteOut(Schema):
    invite_token: str


class TournamentStaffOut(Schema):
    user_id: int
    role: StaffRole
    added_at: datetime


class TournamentStaffListOut(Schema):
    owner_id: int
    items: list[TournamentStaffOut]


class RegistrationFieldOut(Schema):
    key: str
    label: str
    kind: FieldKind
    required: bool
    help_text: str
    min: int | float | str | None = None
    max: int | float | str | None = None
    choices: list[str] | None = None
    max_length: int | None = None

    @staticmethod
    def resolve_min(obj: RegistrationField | Any) -> Any:
        return _option(obj, "min")

    @staticmethod
    def resolve_max(obj: RegistrationField | Any) -> Any:
        return _option(obj, "max")

    @staticmethod
    def resolve_choices(obj: RegistrationField | Any) -> Any:
        value = _option(obj, "choices")
        return list(value) if value else None

    @staticmethod
    def resolve_max_length(obj: RegistrationField | Any) -> Any:
        return _option(obj, "max_length")


def _option(obj: Any, name: str) -> Any:
    if isinstance(obj, RegistrationField):
        return (obj.options or {}).get(name)
    return getattr(obj, name, None)


class RegistrationFieldsOut(Schema):
    fields: list[RegistrationFieldOut]


class TournamentTemplateOut(Schema):
    id: int
    name: str
    description: str
    scope: TemplateScope
    owner_id: int | None
    source_tournament_id: int | None
    game: str | None
    config: dict[str, Any]
    usage_count: int
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_game(obj: TournamentTemplate) -> str | None:
        return (obj.config or {}).get("game")
