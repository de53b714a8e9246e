"""Realtime app, HTTP schemas: the public listing of a tournament's event stream.

Every field that enters the event's hash is returned exactly as stored (``at_us`` included),
so a client can recompute the chain without DeltaCrown; docs/events.md has the encoding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

#: Most events one page returns.
EVENTS_MAX_LIMIT = 500


class EventsQuery(Schema):
    after_seq: int = Field(0, ge=0, description="Return events after this seq (0: from the start)")
    limit: int = Field(100, ge=1, le=EVENTS_MAX_LIMIT, description="Events per page")
    invite: str | None = Field(None, max_length=128, description="Invite token (private)")


class StreamEventOut(Schema):
    seq: int = Field(description="Position in the stream, from 1, gapless")
    name: str = Field(description="Dotted event name, e.g. match.completed")
    data: dict[str, Any] = Field(description="Ids and integers")
    at: datetime = Field(description="Commit time (informational; at_us is what is hashed)")
    at_us: int = Field(description="Commit time in whole microseconds since the Unix epoch")
    prev_hash: str = Field(description="hash of the previous event; 64 zeros for seq 1")
    hash: str = Field(description="SHA-256 of the event's canonical encoding, lowercase hex")


class StreamEventPage(Schema):
    stream: str = Field(description="The stream the events belong to, e.g. tournament:42")
    head_seq: int = Field(description="Seq of the stream's last committed event (0: none yet)")
    items: list[StreamEventOut]
    next_after_seq: int | None = Field(
        None, description="Pass as ?after_seq= for the next page; null on the last page"
    )
