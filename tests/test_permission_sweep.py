"""Every route of the API, probed as a signed-in stranger: no object of someone else's leaks.

The routes come from Django's URL resolver (every pattern the API mounts) and the methods from
the operations behind each. For every object-scoped route (its path names an object) the
stranger must get 403 or 404 on every write, and on every read of a private object (a private
draft tournament, a team's pending invitations, ...). A route must be known to this sweep: a
new endpoint fails it until it is given a body (if validation would otherwise answer first) or,
for the rare route any signed-in user may call, a reason in ``OPEN_TO_ANYONE``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition.tests.factories import live_tournament
from deltacrown.apps.tournaments.tests.factories import config as tournament_config
from deltacrown.kernel import clock

pytestmark = pytest.mark.django_db

API = "/api/v1"
PASSWORD = "sweep-passphrase-1"

# Object-scoped routes a signed-in stranger may legitimately use, each with its reason.
OPEN_TO_ANYONE: dict[tuple[str, str], str] = {
    ("GET", "/games/{slug}"): "the game catalogue is public",
    ("POST", "/games/{slug}/draft/validate"): "checks a draft against public rules, writes nothing",
    ("GET", "/teams/{team_id}"): "team pages are public (display names only)",
    ("POST", "/tournaments/{tournament_id}/registrations"): (
        "any signed-in player may register for a tournament they can see; hidden ones answer 404"
    ),
}

# Bodies that pass validation, so the permission check, not the schema, answers the stranger.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/games/{slug}/config"): {"default_best_of": 5},
    ("PATCH", "/teams/{team_id}"): {"name": "Hijacked"},
    ("POST", "/teams/{team_id}/invitations"): {"user_id": 1},
    ("POST", "/teams/{team_id}/captain"): {"user_id": 1},
    ("PATCH", "/tournaments/{tournament_id}"): {"name": "Hijacked"},
    ("POST", "/tournaments/{tournament_id}/transitions"): {"to": "published"},
    ("POST", "/tournaments/{tournament_id}/staff"): {"user_id": 1, "role": "moderator"},
    ("PUT", "/tournaments/{tournament_id}/registration-fields"): {"fields": []},
    ("PATCH", "/tournaments/templates/{template_id}"): {"name": "Hijacked"},
    ("POST", "/tournaments/templates/{template_id}/tournaments"): {"overrides": {}},
    ("POST", "/tournaments/{tournament_id}/check-ins"): {"registration_ids": [1]},
    ("POST", "/registrations/{registration_id}/payment/reject"): {"reason": "Hijacked"},
    ("POST", "/tournaments/{tournament_id}/matches/schedule"): {
        "items": [{"match_id": 1, "scheduled_at": None}]
    },
    ("PATCH", "/matches/{match_id}"): {"best_of": 3},
    ("POST", "/matches/{match_id}/score"): {"seq": 99, "scores": [9, 0]},
    ("POST", "/matches/{match_id}/result"): {"scores": [2, 0]},
    ("POST", "/matches/{match_id}/override"): {"scores": [2, 0]},
    ("POST", "/matches/{match_id}/disputes"): {"reason": "Hijacked"},
    ("POST", "/disputes/{dispute_id}/resolve"): {"resolution": "replay"},
    ("POST", "/moderation/sanctions/{sanction_id}/revoke"): {"reason": "Hijacked"},
    ("PATCH", "/moderation/reports/{report_id}"): {"priority": 5},
    ("POST", "/moderation/reports/{report_id}/transitions"): {"to": "triaged"},
    ("POST", "/moderation/reports/{report_id}/notes"): {"body": "Hijacked"},
}

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # relative to /api/v1, with {parameters}

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


def _operations_behind(view: Any) -> list[Any]:
    """The Ninja operations a URL pattern's view dispatches to (the PathView it closes over)."""
    for cell in getattr(view, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:
            return list(operations)
    return []


def _api_routes() -> list[Route]:
    """Every (method, path) the API serves, read from the URL resolver."""
    routes: list[Route] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                path = prefix + str(pattern.pattern)
                if not path.startswith("api/v1/"):
                    continue
                for operation in _operations_behind(pattern.callback):
                    template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path[len("api/v1") :])
                    for method in operation.methods:
                        routes.append(Route(method, template.rstrip("/") or "/"))

    walk(get_resolver().url_patterns, "")
    return routes


