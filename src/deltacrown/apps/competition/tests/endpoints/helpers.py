"""Competition endpoint test helpers: signed-in clients, JSON calls, and finding who plays a
match, on top of the shared factories (live tournaments with checked-in entrants)."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from PIL import Image

API = "/api/v1"


def signed_in(user: Any) -> Client:
    """A test client with a browser session for ``user``."""
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json")


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(f"{API}{path}", params)


def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, response.content
    return response.json()


def generate(tournament: Any, **body: Any) -> dict[str, Any]:
    """The organizer draws the first stage through the API; returns the bracket."""
    client = signed_in(tournament.organizer)
    return ok(post(client, f"/tournaments/{tournament.pk}/stages/generate", body), 201)


def matches_of(bracket: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every match of a bracket response by key."""
    return {m["key"]: m for rnd in bracket["rounds"] for m in rnd["matches"]}


def participants_by_user(tournament: Any, entrants: list[Any]) -> dict[int, Any]:
    """Participant id to the user who acts for it (solo player or team captain), read from
    the participants list in registration order."""
    rows = ok(get(Client(), f"/tournaments/{tournament.pk}/participants"))
    rows.sort(key=lambda row: row["registration_id"])
    players = [e[1] if isinstance(e, tuple) else e for e in entrants]
    return {row["id"]: players[index] for index, row in enumerate(rows)}


def sides(match: dict[str, Any], by_participant: dict[int, Any]) -> tuple[Any, Any]:
    """The users acting for slot 0 and slot 1 of a match."""
    first, second = (slot["participant_id"] for slot in match["slots"][:2])
    return by_participant[first], by_participant[second]


def png_bytes() -> bytes:
    """A small valid PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return buffer.getvalue()


def make_private(tournament: Any) -> Any:
    """Make the tournament private (a private tournament always has an invite token)."""
    tournament.visibility = "private"
    tournament.invite_token = "competition-invite-token"
    tournament.save(update_fields=["visibility", "invite_token"])
    return tournament
