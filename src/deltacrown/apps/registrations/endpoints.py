"""Registrations app, HTTP layer: registering, the waitlist, entry-fee payments and check-in.

Mounted at ``/api/v1/``: a tournament's registrations live under
``/tournaments/{tournament_id}/registrations`` (register, the organizers' list) and
``/tournaments/{tournament_id}/check-ins`` (bulk check-in); one registration and its payment
under ``/registrations/{registration_id}``; a player's own under ``/me/registrations``. Every
operation needs a signed-in caller. Each parses, calls one service or selector and shapes the
answer. Annotations are real types (no postponed evaluation) because ``@paginate`` re-reads them
from another module.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from deltacrown.apps.registrations import selectors, services, storage
from deltacrown.apps.registrations.data import PaymentState, RegistrationState
from deltacrown.apps.registrations.models import Payment, Registration
from deltacrown.apps.registrations.proofs import MAX_PROOF_BYTES
from deltacrown.apps.registrations.schemas import (
    CheckInBulkIn,
    CheckInBulkOut,
    PaymentOut,
    RegistrationCreateIn,
    RegistrationOut,
    RegistrationReasonIn,
    RegistrationRequiredReasonIn,
)
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import permissions
from deltacrown.kernel.pagination import CursorPagination
from deltacrown.kernel.permissions import Role

router = Router(tags=["registrations"])


def _detail(registration_id: int) -> Registration:
    """The registration as it is after a write, with its details for the response."""
    return selectors.registration_get(registration_id=registration_id)


# --- a tournament's registrations -------------------------------------------------------------


class RegistrationInviteQuery(Schema):
    invite: str | None = Field(
        None, max_length=128, description="Invite token (private tournaments)"
    )


@router.post(
    "/tournaments/{tournament_id}/registrations",
    response={201: RegistrationOut},
    summary="Register for a tournament",
)
def registration_create(
    request: HttpRequest,
    tournament_id: int,
    payload: RegistrationCreateIn,
    query: Query[RegistrationInviteQuery],
) -> Status:
    """Register yourself (solo tournaments) or your team (team tournaments, as its captain).

    The answer's ``state`` is ``confirmed``, ``pending_payment`` (entry fee to pay, place held)
    or ``waitlisted`` (the tournament is full; ``waitlist_position`` says where you stand).
    """
    registration = services.registration_create(
        actor=request.auth,
        tournament_id=tournament_id,
        team_id=payload.team_id,
        answers=payload.answers,
        invite_token=query.invite,
    )
    return Status(201, _detail(registration.pk))


class RegistrationListQuery(Schema):
    state: RegistrationState | None = None
    checked_in: bool | None = None
    payment_state: PaymentState | None = None
    team_id: int | None = None
    user_id: int | None = Field(None, description="Registrations this player is entered on")


@router.get(
    "/tournaments/{tournament_id}/registrations",
    response=list[RegistrationOut],
    summary="A tournament's registrations (staff)",
)
@paginate(CursorPagination, ordering=("arrival", "id"))
def registration_list(
    request: HttpRequest, tournament_id: int, filters: Query[RegistrationListQuery]
) -> QuerySet[Registration]:
    """Every registration of the tournament in arrival order, for its organizers and
    moderators (404 if you may not see the tournament, 403 if you are not its staff)."""
    tournaments.tournament_get_for(request.auth, tournament_id)
    permissions.require_role(request.auth, Role.MODERATOR, "tournament", tournament_id)
    return selectors.registration_list(
        tournament_id=tournament_id,
        filters=selectors.RegistrationFilters(**filters.model_dump()),
    )


@router.post(
    "/tournaments/{tournament_id}/check-ins",
    response=CheckInBulkOut,
    summary="Check in many registrations (organizers)",
)
def checkin_bulk(request: HttpRequest, tournament_id: int, payload: CheckInBulkIn) -> Any:
    """Check in up to 200 confirmed registrations at once; all or nothing, idempotent."""
    return services.checkin_bulk(
        actor=request.auth, tournament_id=tournament_id, registration_ids=payload.registration_ids
    )


# --- one registration -------------------------------------------------------------------------


@router.get("/registrations/{registration_id}", response=RegistrationOut, summary="A registration")
def registration_get(request: HttpRequest, registration_id: int) -> Registration:
    """For its registrant, its players and the tournament's staff; 404 for anyone else."""
    return selectors.registration_get_for(actor=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/cancel",
    response=RegistrationOut,
    summary="Withdraw or cancel a registration",
)
def registration_cancel(
    request: HttpRequest, registration_id: int, payload: RegistrationReasonIn
) -> Registration:
    """The registrant (a team's captain) withdraws before the start; organizers cancel at any
    time with a ``reason``. A freed place goes to the head of the waitlist."""
    services.registration_cancel(
        actor=request.auth, registration_id=registration_id, reason=payload.reason
    )
    return _detail(registration_id)


