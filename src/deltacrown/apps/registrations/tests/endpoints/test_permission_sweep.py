"""Every registrations route, called by a signed-in stranger: object-scoped writes and private
reads are refused (403/404) and change nothing. Routes are read from the router, so a new
endpoint without a permission check fails here."""

from __future__ import annotations

import io
import json

import pytest

from deltacrown.apps.registrations.endpoints import router
from deltacrown.apps.registrations.models import Payment, Registration
from deltacrown.apps.registrations.tests.factories import (
    API,
    DURING_CHECK_IN,
    TournamentFactory,
    UserFactory,
    event_names,
    png_bytes,
    registered,
    set_status,
    signed_in,
    upload_proof,
)
from deltacrown.apps.tournaments.data import TournamentStatus
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db

ROUTES = sorted(
    (method, path)
    for path, view in router.path_operations.items()
    for operation in view.operations
    for method in operation.methods
)
# The caller's own list is not about anyone else's objects; it is checked to be empty instead.
OWN = {("GET", "/me/registrations")}

BODIES = {
    "/tournaments/{tournament_id}/check-ins": lambda ids: {"registration_ids": ids},
    "/registrations/{registration_id}/cancel": lambda ids: {"reason": "Taking it over"},
    "/registrations/{registration_id}/payment/reject": lambda ids: {"reason": "No"},
    "/registrations/{registration_id}/payment/refund": lambda ids: {"reason": "No"},
}


def _situation():
    """A private fee tournament checking in, with a submitted proof and an organizer."""
    tournament = TournamentFactory(fee=500, visibility="private", invite_token="sweep-invite-token")
    player = UserFactory()
    registration = registered(player, tournament, invite="sweep-invite-token")
    upload_proof(signed_in(player), registration["id"], png_bytes())
    set_status(tournament, TournamentStatus.CHECK_IN)
    return tournament, registration


def _call(client, method, path, body):
    if path.endswith("/payment/proof") and method == "POST":
        file = io.BytesIO(png_bytes())
        file.name = "proof.png"
        return client.post(f"{API}{path}", {"file": file}, format="multipart")
    if method == "GET":
        return client.get(f"{API}{path}")
    return client.generic(
        method, f"{API}{path}", data=json.dumps(body), content_type="application/json"
    )


def test_the_sweep_reads_the_routes_from_the_router():
    assert ("POST", "/registrations/{registration_id}/payment/verify") in ROUTES
    assert len(ROUTES) >= 14


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r not in OWN])
def test_a_signed_in_stranger_is_refused_and_changes_nothing(method, path):
    tournament, registration = _situation()
    stranger = signed_in(UserFactory())
    before = (
        list(Registration.objects.values_list("state", "checked_in_at")),
        list(Payment.objects.values_list("state", "proof_file")),
        event_names(tournament.pk),
    )
    concrete = path.format(tournament_id=tournament.pk, registration_id=registration["id"])
    body = BODIES.get(path, lambda ids: {})([registration["id"]])

    with clock.frozen(DURING_CHECK_IN):
        response = _call(stranger, method, concrete, body)

    assert response.status_code in (403, 404), (method, path, response.content)
    after = (
        list(Registration.objects.values_list("state", "checked_in_at")),
        list(Payment.objects.values_list("state", "proof_file")),
        event_names(tournament.pk),
    )
    assert after == before


def test_a_stranger_s_own_list_holds_nobody_else_s_registrations():
    _situation()

    response = signed_in(UserFactory()).get(f"{API}/me/registrations")

    assert response.status_code == 200
    assert response.json()["items"] == []
