"""Kernel layer, data: frozen records of the event log and of integrity reports.

These are what the kernel hands to other code (subscribers, the realtime layer, the CLI): plain
values with no Django in them, safe to pass between threads and to serialise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

#: ``prev_hash`` of the first event of every stream: 64 zeros (not the hash of anything).
GENESIS_HASH = "0" * 64

#: First element of the hashed array; a new encoding gets a new tag, never a silent change.
EVENT_ENCODING = "deltacrown.event.v1"

#: ``format`` member of a checkpoint document.
CHECKPOINT_FORMAT = "deltacrown.checkpoint.v1"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One committed event as subscribers and readers see it.

    ``data`` holds ids and integers only; treat it as read-only (it is shared by every
    subscriber of the event).
    """

    stream: str
    seq: int
    name: str
    data: dict[str, Any]
    at_us: int
    prev_hash: str
    hash: str
    at: datetime


class ProblemKind(StrEnum):
    """What is wrong with a chain or with a checkpointed head (stable, used in JSON output)."""

    #: A seq is missing: the row was deleted or never written.
    GAP = "gap"
    #: Two rows claim the same seq.
    DUPLICATE_SEQ = "duplicate_seq"
    #: Rows were renumbered: insertion order (row id) disagrees with seq order.
    OUT_OF_ORDER = "out_of_order"
    #: A row's ``prev_hash`` is not the hash of the row before it.
    PREV_HASH_MISMATCH = "prev_hash_mismatch"
    #: A row's content does not match its own ``hash``.
    HASH_MISMATCH = "hash_mismatch"
    #: Warning: the stream head table disagrees with the chain (rows appended or removed at
    #: the end without going through ``publish``).
    HEAD_MISMATCH = "head_mismatch"
    #: Checkpoint: the checkpointed stream has no events any more.
    STREAM_MISSING = "stream_missing"
    #: Checkpoint: the stream now ends before the checkpointed seq.
    STREAM_TRUNCATED = "stream_truncated"
    #: Checkpoint: the chain verifies, but the event at the checkpointed seq has another hash
    #: (history up to the checkpoint was rewritten).
    DIVERGED = "diverged"
    #: Checkpoint: the document is not a checkpoint this platform writes.
    MALFORMED_CHECKPOINT = "malformed_checkpoint"
    #: Checkpoint: signed with a key other than the one it is checked against.
    UNKNOWN_KEY = "unknown_key"
    #: Checkpoint: the signature does not match the document.
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing found wrong: its kind, where (seq, 0 when not about one event), why."""

    kind: ProblemKind
    seq: int
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "seq": self.seq, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class StreamReport:
    """The result of recomputing one stream's chain from its events.

    ``verified_seq``/``verified_hash`` are the last event up to which the chain is intact
    (0 and the genesis hash when not even the first event is). ``problem`` is the first chain
    break; ``warnings`` hold findings that do not break the chain itself (head mismatch).
    """

    stream: str
    events: int
    verified_seq: int
    verified_hash: str
    problem: Problem | None = None
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the chain is intact and nothing else looks wrong."""
        return self.problem is None and not self.warnings

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "ok": self.ok,
            "events": self.events,
            "verified_seq": self.verified_seq,
            "verified_hash": self.verified_hash,
            "problem": self.problem.as_dict() if self.problem else None,
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True, slots=True)
class CheckpointStreamResult:
    """Whether the current chain of one stream still extends its checkpointed head."""

    stream: str
    seq: int
    hash: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "seq": self.seq,
            "hash": self.hash,
            "ok": self.ok,
            "problem": self.problem.as_dict() if self.problem else None,
        }


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    """The result of checking a signed checkpoint against the current event log.

    ``problem`` is a document-level failure (malformed, unknown key, bad signature); when it is
    set the streams were not checked, because an unsigned claim proves nothing.
    """

    key_id: str | None
    created_at: str | None
    problem: Problem | None = None
    streams: tuple[CheckpointStreamResult, ...] = field(default=())

    @property
    def signature_valid(self) -> bool:
        return self.problem is None

    @property
    def ok(self) -> bool:
        return self.problem is None and all(result.ok for result in self.streams)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "key_id": self.key_id,
            "created_at": self.created_at,
            "signature_valid": self.signature_valid,
            "problem": self.problem.as_dict() if self.problem else None,
            "streams": [result.as_dict() for result in self.streams],
        }
