"""Moderation test factories: staff, sanctions made through the services, tournaments with
their moderators, and helpers that call the API and hold WebSocket conversations.

Users and tournaments come from the registrations factories (players with in-game ids, a
tournament open for registration on a fixed schedule); sanctions and reports are made through
the real services, so every test sees the audit entries, events and cache invalidation that
real use produces.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from asgiref.testing import ApplicationCommunicator
from channels.routing import get_default_application
from django.test import Client

from deltacrown.apps.moderation import services
from deltacrown.apps.moderation.data import ReasonCode, SanctionKind
from deltacrown.apps.moderation.models import Sanction
from deltacrown.apps.registrations.tests.factories import (
    API,
    StaffFactory,
    TournamentFactory,
    UserFactory,
    png_bytes,
    signed_in,
)
from deltacrown.kernel import clock

__all__ = [
    "API",
    "StaffFactory",
    "TournamentFactory",
    "UserFactory",
    "WebSocket",
    "file_report",
    "get",
    "png_bytes",
    "post",
    "sanction",
    "signed_in",
    "staff",
]


def staff(**extra: Any) -> Any:
    """A platform administrator."""
    return UserFactory(is_staff=True, **extra)


def sanction(
    user: Any,
    kind: SanctionKind | str = SanctionKind.BAN,
    *,
    by: Any = None,
    tournament: Any = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    reason_code: ReasonCode | str = ReasonCode.CHEATING,
    note: str = "",
) -> Sanction:
    """A sanction of ``user`` made through the service (by a new staff member by default)."""
    return services.sanction_create(
        actor=by or staff(),
        user_id=user.pk,
        kind=kind,
        reason_code=reason_code,
        tournament_id=tournament.pk if tournament is not None else None,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
    )


def for_a_day() -> datetime:
    return clock.now() + timedelta(days=1)


def post(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json", **extra)


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(f"{API}{path}", params)


def file_report(
    client: Client,
    *,
    target_type: str = "user",
    target_id: int,
    category: str = "harassment",
    description: str = "Insulted us after the match.",
    evidence: bytes | None = None,
    **extra: Any,
) -> Any:
    """File an abuse report through the API (multipart, with optional evidence)."""
    body: dict[str, Any] = {
        "category": category,
        "target_type": target_type,
        "target_id": target_id,
        "description": description,
        **{k: v for k, v in extra.items() if not k.startswith("HTTP_")},
    }
    if evidence is not None:
        upload = io.BytesIO(evidence)
        upload.name = "screenshot.png"
        body["file"] = upload
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    return client.post(f"{API}/moderation/reports", body, **headers)


class WebSocket(ApplicationCommunicator):
    """A WebSocket conversation with the platform's ASGI application in the test process."""

    def __init__(self, path: str) -> None:
        scope = {
            "type": "websocket",
            "path": path.split("?", 1)[0],
            "query_string": path.split("?", 1)[1].encode() if "?" in path else b"",
            "headers": [(b"origin", b"http://localhost")],
            "subprotocols": [],
        }
        super().__init__(get_default_application(), scope)

    async def open(self) -> dict[str, Any]:
        """The server's answer to the handshake: its accept, or its close."""
        await self.send_input({"type": "websocket.connect"})
        return await self.receive_output(3)

    async def next_message(self, timeout: float = 3) -> dict[str, Any]:
        return await self.receive_output(timeout)

    async def say(self, text: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text})

    async def leave(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(3)