def _user(username: str, **extra: Any) -> tuple[Any, dict[str, str]]:
    ref = accounts.user_create(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )
    if extra:
        accounts.profile_update(user_id=ref.id, **extra)
    response = Client().post(
        f"{API}/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    return ref, {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code < 300, response.content
    return response.json() if response.content else {}


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Objects owned by others: a private draft tournament, a public one, a team, a template,
    a private cup being played (a stage, a match, a dispute with evidence)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    client = Client()
    _, as_organizer = _user("sweep_organizer")
    _, as_captain = _user("sweep_captain")
    member, as_member = _user("sweep_member")
    moderator, _ = _user("sweep_moderator")
    _, as_stranger = _user("sweep_stranger")

    def post(path: str, body: dict[str, Any], auth: dict[str, str]) -> dict[str, Any]:
        return _ok(client.post(f"{API}{path}", body, content_type="application/json", **auth))

    private = post(
        "/tournaments",
        tournament_config(name="Hidden Cup", visibility="private"),
        as_organizer,
    )
    public = post("/tournaments", tournament_config(name="Open Cup"), as_organizer)
    post(f"/tournaments/{public['id']}/transitions", {"to": "published"}, as_organizer)
    for tournament in (private, public):
        post(
            f"/tournaments/{tournament['id']}/staff",
            {"user_id": moderator.id, "role": "moderator"},
            as_organizer,
        )
    template = post(
        "/tournaments/templates", {"tournament_id": private["id"], "name": "Mine"}, as_organizer
    )
    team = post("/teams", {"game": "valorant", "name": "Sweepers", "tag": "SWP"}, as_captain)
    invitation = post(f"/teams/{team['id']}/invitations", {"user_id": member.id}, as_captain)
    post(f"/teams/invitations/{invitation['id']}/accept", {}, as_member)
    outsider, _ = _user("sweep_outsider")
    pending = post(f"/teams/{team['id']}/invitations", {"user_id": outsider.id}, as_captain)
    token = post("/me/tokens", {"name": "organizer bot", "scopes": ["read"]}, as_organizer)
    # A paid solo cup open for registration, and someone's registration in it.
    paid = post(
        "/tournaments",
        tournament_config(
            name="Paid Cup",
            game="efootball",
            participant_kind="solo",
            entry_fee={"kind": "external", "amount": 500, "currency": "EUR"},
            schedule={"registration_opens_at": clock.now() - timedelta(hours=1)},
        ),
        as_organizer,
    )
    for step in ("published", "registration_open"):
        post(f"/tournaments/{paid['id']}/transitions", {"to": step}, as_organizer)
    _, as_entrant = _user("sweep_entrant", game_ids={"efootball": "123456789"})
    registration = post(f"/tournaments/{paid['id']}/registrations", {}, as_entrant)
    competition = _competition()
    # A tournament's sanction by its organizer, and a report with evidence by a player.
    sanction = post(
        "/moderation/sanctions",
        {
            "user_id": outsider.id,
            "kind": "mute",
            "reason_code": "spam",
            "tournament_id": public["id"],
        },
        as_organizer,
    )
    evidence = io.BytesIO(_png())
    evidence.name = "chat.png"
    report = _ok(
        client.post(
            f"{API}/moderation/reports",
            {
                "category": "harassment",
                "target_type": "user",
                "target_id": outsider.id,
                "description": "Insults.",
                "tournament_id": public["id"],
                "file": evidence,
            },
            **as_member,
        )
    )
    return {
        "stranger": as_stranger,
        "tournaments": [private, public],
        "template_id": template["id"],
        "team_id": team["id"],
        "member_id": member.id,
        "moderator_id": moderator.id,
        "invitation_id": pending["id"],
        "token_id": token["id"],
        "registration_id": registration["id"],
        "sanction_id": sanction["id"],
        "report_id": report["id"],
        **competition,
    }


def _competition() -> dict[str, Any]:
    """A private live cup with its bracket drawn, a reported result, a dispute and a comment
    with evidence: the stage, match, participant, dispute and comment the sweep probes."""
    tournament, players = live_tournament(2)
    tournament.visibility = "private"
    tournament.invite_token = "sweep-competition-invite"
    tournament.save(update_fields=["visibility", "invite_token"])
    as_ = {}
    for player in [tournament.organizer, *players]:
        as_[player.pk] = Client()
        as_[player.pk].force_login(player)
    organizer = as_[tournament.organizer.pk]
    stage = _ok(
        organizer.post(
            f"{API}/tournaments/{tournament.pk}/stages/generate",
            {},
            content_type="application/json",
        )
    )
    match = stage["rounds"][0]["matches"][0]
    participants = _ok(organizer.get(f"{API}/tournaments/{tournament.pk}/participants"))
    by_participant = {
        p["id"]: players[i]
        for i, p in enumerate(sorted(participants, key=lambda p: p["registration_id"]))
    }
    home, away = (as_[by_participant[s["participant_id"]].pk] for s in match["slots"])
    home.post(
        f"{API}/matches/{match['id']}/result", {"scores": [2, 0]}, content_type="application/json"
    )
    dispute = _ok(
        away.post(
            f"{API}/matches/{match['id']}/disputes",
            {"reason": "It was 0-2."},
            content_type="application/json",
        )
    )
    evidence = io.BytesIO(_png())
    evidence.name = "scoreboard.png"
    comment = _ok(
        away.post(f"{API}/disputes/{dispute['id']}/comments", {"body": "See.", "file": evidence})
    )
    return {
        "stage_id": stage["id"],
        "match_id": match["id"],
        "participant_id": match["slots"][0]["participant_id"],
        "dispute_id": dispute["id"],
        "comment_id": comment["id"],
    }


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return buffer.getvalue()


def _urls(route: Route, world: dict[str, Any]) -> list[str]:
    """The concrete URLs to probe ``route`` with (one per world tournament where it applies)."""
    tournaments: list[Any] = [None]
    if "{tournament_id}" in route.path:
        # Writes are probed on the private draft (404 expected) and the public tournament (403);
        # reads only on the private one, since a public tournament's pages are meant for all.
        tournaments = world["tournaments"] if route.method in MUTATING else world["tournaments"][:1]
    urls = []
    for tournament in tournaments:
        values = {
            "tournament_id": tournament and tournament["id"],
            "template_id": world["template_id"],
            "team_id": world["team_id"],
            "invitation_id": world["invitation_id"],
            "token_id": world["token_id"],
            "registration_id": world["registration_id"],
            "stage_id": world["stage_id"],
            "match_id": world["match_id"],
            "participant_id": world["participant_id"],
            "dispute_id": world["dispute_id"],
            "comment_id": world["comment_id"],
            "sanction_id": world["sanction_id"],
            "report_id": world["report_id"],
        }
        if "/staff/" in route.path:
            values["user_id"] = world["moderator_id"]
        elif "/members/" in route.path or route.path.startswith("/moderation/users/"):
            values["user_id"] = world["member_id"]
        if route.path.startswith("/games/"):
            values["slug"] = "valorant"
        elif route.path.startswith("/tournaments/by-slug/"):
            values["slug"] = world["tournaments"][0]["slug"]
        missing = [p for p in route.params if values.get(p) is None]
        assert not missing, f"teach the permission sweep about {missing} in {route.path}"
        path = route.path
        for name in route.params:
            path = path.replace(f"{{{name}}}", str(values[name]))
        urls.append(API + path)
    return urls


def test_the_sweep_sees_every_api_route():
    routes = _api_routes()
    paths = {r.path for r in routes}
    assert {"/tournaments/{tournament_id}", "/teams/{team_id}", "/me"} <= paths
    assert len(routes) > 50


def test_a_signed_in_stranger_can_neither_change_nor_peek_at_others_objects(world):
    client = Client()
    probed = 0
    failures = []
    for route in _api_routes():
        if not route.params or route.method in {"HEAD", "OPTIONS"}:
            continue
        key = (route.method, route.path)
        if key in OPEN_TO_ANYONE:
            continue
        for url in _urls(route, world):
            body = BODIES.get(key, {})
            response = client.generic(
                route.method,
                url,
                data=None if route.method == "GET" else _json(body),
                content_type="application/json",
                **world["stranger"],
            )
            probed += 1
            if response.status_code not in (403, 404):
                failures.append(f"{route.method} {url} -> {response.status_code}")
    assert probed > 30
    assert failures == []


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body)
