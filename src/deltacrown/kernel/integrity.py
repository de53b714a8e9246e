"""Kernel layer: integrity of the event log — chain verification and signed checkpoints.

Verification recomputes every stream's hash chain from the event rows alone (the stream head
table is only compared against, never trusted) and reports the first break per stream. Because
someone with write access to the database could rewrite a whole chain consistently, the heads
are also anchored outside it: ``create_checkpoint`` signs every stream's (seq, hash) with the
server's Ed25519 key; keep those documents elsewhere and ``verify_checkpoint`` later proves the
current log still extends them. The public key is published at
``/.well-known/deltacrown/checkpoint-key``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef

from deltacrown.kernel import clock
from deltacrown.kernel.data import (
    CHECKPOINT_FORMAT,
    GENESIS_HASH,
    CheckpointReport,
    CheckpointStreamResult,
    Problem,
    ProblemKind,
    StreamReport,
)
from deltacrown.kernel.events import event_hash
from deltacrown.kernel.models import Event, StreamHead

__all__ = [
    "ChainVerifier",
    "StreamCheck",
    "VerificationPage",
    "create_checkpoint",
    "key_id_for",
    "public_key_document",
    "signing_key",
    "verify_all",
    "verify_checkpoint",
    "verify_page",
    "verify_stream",
]

logger = logging.getLogger("deltacrown.integrity")

SIGNATURE_ALGORITHM = "Ed25519"
CHUNK_SIZE = 2000
PROGRESS_EVERY = 10_000
_ROW_FIELDS = ("id", "seq", "name", "data", "at_us", "prev_hash", "hash")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

ProgressCallback = Callable[[int, int], object]
Head = tuple[int, str]
_NO_HEAD: Head = (0, GENESIS_HASH)


# --- Chain verification ------------------------------------------------------------------------


class ChainVerifier:
    """Recomputes one stream's chain from rows fed in (seq, id) order; keeps the first problem.

    Rows are ``(id, seq, name, data, at_us, prev_hash, hash)``; ``id`` may be None for rows
    from an export without row ids (then renumbering is only caught through the hashes).
    ``watch_seq`` names a seq whose stored hash to remember (for head and checkpoint checks).
    """

    __slots__ = (
        "_expected",
        "_last_id",
        "events",
        "last_hash",
        "last_seq",
        "problem",
        "stream",
        "verified_hash",
        "verified_seq",
        "watch_seq",
        "watched_hash",
    )

    def __init__(self, stream: str, *, watch_seq: int = 0) -> None:
        self.stream = stream
        self.events = 0
        self.verified_seq = 0
        self.verified_hash = GENESIS_HASH
        self.last_seq = 0
        self.last_hash = GENESIS_HASH
        self.problem: Problem | None = None
        self.watch_seq = watch_seq
        self.watched_hash: str | None = None
        self._expected = 1
        self._last_id: int | None = None

    def feed(
        self,
        row_id: int | None,
        seq: int,
        name: str,
        data: Any,
        at_us: int,
        prev_hash: str,
        digest: str,
    ) -> None:
        self.events += 1
        if seq == self.watch_seq and self.watched_hash is None:
            self.watched_hash = digest
        last_id, self._last_id = self._last_id, row_id
        self.last_seq, self.last_hash = seq, digest
        if self.problem is not None:
            return
        if seq < 1:
            self._fail(ProblemKind.OUT_OF_ORDER, seq, f"seq {seq} is before the first event")
            return
        if seq < self._expected:
            if seq == self._expected - 1:
                self._fail(ProblemKind.DUPLICATE_SEQ, seq, f"two events claim seq {seq}")
            else:
                self._fail(ProblemKind.OUT_OF_ORDER, seq, f"seq {seq} follows seq {seq + 1}")
            return
        if seq > self._expected:
            missing = (
                f"event {self._expected} is missing"
                if seq == self._expected + 1
                else f"events {self._expected}..{seq - 1} are missing"
            )
            self._fail(ProblemKind.GAP, self._expected, missing)
            return
        if row_id is not None and last_id is not None and row_id < last_id:
            self._fail(
                ProblemKind.OUT_OF_ORDER,
                seq,
                f"event {seq} was stored before event {seq - 1}: the events were renumbered",
            )
            return
        if prev_hash != self.verified_hash:
            self._fail(
                ProblemKind.PREV_HASH_MISMATCH,
                seq,
                f"prev_hash of event {seq} is not the hash of event {seq - 1}",
            )
            return
        try:
            recomputed = event_hash(self.stream, seq, prev_hash, name, data, at_us)
        except (TypeError, ValueError):
            recomputed = None
        if recomputed != digest:
            self._fail(
                ProblemKind.HASH_MISMATCH,
                seq,
                f"the content of event {seq} does not match its hash",
            )
            return
        self.verified_seq, self.verified_hash = seq, digest
        self._expected = seq + 1

    def _fail(self, kind: ProblemKind, seq: int, detail: str) -> None:
        self.problem = Problem(kind=kind, seq=seq, detail=detail)

    def report(self, *, head_before: Head = _NO_HEAD, head_after: Head = _NO_HEAD) -> StreamReport:
        """The stream's report, comparing the chain with the head table read around the scan.

        The head is read once before and once after the rows, so an event committed while
        the scan runs is not mistaken for tampering: the rows must reach at least the head
        seen before (with the same hash there) and go no further than the head seen after.
        """
        warnings: list[Problem] = []
        before_seq, before_hash = head_before
        after_seq, after_hash = head_after
        if self.last_seq < before_seq:
            warnings.append(
                Problem(
                    ProblemKind.HEAD_MISMATCH,
                    before_seq,
                    f"the stream head is at seq {before_seq} but the last event is "
                    f"seq {self.last_seq}: events at the end were removed",
                )
            )
        elif before_seq and self.watch_seq == before_seq and self.watched_hash != before_hash:
            warnings.append(
                Problem(
                    ProblemKind.HEAD_MISMATCH,
                    before_seq,
                    f"the stream head's hash differs from the hash of event {before_seq}",
                )
            )
        elif self.last_seq > after_seq:
            warnings.append(
                Problem(
                    ProblemKind.HEAD_MISMATCH,
                    self.last_seq,
                    f"events after the stream head (seq {after_seq}) were added outside "
                    "the event log",
                )
            )
        elif self.last_seq == after_seq and self.last_hash != after_hash:
            warnings.append(
                Problem(
                    ProblemKind.HEAD_MISMATCH,
                    after_seq,
                    f"the stream head's hash differs from the hash of event {after_seq}",
                )
            )
        return StreamReport(
            stream=self.stream,
            events=self.events,
            verified_seq=self.verified_seq,
            verified_hash=self.verified_hash,
            problem=self.problem,
            warnings=tuple(warnings),
        )


def _head(stream: str) -> Head:
    row = StreamHead.objects.filter(stream=stream).values_list("seq", "hash").first()
    return (row[0], row[1]) if row else _NO_HEAD


def _all_heads() -> dict[str, Head]:
    return {
        stream: (seq, digest)
        for stream, seq, digest in StreamHead.objects.values_list("stream", "seq", "hash")
    }


def verify_stream(stream: str) -> StreamReport:
    """Recompute ``stream``'s chain from its events and report the first problem, if any."""
    return _check_stream(stream).report


