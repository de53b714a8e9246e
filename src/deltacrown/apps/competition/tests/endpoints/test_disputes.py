"""Disputes through the API: a side contests a reported result, both sides and the staff
argue it in a thread with evidence, and an organizer resolves it."""

from __future__ import annotations

import io

import pytest

from deltacrown.apps.competition.tests.endpoints.helpers import (
    API,
    generate,
    get,
    matches_of,
    ok,
    participants_by_user,
    png_bytes,
    post,
    sides,
    signed_in,
)
from deltacrown.apps.competition.tests.factories import live_tournament, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed():
    """A semi-final whose home side reported 2-0 and whose away side disputes it."""
    tournament, players = live_tournament(4)
    matches = matches_of(generate(tournament))
    semi = matches["W1.1"]
    home, away = sides(semi, participants_by_user(tournament, players))
    ok(post(signed_in(home), f"/matches/{semi['id']}/result", {"scores": [2, 0]}))
    dispute = ok(
        post(signed_in(away), f"/matches/{semi['id']}/disputes", {"reason": "We won 2-1."}), 201
    )
    return tournament, semi, home, away, dispute


def _upload(client, dispute_id: int, body: str, content: bytes, name: str = "proof.png"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        f"{API}/disputes/{dispute_id}/comments", {"body": body, "file": file}, format="multipart"
    )


def test_disputing_a_result_holds_the_match_until_an_organizer_decides(disputed):
    tournament, semi, home, _, dispute = disputed

    match = ok(get(signed_in(home), f"/matches/{semi['id']}"))

    assert match["status"] == "disputed"
    assert match["open_dispute_id"] == dispute["id"]
    assert dispute["status"] == "open"
    assert dispute["participant_id"] == semi["slots"][1]["participant_id"]
    assert dispute["tournament_id"] == tournament.pk
    again = post(signed_in(home), f"/matches/{semi['id']}/result", {"scores": [2, 0]})
    assert again.status_code == 409


def test_evidence_is_shared_with_the_sides_and_hidden_from_strangers(disputed):
    _, _, home, away, dispute = disputed
    stranger = signed_in(user())

    comment = ok(_upload(signed_in(away), dispute["id"], "Scoreboard attached.", png_bytes()), 201)
    path = f"/disputes/{dispute['id']}/comments/{comment['id']}/evidence"
    download = get(signed_in(home), path)
    hidden = get(stranger, path)

    assert comment["has_evidence"] is True
    assert comment["evidence_content_type"] == "image/png"
    assert comment["role"] == "participant"
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.startswith(b"\x89PNG")
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "evidence_not_found"
    assert get(stranger, f"/disputes/{dispute['id']}").status_code == 404
    thread = ok(get(signed_in(home), f"/disputes/{dispute['id']}"))["comments"]
    assert [(c["id"], c["body"]) for c in thread] == [(comment["id"], "Scoreboard attached.")]


def test_evidence_asked_for_under_another_dispute_is_not_found(disputed):
    _, _, home, away, dispute = disputed
    comment = ok(_upload(signed_in(away), dispute["id"], "", png_bytes()), 201)

    response = get(
        signed_in(home), f"/disputes/{dispute['id'] + 1}/comments/{comment['id']}/evidence"
    )

    assert response.status_code == 404


def test_a_file_that_is_not_an_image_or_pdf_is_refused(disputed):
    _, _, _, away, dispute = disputed

    response = _upload(signed_in(away), dispute["id"], "see", b"<html>hi</html>", "proof.png")

    assert response.status_code == 422
    assert response.json()["code"] == "proof_type_unsupported"


def test_staff_list_disputes_and_resolve_one_with_the_result_they_choose(disputed):
    tournament, semi, home, _, dispute = disputed
    organizer = signed_in(tournament.organizer)
    listing = f"/tournaments/{tournament.pk}/disputes"

    assert [d["id"] for d in ok(get(organizer, listing, status="open"))["items"]] == [dispute["id"]]
    refused = get(signed_in(home), listing)
    assert refused.status_code == 403

    resolved = ok(
        post(
            organizer,
            f"/disputes/{dispute['id']}/resolve",
            {"resolution": "result", "result": {"scores": [1, 2]}, "note": "Replay checked."},
        )
    )

    assert (resolved["status"], resolved["resolution"]) == ("resolved", "result")
    assert resolved["resolution_note"] == "Replay checked."
    match = ok(get(organizer, f"/matches/{semi['id']}"))
    assert (match["status"], match["scores"]) == ("completed", [1, 2])
    assert match["winner_id"] == semi["slots"][1]["participant_id"]
    assert match["open_dispute_id"] is None
    assert ok(get(organizer, listing, status="open"))["items"] == []
    late = signed_in(home).post(f"{API}/disputes/{dispute['id']}/comments", {"body": "But!"})
    assert late.status_code == 409
    assert late.json()["code"] == "dispute_resolved"


def test_a_side_cannot_resolve_its_own_dispute(disputed):
    _, _, _, away, dispute = disputed

    response = post(signed_in(away), f"/disputes/{dispute['id']}/resolve", {"resolution": "replay"})

    assert response.status_code == 404
