"""Web page test helpers: tournaments being played, reached through the REST API as players.

Situations are set up with the competition's test factories (a live tournament with checked-in
entrants) and moved on through the public HTTP API, as players and organizers do from the
pages; the pages under test are then read as visitors see them.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from deltacrown.apps.competition.tests.factories import live_tournament

API = "/api/v1"


def signed_in(user: Any) -> Client:
    """A test client with a browser session for ``user``."""
    client = Client()
    client.force_login(user)
    return client


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json() if response.content else None


class Cup:
    """A live tournament with its bracket drawn, and who acts for each participant."""

    def __init__(
        self,
        count: int,
        format: str,
        options: dict[str, Any] | None = None,
        *,
        game: str = "efootball",
        team: bool = False,
        visibility: str = "public",
        name: str = "Playoffs",
    ) -> None:
        plan = [{"name": name, "format": format, "options": options or {}}]
        self.tournament, entrants = live_tournament(
            count, game=game, team=team, stage_plan=plan, visibility=visibility
        )
        self.organizer = signed_in(self.tournament.organizer)
        self.stage = ok(
            self.organizer.post(
                f"{API}/tournaments/{self.tournament.pk}/stages/generate",
                {},
                content_type="application/json",
            ),
            201,
        )
        reader = Client() if visibility == "public" else self.organizer
        participants = ok(reader.get(f"{API}/tournaments/{self.tournament.pk}/participants"))
        participants.sort(key=lambda row: row["registration_id"])
        players = [e[1] if isinstance(e, tuple) else e for e in entrants]
        self.user_of = {row["id"]: players[i] for i, row in enumerate(participants)}
        self.participants = participants

    @property
    def slug(self) -> str:
        return self.tournament.slug

    def matches(self, status: str | None = None) -> list[dict[str, Any]]:
        query = f"?limit=100{'&status=' + status if status else ''}"
        return ok(self.organizer.get(f"{API}/tournaments/{self.tournament.pk}/matches{query}"))[
            "items"
        ]

    def ready(self) -> list[dict[str, Any]]:
        return self.matches("ready")

    def client_of(self, participant_id: int) -> Client:
        return signed_in(self.user_of[participant_id])

    def report(self, match: dict[str, Any], scores: list[int]) -> dict[str, Any]:
        """Slot 0 reports ``scores``; the match waits for slot 1 to confirm."""
        home = match["slots"][0]["participant_id"]
        return ok(
            self.client_of(home).post(
                f"{API}/matches/{match['id']}/result",
                {"scores": scores},
                content_type="application/json",
            )
        )

    def play(self, match: dict[str, Any], scores: list[int] | None = None) -> dict[str, Any]:
        """Slot 0 reports (by default a 2-0 win for slot 0), slot 1 confirms."""
        self.report(match, scores or [2, 0])
        away = match["slots"][1]["participant_id"]
        return ok(self.client_of(away).post(f"{API}/matches/{match['id']}/confirm"))

    def start(self, match: dict[str, Any]) -> dict[str, Any]:
        return ok(self.organizer.post(f"{API}/matches/{match['id']}/start"))

    def score(self, match: dict[str, Any], seq: int, scores: list[int]) -> dict[str, Any]:
        return ok(
            self.organizer.post(
                f"{API}/matches/{match['id']}/score",
                {"seq": seq, "scores": scores},
                content_type="application/json",
            )
        )


def text_of(html: str) -> str:
    """The page's text without tags, whitespace collapsed (what a reader sees)."""
    without_scripts = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", without_scripts).split())
