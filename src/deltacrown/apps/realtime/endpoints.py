"""Realtime app, HTTP layer: the public, verifiable listing of a tournament's event stream.

Mounted at ``/api/v1/`` with the full path ``/tournaments/{tournament_id}/events``. Whoever may
see the tournament (anonymous visitors for public ones, like every tournament read) may list
its committed events with their hashes, page by page in seq order, and recompute the chain
themselves; docs/events.md shows how. A client that missed WebSocket messages may also use it
to catch up.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from deltacrown.apps.accounts.api import OPTIONAL_AUTH
from deltacrown.apps.realtime.schemas import EventsQuery, StreamEventPage
from deltacrown.apps.realtime.snapshots import tournament_stream
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import events

router = Router(tags=["realtime"])


@router.get(
    "/tournaments/{tournament_id}/events",
    auth=OPTIONAL_AUTH,
    response=StreamEventPage,
    summary="A tournament's event stream, with hashes",
)
def tournament_events(
    request: HttpRequest, tournament_id: int, query: Query[EventsQuery]
) -> dict[str, Any]:
    """The tournament stream's committed events after ``after_seq``, oldest first, each with
    ``prev_hash`` and ``hash`` so anyone can verify the chain. Follow ``next_after_seq`` until
    it is null. 404 for drafts and private tournaments the caller may not see."""
    tournaments.tournament_get_for(request.auth, tournament_id, invite_token=query.invite)
    stream = tournament_stream(tournament_id)
    # One extra row tells whether another page follows without counting the stream.
    records = events.events_after(stream, query.after_seq, query.limit + 1)
    # Read after the events, so the head is never behind the page.
    head_seq, _ = events.stream_head(stream)
    page = records[: query.limit]
    return {
        "stream": stream,
        "head_seq": head_seq,
        "items": page,
        "next_after_seq": page[-1].seq if len(records) > query.limit else None,
    }
