"""Entry-fee payments over HTTP: uploading proof, who may download it, and the organizer's
verify, reject and refund decisions with what they do to the registration."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from deltacrown.apps.registrations.tests.factories import (
    API,
    StaffFactory,
    TeamFactory,
    TournamentFactory,
    UserFactory,
    events_named,
    jpeg_bytes,
    png_bytes,
    post_json,
    registered,
    roster,
    signed_in,
    upload_proof,
)
from deltacrown.kernel import audit

pytestmark = pytest.mark.django_db


def _paid_tournament(**kwargs):
    return TournamentFactory(fee=500, **kwargs)


def _get(user, registration_id, path=""):
    return signed_in(user).get(f"{API}/registrations/{registration_id}{path}")


def _decide(user, registration_id, decision, **body):
    return post_json(signed_in(user), f"/registrations/{registration_id}/payment/{decision}", body)


def _submitted(player, tournament):
    registration = registered(player, tournament)
    response = upload_proof(signed_in(player), registration["id"], png_bytes())
    assert response.status_code == 200, response.content
    return registration


def test_a_fee_registration_holds_a_place_and_waits_for_payment():
    tournament = _paid_tournament()
    player = UserFactory()

    body = registered(player, tournament)

    assert body["state"] == "pending_payment"
    assert body["payment"]["state"] == "pending"
    assert (body["payment"]["amount"], body["payment"]["currency"]) == (500, "EUR")
    assert body["payment"]["proof"] is None
    assert _get(player, body["id"], "/payment").json()["state"] == "pending"


def test_a_free_registration_has_no_payment():
    player = UserFactory()
    registration = registered(player, TournamentFactory())

    response = _get(player, registration["id"], "/payment")

    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"


def test_uploading_a_proof_submits_the_payment_without_the_image_s_metadata():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = registered(player, tournament)
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: metadata that must not be kept
    Image.new("RGB", (16, 16), "blue").save(photo, "JPEG", exif=exif)

    response = upload_proof(signed_in(player), registration["id"], photo.getvalue(), "pay.JPG")

    assert response.status_code == 200
    payment = response.json()
    assert payment["state"] == "submitted"
    assert payment["submissions"] == 1
    assert payment["proof"]["kind"] == "jpeg"
    assert payment["proof"]["content_type"] == "image/jpeg"
    download = _get(player, registration["id"], "/payment/proof")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"] == (
        f'attachment; filename="payment-{payment["id"]}-proof.jpg"'
    )
    stored = download.content
    assert b"PhoneMaker" not in stored
    assert Image.open(io.BytesIO(stored)).size == (16, 16)
    assert events_named(tournament.pk, "payment.submitted") == [
        {
            "tournament_id": tournament.pk,
            "registration_id": registration["id"],
            "payment_id": payment["id"],
            "submission": 1,
        }
    ]


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_changes():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = registered(player, tournament)

    response = upload_proof(signed_in(player), registration["id"], png_bytes(), "receipt.pdf")

    assert response.status_code == 422
    assert response.json()["code"] == "proof_extension_mismatch"
    assert _get(player, registration["id"], "/payment").json()["state"] == "pending"
    assert events_named(tournament.pk, "payment.submitted") == []


def test_a_request_without_a_file_is_an_empty_upload():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = registered(player, tournament)

    response = post_json(signed_in(player), f"/registrations/{registration['id']}/payment/proof")

    assert response.status_code == 422
    assert response.json()["code"] == "proof_empty"
    assert response.json()["errors"][0]["field"] == "file"


def test_the_proof_is_served_to_its_owner_and_the_tournament_s_staff_only():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = _submitted(player, tournament)
    moderator = StaffFactory(tournament=tournament).user

    assert _get(player, registration["id"], "/payment/proof").status_code == 200
    assert _get(tournament.organizer, registration["id"], "/payment/proof").status_code == 200
    assert _get(moderator, registration["id"], "/payment/proof").status_code == 200
    stranger = _get(UserFactory(), registration["id"], "/payment/proof")
    assert stranger.status_code == 404
    assert stranger.json()["code"] == "proof_not_found"
    assert _get(UserFactory(), registration["id"], "/payment").status_code == 404


def test_a_team_s_players_see_the_payment_but_only_the_captain_handles_the_proof():
    tournament = _paid_tournament(team=True)
    team = TeamFactory()
    registration = registered(team.captain, tournament, team_id=team.pk)
    player = roster(team)[1]

    refused = upload_proof(signed_in(player), registration["id"], png_bytes())
    assert refused.status_code == 403
    assert refused.json()["code"] == "captain_required"
    assert upload_proof(signed_in(team.captain), registration["id"], png_bytes()).status_code == 200
    assert _get(player, registration["id"], "/payment").json()["state"] == "submitted"
    assert _get(player, registration["id"], "/payment/proof").status_code == 404
    assert _get(team.captain, registration["id"], "/payment/proof").status_code == 200


def test_strangers_cannot_upload_a_proof_for_someone_else():
    tournament = _paid_tournament()
    registration = registered(UserFactory(), tournament)

    response = upload_proof(signed_in(UserFactory()), registration["id"], png_bytes())

    assert response.status_code == 404


def test_verifying_the_payment_confirms_the_registration():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = _submitted(player, tournament)

    response = _decide(tournament.organizer, registration["id"], "verify")

    assert response.status_code == 200
    assert response.json()["state"] == "verified"
    body = _get(player, registration["id"]).json()
    assert body["state"] == "confirmed"
    assert body["confirmed_at"] is not None
    assert [
        e["registration_id"] for e in events_named(tournament.pk, "registration.confirmed")
    ] == [registration["id"]]
    assert audit.entries(action="payment.verified").get().actor_id == tournament.organizer_id


def test_only_organizers_decide_on_payments():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = _submitted(player, tournament)
    moderator = StaffFactory(tournament=tournament).user

    assert _decide(player, registration["id"], "verify").status_code == 403
    assert _decide(moderator, registration["id"], "verify").json()["code"] == "role_required"
    assert _decide(UserFactory(), registration["id"], "verify").status_code == 404
    assert _get(player, registration["id"], "/payment").json()["state"] == "submitted"


def test_a_payment_without_a_proof_cannot_be_verified():
    tournament = _paid_tournament()
    registration = registered(UserFactory(), tournament)

    response = _decide(tournament.organizer, registration["id"], "verify")

    assert response.status_code == 409
    assert response.json()["code"] == "payment_state_invalid"
    assert response.json()["state"] == "pending"


def test_a_rejected_proof_is_resubmitted_and_then_verified():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = _submitted(player, tournament)

    without_reason = _decide(tournament.organizer, registration["id"], "reject")
    rejected = _decide(
        tournament.organizer, registration["id"], "reject", reason="The amount is missing."
    )

    assert without_reason.status_code == 422
    assert rejected.json()["state"] == "rejected"
    mine = _get(player, registration["id"]).json()
    assert mine["state"] == "pending_payment"  # the place is still held
    assert mine["payment"]["reject_reason"] == "The amount is missing."

    again = upload_proof(signed_in(player), registration["id"], jpeg_bytes(), "second.jpeg")
    assert again.json()["state"] == "submitted"
    assert again.json()["submissions"] == 2
    assert again.json()["proof"]["kind"] == "jpeg"
    assert _decide(tournament.organizer, registration["id"], "verify").json()["state"] == "verified"
    assert _get(player, registration["id"]).json()["state"] == "confirmed"


def test_a_verified_payment_cannot_be_replaced():
    tournament = _paid_tournament()
    player = UserFactory()
    registration = _submitted(player, tournament)
    _decide(tournament.organizer, registration["id"], "verify")

    response = upload_proof(signed_in(player), registration["id"], png_bytes())

    assert response.status_code == 409
    assert response.json()["code"] == "payment_state_invalid"


def test_refunding_withdraws_the_registration_and_promotes_the_waitlist():
    tournament = _paid_tournament(capacity=2)
    players = [UserFactory() for _ in range(3)]
    paid = _submitted(players[0], tournament)
    registered(players[1], tournament)
    waiting = registered(players[2], tournament)
    _decide(tournament.organizer, paid["id"], "verify")

    response = _decide(tournament.organizer, paid["id"], "refund", reason="Could not attend")

    assert response.status_code == 200
    assert response.json()["state"] == "refunded"
    assert response.json()["refund_reason"] == "Could not attend"
    refunded = _get(players[0], paid["id"]).json()
    assert refunded["state"] == "cancelled"
    assert refunded["cancel_reason"] == "Could not attend"
    promoted = _get(players[2], waiting["id"]).json()
    assert promoted["state"] == "pending_payment"  # promoted into the place, fee still due
    assert events_named(tournament.pk, "payment.refunded")[0]["registration_id"] == paid["id"]
    assert audit.entries(action="payment.refunded").count() == 1


def test_only_a_verified_payment_can_be_refunded():
    tournament = _paid_tournament()
    registration = _submitted(UserFactory(), tournament)

    response = _decide(tournament.organizer, registration["id"], "refund")

    assert response.status_code == 409
    assert response.json()["state"] == "submitted"


def test_a_waitlisted_registrant_may_pay_early_and_is_confirmed_when_promoted():
    tournament = _paid_tournament(capacity=2)
    players = [UserFactory() for _ in range(3)]
    first = registered(players[0], tournament)
    registered(players[1], tournament)
    waiting = _submitted(players[2], tournament)
    _decide(tournament.organizer, waiting["id"], "verify")
    assert _get(players[2], waiting["id"]).json()["state"] == "waitlisted"

    post_json(signed_in(players[0]), f"/registrations/{first['id']}/cancel")

    assert _get(players[2], waiting["id"]).json()["state"] == "confirmed"


def test_a_proof_near_the_size_limit_is_accepted_with_an_idempotency_key():
    import os

    from deltacrown.apps.registrations import proofs

    tournament = _paid_tournament()
    player = UserFactory()
    registration = registered(player, tournament)
    # Random pixels do not compress: a PNG just under the 5 MB proof limit.
    noise = Image.frombytes("RGB", (1250, 1250), os.urandom(1250 * 1250 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    content = buffer.getvalue()
    assert 4_500_000 < len(content) <= proofs.MAX_PROOF_BYTES

    file = io.BytesIO(content)
    file.name = "receipt.png"
    response = signed_in(player).post(
        f"{API}/registrations/{registration['id']}/payment/proof",
        {"file": file},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="proof-upload-1",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