@router.post(
    "/registrations/{registration_id}/check-in", response=RegistrationOut, summary="Check in"
)
def checkin_check_in(request: HttpRequest, registration_id: int) -> Registration:
    """Check in while check-in is open (the registrant, a team's captain, or an organizer).
    Checking in again is not an error."""
    services.checkin_check_in(actor=request.auth, registration_id=registration_id)
    return _detail(registration_id)


@router.delete(
    "/registrations/{registration_id}/check-in",
    response=RegistrationOut,
    summary="Undo a check-in",
)
def checkin_undo(request: HttpRequest, registration_id: int) -> Registration:
    """Undo within 15 minutes (the registrant or captain) or any time until check-in closes
    (organizers)."""
    services.checkin_undo(actor=request.auth, registration_id=registration_id)
    return _detail(registration_id)


# --- entry-fee payment ------------------------------------------------------------------------


@router.get(
    "/registrations/{registration_id}/payment",
    response=PaymentOut,
    summary="A registration's entry-fee payment",
)
def payment_get(request: HttpRequest, registration_id: int) -> Payment:
    """404 ``payment_not_found`` when the tournament is free to enter."""
    return selectors.payment_get_for(actor=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/payment/proof",
    response=PaymentOut,
    summary="Upload proof of payment",
)
def payment_proof_submit(
    request: HttpRequest, registration_id: int, file: File[UploadedFile | None] = None
) -> Payment:
    """Multipart upload (field ``file``): a JPEG, PNG or PDF of at most 5 MB whose content
    matches its extension. Images are re-encoded without their metadata. Replaces an earlier
    proof that was not verified yet; the payment becomes ``submitted``."""
    # One byte more than allowed is enough to know the file is too large. A request without a
    # file is an empty upload: refused (422 ``proof_empty``) after the permission check, so a
    # stranger learns nothing either way.
    data = file.read(MAX_PROOF_BYTES + 1) if file is not None else b""
    services.payment_proof_submit(
        actor=request.auth,
        registration_id=registration_id,
        filename=(file.name or "") if file is not None else "",
        data=data,
    )
    return selectors.payment_get_for(actor=request.auth, registration_id=registration_id)


@router.get(
    "/registrations/{registration_id}/payment/proof",
    response={200: None},
    summary="Download the proof of payment",
    openapi_extra={
        "responses": {
            200: {
                "description": "The proof, as an attachment",
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in ("image/jpeg", "image/png", "application/pdf")
                },
            }
        }
    },
)
def payment_proof_download(request: HttpRequest, registration_id: int) -> HttpResponse:
    """The stored proof as an attachment, for the registrant (a team's captain) and the
    tournament's organizers and moderators; 404 for everyone else."""
    payment = selectors.proof_get_for(actor=request.auth, registration_id=registration_id)
    extension = payment.proof_file.rsplit(".", 1)[-1]
    response = HttpResponse(
        storage.proof_read(payment.proof_file), content_type=payment.proof_content_type
    )
    response["Content-Disposition"] = (
        f'attachment; filename="payment-{payment.pk}-proof.{extension}"'
    )
    # Personal documents: never kept by shared caches or the browser's cache.
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/registrations/{registration_id}/payment/verify",
    response=PaymentOut,
    summary="Verify a payment (organizers)",
)
def payment_verify(request: HttpRequest, registration_id: int) -> Payment:
    """Accept the submitted proof; a registration holding its place becomes ``confirmed``."""
    services.payment_verify(actor=request.auth, registration_id=registration_id)
    return selectors.payment_get_for(actor=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/payment/reject",
    response=PaymentOut,
    summary="Reject a payment proof (organizers)",
)
def payment_reject(
    request: HttpRequest, registration_id: int, payload: RegistrationRequiredReasonIn
) -> Payment:
    """Turn the proof down with a reason; the registrant may upload another."""
    services.payment_reject(
        actor=request.auth, registration_id=registration_id, reason=payload.reason
    )
    return selectors.payment_get_for(actor=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/payment/refund",
    response=PaymentOut,
    summary="Refund a verified payment (organizers)",
)
def payment_refund(
    request: HttpRequest, registration_id: int, payload: RegistrationReasonIn
) -> Payment:
    """Record the refund; the registration is withdrawn and its place goes to the waitlist."""
    services.payment_refund(
        actor=request.auth, registration_id=registration_id, reason=payload.reason
    )
    return selectors.payment_get_for(actor=request.auth, registration_id=registration_id)


# --- my registrations -------------------------------------------------------------------------


class MyRegistrationsQuery(Schema):
    state: RegistrationState | None = None
    tournament_id: int | None = None


@router.get("/me/registrations", response=list[RegistrationOut], summary="My registrations")
@paginate(CursorPagination, ordering=("-id",))
def my_registrations(
    request: HttpRequest, filters: Query[MyRegistrationsQuery]
) -> QuerySet[Registration]:
    """Registrations I submitted or am entered on (my teams' too), newest first."""
    return selectors.registration_list_for_user(
        user_id=request.auth.pk, state=filters.state, tournament_id=filters.tournament_id
    )
