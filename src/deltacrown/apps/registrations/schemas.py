"""Registrations app, HTTP schemas: request bodies and response shapes of the registrations API.

Responses are read from model instances loaded by the selectors (payment, entries and the
waitlist position come with them). Only the registrant, the players entered and the
tournament's staff ever see a registration, so reasons and answers are part of it.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from deltacrown.apps.registrations.data import (
    BULK_CHECK_IN_MAX,
    REASON_MAX_LENGTH,
    ParticipantKind,
    PaymentState,
    RegistrationState,
)


class RegistrationCreateIn(Schema):
    team_id: int | None = Field(
        None, description="The team to register (team tournaments only; you must captain it)"
    )
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers to the tournament's registration fields"
    )


class RegistrationReasonIn(Schema):
    reason: str = Field("", max_length=REASON_MAX_LENGTH)


class RegistrationRequiredReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=REASON_MAX_LENGTH)


class CheckInBulkIn(Schema):
    registration_ids: list[int] = Field(..., min_length=1, max_length=BULK_CHECK_IN_MAX)


class CheckInBulkOut(Schema):
    checked_in: list[int] = Field(description="Registrations checked in by this call")
    already_checked_in: list[int] = Field(description="Registrations that already were")


class PaymentProofOut(Schema):
    kind: str = Field(description="jpeg, png or pdf (detected from the content)")
    content_type: str
    size: int
    submitted_at: datetime | None


class PaymentOut(Schema):
    id: int
    registration_id: int
    state: PaymentState
    amount: int = Field(description="Minor units (cents)")
    currency: str
    proof: PaymentProofOut | None
    submissions: int
    submitted_at: datetime | None
    reviewed_at: datetime | None
    reject_reason: str
    refunded_at: datetime | None
    refund_reason: str

    @staticmethod
    def resolve_proof(obj: Any) -> dict[str, Any] | None:
        if not obj.proof_file:
            return None
        return {
            "kind": obj.proof_kind,
            "content_type": obj.proof_content_type,
            "size": obj.proof_size,
            "submitted_at": obj.submitted_at,
        }


class RegistrationPlayerOut(Schema):
    user_id: int
    game_player_id: str = Field(description="The in-game id entered, normalised")
    active: bool = Field(description="False once the player left (cancelled, dropped, replaced)")

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        return obj.released_at is None


class RegistrationOut(Schema):
    id: int
    tournament_id: int
    kind: ParticipantKind
    state: RegistrationState
    user_id: int | None = Field(description="The player (solo tournaments)")
    team_id: int | None = Field(description="The team (team tournaments)")
    registered_by_id: int
    arrival: int = Field(description="Order in which the registration was decided, from 1")
    waitlist_position: int | None = Field(
        description="1 = next to be promoted; null unless waitlisted"
    )
    checked_in: bool
    checked_in_at: datetime | None
    created_at: datetime
    confirmed_at: datetime | None
    promoted_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    dropped_at: datetime | None
    players: list[RegistrationPlayerOut]
    answers: dict[str, Any]
    payment: PaymentOut | None

    @staticmethod
    def resolve_checked_in(obj: Any) -> bool:
        return obj.checked_in_at is not None

    @staticmethod
    def resolve_players(obj: Any) -> list[Any]:
        return list(obj.entries.all())

    @staticmethod
    def resolve_payment(obj: Any) -> Any:
        return getattr(obj, "payment", None)
