"""The public event listing ``GET /api/v1/tournaments/{id}/events``: who may read it, paging by
seq, and that the verification program in docs/events.md checks a downloaded chain."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from deltacrown.apps.competition.tests.factories import live_tournament, user
from deltacrown.kernel import events
from deltacrown.kernel.models import Event

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[5] / "docs" / "events.md"


def _url(tournament_id: int) -> str:
    return f"/api/v1/tournaments/{tournament_id}/events"


def _publish(stream: str, count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            events.publish(stream, "tournament.note", {"n": n, "label": "é"})


def _documented_verifier() -> Any:
    """``verify_chain`` exactly as docs/events.md prints it (the first Python block after the
    public listing's heading), so the documentation cannot drift from the API."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### The public event listing", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify_chain"]


def _fetcher(client: Client, tournament_id: int, limit: int) -> Any:
    def fetch_page(after_seq: int) -> dict[str, Any]:
        response = client.get(_url(tournament_id), {"after_seq": after_seq, "limit": limit})
        assert response.status_code == 200, response.content
        return response.json()

    return fetch_page


def test_anyone_lists_a_public_tournaments_events_with_their_hashes():
    tournament, _ = live_tournament(2)
    stream = f"tournament:{tournament.pk}"
    _publish(stream, 2)
    head_seq, head_hash = events.stream_head(stream)
    first = events.events_after(stream, 0, 1)[0]

    response = Client().get(_url(tournament.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stream"], body["head_seq"], body["next_after_seq"]) == (stream, head_seq, None)
    assert [item["seq"] for item in body["items"]] == list(range(1, head_seq + 1))
    item = body["items"][0]
    assert item == {
        "seq": 1,
        "name": first.name,
        "data": first.data,
        "at": item["at"],
        "at_us": first.at_us,
        "prev_hash": "0" * 64,
        "hash": first.hash,
    }
    assert body["items"][-1]["hash"] == head_hash
    assert body["items"][-1]["data"] == {"n": 1, "label": "é"}


def test_the_stream_pages_by_seq_and_the_documented_program_verifies_it():
    tournament, _ = live_tournament(2)
    stream = f"tournament:{tournament.pk}"
    _publish(stream, 7)
    client = Client()
    fetch = _fetcher(client, tournament.pk, limit=3)

    pages, after = [], 0
    while after is not None:
        page = fetch(after)
        pages.append([item["seq"] for item in page["items"]])
        after = page["next_after_seq"]

    head_seq, head_hash = events.stream_head(stream)
    assert [seq for page in pages for seq in page] == list(range(1, head_seq + 1))
    assert all(len(page) == 3 for page in pages[:-1])
    assert _documented_verifier()(_fetcher(client, tournament.pk, limit=3)) == (
        head_seq,
        head_hash,
    )


def test_the_documented_program_catches_an_altered_event():
    tournament, _ = live_tournament(2)
    stream = f"tournament:{tournament.pk}"
    _publish(stream, 3)
    head_seq, _ = events.stream_head(stream)
    Event.objects.filter(stream=stream, seq=head_seq - 1).update(data={"n": 99, "label": "é"})
    verify_chain = _documented_verifier()

    with pytest.raises(ValueError, match=f"event {head_seq - 1} does not match its hash"):
        verify_chain(_fetcher(Client(), tournament.pk, limit=100))


def test_private_tournaments_list_their_events_only_for_those_who_may_see_them():
    tournament, players = live_tournament(2, visibility="private")
    tournament.invite_token = "events-invite-token"
    tournament.save(update_fields=["invite_token"])
    _publish(f"tournament:{tournament.pk}", 2)
    player, stranger = Client(), Client()
    player.force_login(players[0])
    stranger.force_login(user())

    anonymous = Client().get(_url(tournament.pk))
    refused = stranger.get(_url(tournament.pk))
    allowed = player.get(_url(tournament.pk))
    invited = Client().get(_url(tournament.pk), {"invite": "events-invite-token"})

    for response in (anonymous, refused):
        assert response.status_code == 404
        assert response.json()["code"] == "tournament_not_found"
        assert "hash" not in response.content.decode()
    assert allowed.status_code == 200
    assert invited.status_code == 200
    assert allowed.json()["items"] == invited.json()["items"] != []


def test_out_of_range_paging_is_a_validation_problem():
    tournament, _ = live_tournament(2)
    client = Client()

    for query in ({"limit": 0}, {"limit": 501}, {"after_seq": -1}):
        response = client.get(_url(tournament.pk), query)
        assert response.status_code == 422, query
        assert response["Content-Type"] == "application/problem+json"


def test_a_missing_tournament_is_not_found():
    response = Client().get(_url(987654))

    assert response.status_code == 404
    assert response.json()["code"] == "tournament_not_found"
