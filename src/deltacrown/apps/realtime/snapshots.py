"""Realtime app, reads: who may follow a stream, and the ``snapshot`` of its current state.

Runs in a worker thread (database access); the consumer calls it through ``sync_to_async``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from deltacrown.apps.competition import api as competition
from deltacrown.apps.realtime.data import ServerMessage
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.kernel import events


def tournament_stream(tournament_id: int) -> str:
    return f"tournament:{tournament_id}"


def match_stream(match_id: int) -> str:
    return f"match:{match_id}"


def tournament_of_match(match_id: int) -> int | None:
    """The tournament a match belongs to (None if there is no such match)."""
    try:
        return competition.match_get(match_id).tournament_id
    except Exception:  # MatchNotFound: the caller answers "forbidden" without saying why
        return None


def _ref(value: Any) -> dict[str, Any]:
    # orjson writes tuples as lists and string enums as their values.
    return asdict(value)


def snapshot(stream: str) -> tuple[int, dict[str, Any]]:
    """The stream's committed head seq and its ``snapshot`` message. The state reflects at
    least every event up to that seq (events after it may already show in it)."""
    head, _ = events.stream_head(stream)
    kind, _, raw_id = stream.partition(":")
    object_id = int(raw_id)
    message: dict[str, Any] = {"type": ServerMessage.SNAPSHOT.value, "stream": stream, "seq": head}
    if kind == "match":
        message["match"] = _ref(competition.match_get(object_id))
        return head, message
    tournament = tournaments.tournament_get(object_id)
    message["tournament"] = {
        "id": tournament.id,
        "status": tournament.status.value,
        "starts_at": tournament.starts_at.isoformat(),
    }
    message["matches"] = [_ref(m) for m in competition.tournament_matches(object_id)]
    message["placements"] = [_ref(p) for p in competition.tournament_placements(object_id)]
    return head, message
