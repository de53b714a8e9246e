"""Registrations app, services layer: external entry-fee payments and their proofs.

pending → submitted → verified | rejected; rejected → submitted (resubmit); verified → refunded.
The registrant (a team's captain) uploads a proof; ``proofs.inspect_proof`` decides whether the
bytes are an acceptable JPEG, PNG or PDF and re-encodes images without their metadata; the
result is stored privately under a random name. An organizer verifies it (the registration is
confirmed if it holds a place), rejects it with a reason (the registrant may upload again), or
refunds a verified payment (the registration is withdrawn and its place goes to the waitlist).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from deltacrown.apps.registrations import errors, proofs, selectors, storage
from deltacrown.apps.registrations.data import (
    PAYMENT_REFUNDED,
    PAYMENT_REJECTED,
    PAYMENT_SUBMITTED,
    PAYMENT_VERIFIED,
    REASON_MAX_LENGTH,
    REGISTRATION_CANCELLED,
    REGISTRATION_CONFIRMED,
    SLOT_HOLDING_STATES,
    PaymentState,
    RegistrationState,
)
from deltacrown.apps.registrations.models import Payment, Registration
from deltacrown.apps.registrations.services.common import (
    actor_id,
    audit_registration,
    fill_places,
    ledger_lock,
    publish,
    registration_lock,
    require_active,
    require_organizer,
    require_owner,
)
from deltacrown.apps.registrations.services.registrations import cancel_locked
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor
from deltacrown.kernel import clock
from deltacrown.kernel.errors import ValidationFailed, field_error

logger = logging.getLogger("deltacrown.registrations")

P = PaymentState
S = RegistrationState
REASON_REFUNDED = "The entry fee was refunded."


def _payment_lock(registration: Registration) -> Payment:
    """The registration's payment row, locked; 404 ``payment_not_found`` for free entries."""
    payment = Payment.objects.select_for_update().filter(registration=registration).first()
    if payment is None:
        raise errors.PaymentNotFound("This registration has no entry fee to pay.")
    return payment


def _require_state(payment: Payment, *allowed: PaymentState) -> None:
    if payment.state not in allowed:
        raise errors.PaymentStateInvalid(
            f"A {payment.state} payment cannot do this.", state=payment.state
        )


def _clean_reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(
            "Give a reason.", errors=[field_error("reason", "required", "A reason is required.")]
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            errors=[field_error("reason", "too_long", f"At most {REASON_MAX_LENGTH} characters.")]
        )
    return reason


def payment_proof_submit(
    *, actor: Actor, registration_id: int, filename: str, data: bytes
) -> Payment:
    """Upload (or replace) the proof of payment of a registration; the payment becomes
    ``submitted``.

    Only the registrant (a team's captain) may (404 for strangers, 403 ``captain_required`` for
    others who see it). Allowed while the payment is pending, submitted (replacing the proof
    before review) or rejected (resubmitting), and while the registration holds its place or
    waits on the waitlist; 409 ``payment_state_invalid`` / ``registration_not_active``
    otherwise. The file must pass ``proofs.inspect_proof`` (422 with its code).
    """
    who = actor_id(actor)
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    # Strangers learn nothing and cost nothing: the relation is checked before the file is read.
    require_owner(
        selectors.relation(selectors.registration_get(registration_id=registration_id), actor)
    )
    proof = proofs.inspect_proof(filename, data)
    name = storage.proof_save(
        tournament_id=tournament_id, content=proof.content, extension=proof.extension
    )
    try:
        with transaction.atomic():
            ledger_lock(tournament_id)
            registration = registration_lock(registration_id)
            require_owner(selectors.relation(registration, actor))
            require_active(registration)
            payment = _payment_lock(registration)
            _require_state(payment, P.PENDING, P.SUBMITTED, P.REJECTED)
            previous_file = payment.proof_file
            now = clock.now()
            payment.state = P.SUBMITTED
            payment.proof_file = name
            payment.proof_kind = proof.kind
            payment.proof_content_type = proof.content_type
            payment.proof_size = len(proof.content)
            payment.submissions += 1
            payment.submitted_at = now
            payment.updated_at = now
            payment.save()
            publish(
                registration,
                PAYMENT_SUBMITTED,
                {"payment_id": payment.pk, "submission": payment.submissions},
            )
            if previous_file:
                transaction.on_commit(partial(storage.proof_delete, previous_file))
    except BaseException:
        storage.proof_delete(name)
        raise
    logger.info(
        "payment proof submitted",
        extra={"registration_id": registration_id, "payment_id": payment.pk, "by": who},
    )
    return payment