def _check_stream(stream: str) -> StreamCheck:
    before = _head(stream)
    verifier = ChainVerifier(stream, watch_seq=before[0])
    rows = (
        Event.objects.filter(stream=stream)
        .order_by("seq", "id")
        .values_list(*_ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in rows:
        verifier.feed(*row)
    after = _head(stream)
    return StreamCheck(
        report=verifier.report(head_before=before, head_after=after),
        head_seq=after[0],
        last_seq=verifier.last_seq,
    )


def verify_all(progress: ProgressCallback | None = None) -> list[StreamReport]:
    """Verify every stream in one ordered pass; reports sorted by stream name.

    Memory stays bounded by the number of streams, not events. ``progress(done, total)`` is
    called every ``PROGRESS_EVERY`` events and once at the end. Streams that have a head but
    no events left are reported too (with a head mismatch).
    """
    heads_before = _all_heads()
    total = Event.objects.count() if progress is not None else 0
    rows = (
        Event.objects.order_by("stream", "seq", "id")
        .values_list("stream", *_ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    verifiers: list[ChainVerifier] = []
    done = 0
    for stream, group in groupby(rows, key=itemgetter(0)):
        verifier = ChainVerifier(stream, watch_seq=heads_before.get(stream, _NO_HEAD)[0])
        feed = verifier.feed
        for row in group:
            feed(*row[1:])
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, max(total, done))
        verifiers.append(verifier)
    heads_after = _all_heads()
    if progress is not None and (done == 0 or done % PROGRESS_EVERY):
        progress(done, max(total, done))

    seen = {verifier.stream for verifier in verifiers}
    for stream in sorted(set(heads_before) - seen):
        verifiers.append(ChainVerifier(stream))
    reports = [
        verifier.report(
            head_before=heads_before.get(verifier.stream, _NO_HEAD),
            head_after=heads_after.get(verifier.stream, _NO_HEAD),
        )
        for verifier in verifiers
    ]
    reports.sort(key=lambda report: report.stream)
    return reports


# --- Verifying in pages ------------------------------------------------------------------------

#: Most streams one page may verify.
PAGE_STREAMS_MAX = 100
#: Once a page has checked this many events it ends after the stream in progress; at about
#: two seconds per 100,000 events this keeps one HTTP request to a few seconds.
PAGE_EVENTS_BUDGET = 100_000


@dataclass(frozen=True, slots=True)
class StreamCheck:
    """One stream's report with the seqs an operator compares: the stream head's seq when the
    scan ended (0 without a head) and the seq of the last event found (0 without events)."""

    report: StreamReport
    head_seq: int
    last_seq: int


@dataclass(frozen=True, slots=True)
class VerificationPage:
    """Some streams, verified whole, in stream name order.

    ``next_after`` is the last stream of the page when more streams follow (pass it as
    ``after`` to continue), else None: the page reached the end of the log.
    """

    checks: tuple[StreamCheck, ...]
    next_after: str | None


def _stream_names_after(after: str | None, limit: int) -> list[str]:
    """The first ``limit`` stream names after ``after``: streams with events and streams that
    only have a head left (their events were deleted) both count."""
    heads = StreamHead.objects.order_by("stream")
    rows = Event.objects.order_by("stream")
    if after is not None:
        heads = heads.filter(stream__gt=after)
        rows = rows.filter(stream__gt=after)
    names = set(heads.values_list("stream", flat=True)[:limit])
    names.update(rows.values_list("stream", flat=True).distinct()[:limit])
    return sorted(names)[:limit]


def verify_page(
    *,
    after: str | None = None,
    max_streams: int = 25,
    max_events: int = PAGE_EVENTS_BUDGET,
) -> VerificationPage:
    """Verify the streams named after ``after``, each one whole, until ``max_streams`` streams
    or ``max_events`` events are checked (the stream in progress is always finished, so one
    page checks at most ``max_events`` plus one stream's events).

    Walking every page gives the same reports as ``verify_all``, but each call does bounded
    work, which is what an HTTP request needs; a stream is never split across pages so each
    report is about a whole chain.
    """
    if not 1 <= max_streams <= PAGE_STREAMS_MAX:
        raise ValueError(f"max_streams must be 1..{PAGE_STREAMS_MAX}")
    if max_events < 1:
        raise ValueError("max_events must be positive")
    names = _stream_names_after(after, max_streams + 1)
    checks: list[StreamCheck] = []
    events = 0
    for name in names[:max_streams]:
        if checks and events >= max_events:
            break
        check = _check_stream(name)
        checks.append(check)
        events += check.report.events
    more = len(names) > len(checks)
    return VerificationPage(
        checks=tuple(checks), next_after=checks[-1].report.stream if more else None
    )


# --- The signing key ---------------------------------------------------------------------------

_key_lock = threading.Lock()
_key_cache: dict[Path, Ed25519PrivateKey] = {}


def signing_key() -> Ed25519PrivateKey:
    """The server's Ed25519 checkpoint key from ``settings.SIGNING_KEY_FILE``.

    Created on first use (PEM, mode 0600). Loaded once per process: after replacing the file,
    restart the processes.
    """
    path = Path(settings.SIGNING_KEY_FILE)
    with _key_lock:
        key = _key_cache.get(path)
        if key is None:
            key = load_or_create_key(path)
            _key_cache[path] = key
        return key


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Read the key at ``path``, creating it first if absent.

    Safe when several processes start at once: each writes a private temporary file and
    hard-links it into place, which fails instead of overwriting, so every process ends up
    reading the one key that won.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:  # mkstemp creates the file with mode 0600
            tmp.write(pem)
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            pass  # another process won the race; its key is the key
        else:
            _fsync_dir(path.parent)
            logger.info("created checkpoint signing key", extra={"key_file": str(path)})
    finally:
        os.unlink(tmp_name)
    return _read_key(path)


def _fsync_dir(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _read_key(path: Path) -> Ed25519PrivateKey:
    with path.open("rb") as fh:
        pem = fh.read()
        mode = os.fstat(fh.fileno()).st_mode
    if mode & 0o077:
        logger.warning(
            "checkpoint signing key file is readable by other users; chmod 600 it",
            extra={"key_file": str(path)},
        )
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} does not hold an Ed25519 private key")
    return key


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_for(public_key: Ed25519PublicKey) -> str:
    """The key's short id: the first 16 hex digits of SHA-256 over the raw 32-byte key."""
    return hashlib.sha256(_raw_public(public_key)).hexdigest()[:16]


def public_key_document() -> dict[str, str]:
    """What ``/.well-known/deltacrown/checkpoint-key`` serves: the key in raw and PEM form."""
    public_key = signing_key().public_key()
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "algorithm": SIGNATURE_ALGORITHM,
        "key_id": key_id_for(public_key),
        "public_key": base64.b64encode(_raw_public(public_key)).decode("ascii"),
        "pem": pem.decode("ascii"),
    }


def load_public_key(value: Ed25519PublicKey | bytes | str) -> Ed25519PublicKey:
    """An Ed25519 public key from a key object, raw 32 bytes, PEM text or base64 of raw bytes."""
    if isinstance(value, Ed25519PublicKey):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("-----BEGIN"):
            value = text.encode("ascii")
        else:
            try:
                value = base64.b64decode(text, validate=True)
            except binascii.Error as exc:
                raise ValueError("not a base64 Ed25519 public key") from exc
    if isinstance(value, bytes):
        if value.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(value)
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("the PEM key is not an Ed25519 public key")
            return key
        if len(value) != 32:
            raise ValueError("a raw Ed25519 public key is 32 bytes")
        return Ed25519PublicKey.from_public_bytes(value)
    raise TypeError(f"cannot read a public key from {type(value).__name__}")


# --- Checkpoints -------------------------------------------------------------------------------


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def current_heads() -> list[tuple[str, int, str]]:
    """(stream, seq, hash) of the last event of every stream, from the event table alone."""
    later = Event.objects.filter(stream=OuterRef("stream"), seq__gt=OuterRef("seq"))
    return list(
        Event.objects.filter(~Exists(later)).order_by("stream").values_list("stream", "seq", "hash")
    )


def create_checkpoint() -> dict[str, Any]:
    """A signed document of every stream's head, to be stored outside this server.

    The signature is Ed25519 over the canonical JSON (sorted keys, no whitespace, UTF-8) of
    the document without its ``signature`` member.
    """
    key = signing_key()
    created_at = clock.now().isoformat(timespec="microseconds").replace("+00:00", "Z")
    document: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "algorithm": SIGNATURE_ALGORITHM,
        "key_id": key_id_for(key.public_key()),
        "created_at": created_at,
        "streams": [
            {"stream": stream, "seq": seq, "hash": digest}
            for stream, seq, digest in current_heads()
        ],
    }
    document["signature"] = base64.b64encode(key.sign(_canonical(document))).decode("ascii")
    return document


def _malformed(detail: str, document: Any = None) -> CheckpointReport:
    key_id = created_at = None
    if isinstance(document, dict):
        key_id = document.get("key_id") if isinstance(document.get("key_id"), str) else None
        created = document.get("created_at")
        created_at = created if isinstance(created, str) else None
    return CheckpointReport(
        key_id=key_id,
        created_at=created_at,
        problem=Problem(ProblemKind.MALFORMED_CHECKPOINT, 0, detail),
    )


def _parse_heads(streams: Any) -> list[tuple[str, int, str]] | str:
    """The checkpointed heads, or a message saying why they are malformed."""
    if not isinstance(streams, list):
        return "streams must be a list"
    heads: list[tuple[str, int, str]] = []
    names: set[str] = set()
    for entry in streams:
        if not isinstance(entry, dict):
            return "every stream entry must be an object"
        stream, seq, digest = entry.get("stream"), entry.get("seq"), entry.get("hash")
        if not isinstance(stream, str) or not stream:
            return "a stream entry has no stream name"
        if type(seq) is not int or seq < 1:
            return f"stream {stream!r}: seq must be a positive integer"
        if not isinstance(digest, str) or not _HEX64.match(digest):
            return f"stream {stream!r}: hash must be 64 lowercase hex digits"
        if stream in names:
            return f"stream {stream!r} appears twice"
        names.add(stream)
        heads.append((stream, seq, digest))
    return heads


def verify_checkpoint(
    doc: Any,
    public_key: Ed25519PublicKey | bytes | str | None = None,
    *,
    streams: Container[str] | None = None,
) -> CheckpointReport:
    """Check a checkpoint's signature, then that every checkpointed head is still in the log.

    ``public_key`` defaults to this server's own key; pass a key obtained earlier (from the
    well-known URL) to check independently of this server's key file. For each head the
    current chain must verify from genesis through its seq and the event there must still
    have its hash, i.e. today's log extends the checkpointed one. ``streams`` limits the head
    checks to those streams (the signature always covers the whole document).
    """
    if not isinstance(doc, dict):
        return _malformed("a checkpoint is a JSON object")
    if doc.get("format") != CHECKPOINT_FORMAT:
        return _malformed(f"format is not {CHECKPOINT_FORMAT}", doc)
    if doc.get("algorithm") != SIGNATURE_ALGORITHM:
        return _malformed(f"algorithm is not {SIGNATURE_ALGORITHM}", doc)
    key_id, created_at, signature = doc.get("key_id"), doc.get("created_at"), doc.get("signature")
    if not isinstance(key_id, str) or not isinstance(created_at, str):
        return _malformed("key_id and created_at must be strings", doc)
    if not isinstance(signature, str):
        return _malformed("signature is missing", doc)
    heads = _parse_heads(doc.get("streams"))
    if isinstance(heads, str):
        return _malformed(heads, doc)
    try:
        signature_bytes = base64.b64decode(signature, validate=True)
        unsigned = _canonical({name: value for name, value in doc.items() if name != "signature"})
    except (binascii.Error, TypeError, ValueError):
        return _malformed("the document or its signature cannot be decoded", doc)

    key = signing_key().public_key() if public_key is None else load_public_key(public_key)
    expected_id = key_id_for(key)
    if key_id != expected_id:
        return CheckpointReport(
            key_id=key_id,
            created_at=created_at,
            problem=Problem(
                ProblemKind.UNKNOWN_KEY,
                0,
                f"signed by key {key_id}, checked against key {expected_id}",
            ),
        )
    try:
        key.verify(signature_bytes, unsigned)
    except InvalidSignature:
        return CheckpointReport(
            key_id=key_id,
            created_at=created_at,
            problem=Problem(
                ProblemKind.BAD_SIGNATURE,
                0,
                "the signature does not match the document: it was altered or forged",
            ),
        )
    return CheckpointReport(
        key_id=key_id,
        created_at=created_at,
        streams=tuple(
            _check_head(stream, seq, digest)
            for stream, seq, digest in heads
            if streams is None or stream in streams
        ),
    )


def _check_head(stream: str, seq: int, digest: str) -> CheckpointStreamResult:
    verifier = ChainVerifier(stream)
    rows: Iterator[tuple[Any, ...]] = (
        Event.objects.filter(stream=stream, seq__lte=seq)
        .order_by("seq", "id")
        .values_list(*_ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in rows:
        verifier.feed(*row)

    def result(kind: ProblemKind, at: int, detail: str) -> CheckpointStreamResult:
        return CheckpointStreamResult(stream, seq, digest, Problem(kind, at, detail))

    if verifier.problem is not None:
        return CheckpointStreamResult(stream, seq, digest, verifier.problem)
    if verifier.events == 0 and not Event.objects.filter(stream=stream).exists():
        return result(ProblemKind.STREAM_MISSING, seq, "the stream has no events any more")
    if verifier.verified_seq < seq:
        first_missing = verifier.verified_seq + 1
        if Event.objects.filter(stream=stream, seq__gt=seq).exists():
            return result(
                ProblemKind.GAP,
                first_missing,
                f"events {first_missing}..{seq} are missing",
            )
        return result(
            ProblemKind.STREAM_TRUNCATED,
            first_missing,
            f"the stream ends at seq {verifier.verified_seq}, before the checkpointed seq {seq}",
        )
    if verifier.verified_hash != digest:
        return result(
            ProblemKind.DIVERGED,
            seq,
            f"event {seq} no longer has the checkpointed hash: history was rewritten",
        )
    return CheckpointStreamResult(stream, seq, digest)
