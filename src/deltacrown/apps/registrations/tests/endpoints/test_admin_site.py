"""The Django admin pages for registrations and payments: browsable with filters, read-only."""

from __future__ import annotations

import pytest

from deltacrown.apps.registrations.tests.factories import (
    TournamentFactory,
    UserFactory,
    png_bytes,
    registered,
    signed_in,
    upload_proof,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return signed_in(UserFactory(is_staff=True, is_superuser=True))


def test_registration_list_filters_by_state_and_tournament(admin_client):
    tournament = TournamentFactory(capacity=2)
    ids = [registered(UserFactory(), tournament)["id"] for _ in range(3)]

    waitlisted = admin_client.get(
        f"/admin/registrations/registration/?state=waitlisted&tournament__id__exact={tournament.pk}"
    )

    assert waitlisted.status_code == 200
    assert waitlisted.context["cl"].result_count == 1
    assert [r.pk for r in waitlisted.context["cl"].result_list] == [ids[2]]
    detail = admin_client.get(f"/admin/registrations/registration/{ids[0]}/change/")
    assert detail.status_code == 200
    assert b"Save" not in detail.content  # read-only: changes go through the services


def test_payment_list_filters_by_state_without_exposing_the_stored_file(admin_client):
    tournament = TournamentFactory(fee=500)
    player = UserFactory()
    registration = registered(player, tournament)
    upload_proof(signed_in(player), registration["id"], png_bytes())

    submitted = admin_client.get("/admin/registrations/payment/?state=submitted")

    assert submitted.status_code == 200
    assert submitted.context["cl"].result_count == 1
    payment = submitted.context["cl"].result_list[0]
    detail = admin_client.get(f"/admin/registrations/payment/{payment.pk}/change/")
    assert detail.status_code == 200
    assert payment.proof_file.encode() not in detail.content
    verified = admin_client.get("/admin/registrations/payment/?state=verified")
    assert verified.context["cl"].result_count == 0


def test_admin_pages_refuse_adding_rows(admin_client):
    assert admin_client.get("/admin/registrations/registration/add/").status_code == 403
    assert admin_client.get("/admin/registrations/payment/add/").status_code == 403