def payment_verify(*, actor: Actor, registration_id: int) -> Payment:
    """Accept a submitted proof (organizers). A registration waiting for payment with a place
    becomes ``confirmed`` (``registration.confirmed``); a waitlisted one stays waitlisted and is
    confirmed as soon as it is promoted. 409 ``payment_state_invalid`` unless submitted."""
    who = actor_id(actor)
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    with transaction.atomic():
        ledger_lock(tournament_id)
        registration = registration_lock(registration_id)
        require_organizer(selectors.relation(registration, actor))
        require_active(registration)
        payment = _payment_lock(registration)
        _require_state(payment, P.SUBMITTED)
        now = clock.now()
        payment.state = P.VERIFIED
        payment.reviewed_at = now
        payment.reviewed_by_id = who
        payment.updated_at = now
        payment.save(update_fields=["state", "reviewed_at", "reviewed_by", "updated_at"])
        publish(registration, PAYMENT_VERIFIED, {"payment_id": payment.pk})
        audit_registration(registration, PAYMENT_VERIFIED, who, {"payment_id": payment.pk})
        if registration.state == S.PENDING_PAYMENT:
            registration.state = S.CONFIRMED
            registration.confirmed_at = now
            registration.updated_at = now
            registration.save(update_fields=["state", "confirmed_at", "updated_at"])
            publish(registration, REGISTRATION_CONFIRMED, {"payment_id": payment.pk})
    return payment


def payment_reject(*, actor: Actor, registration_id: int, reason: str) -> Payment:
    """Turn down a submitted proof with a ``reason`` the registrant sees (organizers; 422
    without a reason). The registration keeps its place; the registrant may upload again."""
    who = actor_id(actor)
    reason = _clean_reason(reason, required=True)
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    with transaction.atomic():
        ledger_lock(tournament_id)
        registration = registration_lock(registration_id)
        require_organizer(selectors.relation(registration, actor))
        require_active(registration)
        payment = _payment_lock(registration)
        _require_state(payment, P.SUBMITTED)
        now = clock.now()
        payment.state = P.REJECTED
        payment.reject_reason = reason
        payment.reviewed_at = now
        payment.reviewed_by_id = who
        payment.updated_at = now
        payment.save(
            update_fields=["state", "reject_reason", "reviewed_at", "reviewed_by", "updated_at"]
        )
        publish(registration, PAYMENT_REJECTED, {"payment_id": payment.pk})
        audit_registration(registration, PAYMENT_REJECTED, who, {"payment_id": payment.pk})
    return payment


def payment_refund(*, actor: Actor, registration_id: int, reason: str = "") -> Payment:
    """Record that a verified entry fee was paid back (organizers, any time).

    A registration that is still active is withdrawn with it (``registration.cancelled``) and,
    if it held a place while the tournament still takes participants, the head of the waitlist
    is promoted. 409 ``payment_state_invalid`` unless the payment is verified.
    """
    who = actor_id(actor)
    reason = _clean_reason(reason, required=False)
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        registration = registration_lock(registration_id)
        require_organizer(selectors.relation(registration, actor))
        payment = _payment_lock(registration)
        _require_state(payment, P.VERIFIED)
        now = clock.now()
        payment.state = P.REFUNDED
        payment.refund_reason = reason
        payment.refunded_at = now
        payment.refunded_by_id = who
        payment.updated_at = now
        payment.save(
            update_fields=["state", "refund_reason", "refunded_at", "refunded_by", "updated_at"]
        )
        publish(registration, PAYMENT_REFUNDED, {"payment_id": payment.pk})
        audit_registration(registration, PAYMENT_REFUNDED, who, {"payment_id": payment.pk})
        previous = RegistrationState(registration.state)
        if previous in (S.PENDING_PAYMENT, S.CONFIRMED, S.WAITLISTED):
            cancel_locked(registration, now=now, by_user_id=who, reason=reason or REASON_REFUNDED)
            publish(
                registration,
                REGISTRATION_CANCELLED,
                {"previous_state": previous.value, "by_organizer": True},
            )
            if previous in SLOT_HOLDING_STATES:
                fill_places(ledger, tournaments.tournament_get(tournament_id), now)
    return payment
