"""Kernel tests: chain verification, tamper detection, signed checkpoints and their CLI."""

from __future__ import annotations

import base64
import json
import os
import random
import stat
import threading
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from deltacrown.kernel import integrity
from deltacrown.kernel.data import GENESIS_HASH, ProblemKind
from deltacrown.kernel.events import event_hash, publish
from deltacrown.kernel.integrity import (
    ChainVerifier,
    create_checkpoint,
    load_or_create_key,
    verify_all,
    verify_checkpoint,
    verify_stream,
)
from deltacrown.kernel.models import Event, StreamHead

START_US = 1_780_000_000_000_000


# --- Building logs quickly -----------------------------------------------------------------------


def _payload(stream_no: int, seq: int) -> dict:
    return {"match_id": stream_no * 1000 + seq, "score": [seq % 5, seq % 3], "final": seq % 2 == 0}


def chain_rows(stream: str, count: int, *, stream_no: int = 0) -> list[Event]:
    """``count`` correctly chained events for ``stream`` (hashed by the real hash function)."""
    rows, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        data, at_us = _payload(stream_no, seq), START_US + seq * 1000
        digest = event_hash(stream, seq, prev, "match.completed", data, at_us)
        rows.append(
            Event(
                stream=stream,
                seq=seq,
                name="match.completed",
                data=data,
                at_us=at_us,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return rows


def make_log(streams: int, per_stream: int) -> list[str]:
    """Insert ``streams`` x ``per_stream`` events and their heads; returns the stream names."""
    names = [f"tournament:{i}" for i in range(streams)]
    rows, heads = [], []
    for i, name in enumerate(names):
        chain = chain_rows(name, per_stream, stream_no=i)
        rows.extend(chain)
        heads.append(StreamHead(stream=name, seq=per_stream, hash=chain[-1].hash))
    Event.objects.bulk_create(rows, batch_size=2000)
    StreamHead.objects.bulk_create(heads)
    return names


def rehash_from(stream: str, first_seq: int) -> None:
    """Recompute every hash from ``first_seq`` on, as an attacker covering their tracks would,
    and move the stream head along."""
    rows = list(Event.objects.filter(stream=stream, seq__gte=first_seq).order_by("seq"))
    prev = (
        Event.objects.get(stream=stream, seq=first_seq - 1).hash if first_seq > 1 else GENESIS_HASH
    )
    for row in rows:
        row.prev_hash = prev
        row.hash = event_hash(row.stream, row.seq, prev, row.name, row.data, row.at_us)
        prev = row.hash
    Event.objects.bulk_update(rows, ["prev_hash", "hash"])
    StreamHead.objects.filter(stream=stream).update(hash=prev)


def _random_hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


@pytest.fixture
def key_file(settings, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "keys" / "checkpoint.pem"
    return settings.SIGNING_KEY_FILE


# --- Tampering -----------------------------------------------------------------------------------
# Each tamper edits one stream of PER_STREAM events directly in the database and returns the
# (kind, seq) that verification must report first.

PER_STREAM = 100


def _row(stream: str, seq: int):
    return Event.objects.filter(stream=stream, seq=seq)


def tamper_data(rng, stream, k):
    change = rng.choice(
        [
            {"match_id": -1, "score": [9, 9], "final": True},
            {**_row(stream, k).get().data, "extra": 1},
            {**_row(stream, k).get().data, "match_id": str(_row(stream, k).get().data["match_id"])},
            {},
        ]
    )
    _row(stream, k).update(data=change)
    return ProblemKind.HASH_MISMATCH, k


def tamper_name(rng, stream, k):
    _row(stream, k).update(name=rng.choice(["match.cancelled", "match.completed.x"]))
    return ProblemKind.HASH_MISMATCH, k


def tamper_time(rng, stream, k):
    _row(stream, k).update(at_us=F("at_us") + rng.choice([1, -1, 3_600_000_000]))
    return ProblemKind.HASH_MISMATCH, k


def tamper_prev_hash(rng, stream, k):
    _row(stream, k).update(prev_hash=_random_hex(rng))
    return ProblemKind.PREV_HASH_MISMATCH, k


def tamper_hash(rng, stream, k):
    _row(stream, k).update(hash=_random_hex(rng))
    return ProblemKind.HASH_MISMATCH, k


def tamper_delete(rng, stream, k):
    _row(stream, k).delete()
    if k == PER_STREAM:
        return ProblemKind.HEAD_MISMATCH, PER_STREAM  # the head still points past the end
    return ProblemKind.GAP, k


def tamper_insert(rng, stream, k):
    if rng.random() < 0.25:
        # A forged event appended at the end with a perfectly consistent hash.
        last = _row(stream, PER_STREAM).get()
        data = {"match_id": 424242}
        Event.objects.create(
            stream=stream,
            seq=PER_STREAM + 1,
            name="match.completed",
            data=data,
            at_us=last.at_us + 1,
            prev_hash=last.hash,
            hash=event_hash(
                stream, PER_STREAM + 1, last.hash, "match.completed", data, last.at_us + 1
            ),
        )
        return ProblemKind.HEAD_MISMATCH, PER_STREAM + 1
    # A forged event slipped in at seq k, the rest renumbered to make room.
    later = Event.objects.filter(stream=stream, seq__gte=k)
    later.update(seq=F("seq") + 1_000_000)
    Event.objects.filter(stream=stream, seq__gte=1_000_000).update(seq=F("seq") - 999_999)
    prev = _row(stream, k - 1).get().hash if k > 1 else GENESIS_HASH
    data = {"match_id": 424242}
    Event.objects.create(
        stream=stream,
        seq=k,
        name="match.completed",
        data=data,
        at_us=START_US,
        prev_hash=prev,
        hash=event_hash(stream, k, prev, "match.completed", data, START_US),
    )
    return ProblemKind.OUT_OF_ORDER, k + 1


def tamper_swap(rng, stream, k):
    other = rng.choice([s for s in range(1, PER_STREAM + 1) if s != k])
    low, high = sorted((k, other))
    _row(stream, low).update(seq=10**9)
    _row(stream, high).update(seq=low)
    _row(stream, 10**9).update(seq=high)
    return ProblemKind.PREV_HASH_MISMATCH, low


def tamper_rewrite(rng, stream, k):
    row = _row(stream, k).get()
    data = {**row.data, "match_id": row.data["match_id"] + 1}
    _row(stream, k).update(
        data=data,
        hash=event_hash(stream, k, row.prev_hash, row.name, data, row.at_us),
    )
    if k == PER_STREAM:
        return ProblemKind.HEAD_MISMATCH, PER_STREAM
    return ProblemKind.PREV_HASH_MISMATCH, k + 1


TAMPERS = [
    tamper_data,
    tamper_name,
    tamper_time,
    tamper_prev_hash,
    tamper_hash,
    tamper_delete,
    tamper_insert,
    tamper_swap,
    tamper_rewrite,
]


@pytest.mark.django_db
def test_a_thousand_random_tamperings_of_a_ten_thousand_event_log_are_all_detected():
    streams = make_log(100, PER_STREAM)
    reports = verify_all()
    assert len(reports) == 100
    assert all(report.ok for report in reports)
    assert sum(report.events for report in reports) == 10_000

    rng = random.Random(20261123)
    used = dict.fromkeys(tamper.__name__ for tamper in TAMPERS)
    for round_no in range(1000):
        tamper = rng.choice(TAMPERS)
        stream = rng.choice(streams)
        k = rng.choice([1, PER_STREAM, rng.randint(1, PER_STREAM)])
        savepoint = transaction.savepoint()
        try:
            expected_kind, expected_seq = tamper(rng, stream, k)
            report = verify_stream(stream)
        finally:
            transaction.savepoint_rollback(savepoint)
        used[tamper.__name__] = True
        context = f"round {round_no}: {tamper.__name__} at seq {k} of {stream}"
        assert not report.ok, context
        if expected_kind is ProblemKind.HEAD_MISMATCH:
            assert report.problem is None, context
            assert [(w.kind, w.seq) for w in report.warnings] == [(expected_kind, expected_seq)], (
                context
            )
        else:
            assert report.problem is not None, context
            assert (report.problem.kind, report.problem.seq) == (expected_kind, expected_seq), (
                context
            )
            assert report.verified_seq == expected_seq - 1, context

    assert all(used.values())
    assert all(report.ok for report in verify_all())  # every tampering was rolled back


# --- Chain verification details --------------------------------------------------------------


def _rows_of(chain: list[Event], ids: list[int] | None = None) -> list[tuple]:
    ids = ids or list(range(1, len(chain) + 1))
    return [
        (row_id, e.seq, e.name, e.data, e.at_us, e.prev_hash, e.hash)
        for row_id, e in zip(ids, chain, strict=True)
    ]


def test_two_rows_claiming_one_seq_are_reported_as_a_duplicate():
    chain = chain_rows("tournament:1", 4)
    rows = _rows_of(chain)
    rows.insert(2, (9, *rows[1][1:]))  # a second copy of seq 2
    verifier = ChainVerifier("tournament:1")
    for row in rows:
        verifier.feed(*row)
    report = verifier.report(head_before=(4, chain[-1].hash), head_after=(4, chain[-1].hash))
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.DUPLICATE_SEQ, 2)
    assert report.verified_seq == 2
    assert report.events == 5


def test_a_consistently_rehashed_renumbering_is_caught_by_the_storage_order():
    # Rows stored as ids 1, 2, 3 but now claiming seqs 1, 3, 2 and rehashed to match.
    chain = chain_rows("tournament:1", 3)
    ids = [1, 3, 2]
    verifier = ChainVerifier("tournament:1")
    for row in _rows_of(chain, ids):
        verifier.feed(*row)
    report = verifier.report(head_before=(3, chain[-1].hash), head_after=(3, chain[-1].hash))
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.OUT_OF_ORDER, 3)


def test_rows_from_an_export_without_ids_verify_by_hash_alone():
    chain = chain_rows("tournament:1", 5)
    verifier = ChainVerifier("tournament:1")
    for row in _rows_of(chain):
        verifier.feed(None, *row[1:])
    report = verifier.report(head_before=(5, chain[-1].hash), head_after=(5, chain[-1].hash))
    assert report.ok
    assert (report.verified_seq, report.verified_hash) == (5, chain[-1].hash)


@pytest.mark.django_db
def test_a_chain_missing_its_first_events_reports_the_first_missing_seq():
    make_log(1, 10)
    Event.objects.filter(stream="tournament:0", seq__lte=3).delete()
    report = verify_stream("tournament:0")
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.GAP, 1)
    assert report.problem.detail == "events 1..3 are missing"
    assert report.verified_seq == 0


def test_content_without_a_canonical_form_is_a_hash_mismatch_not_a_crash():
    chain = chain_rows("tournament:1", 3)
    rows = _rows_of(chain)
    # What a JSON column edited by hand may decode to: NaN and a lone surrogate.
    rows[1] = (*rows[1][:3], {"x": float("nan"), "y": "\ud800"}, *rows[1][4:])
    verifier = ChainVerifier("tournament:1")
    for row in rows:
        verifier.feed(*row)
    report = verifier.report(head_before=(3, chain[-1].hash), head_after=(3, chain[-1].hash))
    assert (report.problem.kind, report.problem.seq) == (ProblemKind.HASH_MISMATCH, 2)


@pytest.mark.django_db
def test_a_stream_whose_events_were_all_deleted_is_reported_through_its_head():
    make_log(2, 5)
    Event.objects.filter(stream="tournament:1").delete()
    reports = {report.stream: report for report in verify_all()}
    assert reports["tournament:0"].ok
    gone = reports["tournament:1"]
    assert gone.events == 0
    assert [(w.kind, w.seq) for w in gone.warnings] == [(ProblemKind.HEAD_MISMATCH, 5)]


@pytest.mark.django_db
def test_a_head_pointing_at_another_hash_is_a_warning():
    make_log(1, 5)
    StreamHead.objects.filter(stream="tournament:0").update(hash="f" * 64)
    report = verify_stream("tournament:0")
    assert report.problem is None
    assert [(w.kind, w.seq) for w in report.warnings] == [(ProblemKind.HEAD_MISMATCH, 5)]


@pytest.mark.django_db
def test_events_published_through_the_log_verify_and_report_their_head():
    with transaction.atomic():
        for i in range(30):
            publish(f"tournament:{i % 3}", "match.completed", {"match_id": i})
    reports = verify_all()
    assert [(r.stream, r.events, r.verified_seq, r.ok) for r in reports] == [
        ("tournament:0", 10, 10, True),
        ("tournament:1", 10, 10, True),
        ("tournament:2", 10, 10, True),
    ]
    assert reports[0].verified_hash == StreamHead.objects.get(stream="tournament:0").hash


@pytest.mark.django_db
def test_verify_all_reports_progress_and_finishes_with_the_total(monkeypatch):
    monkeypatch.setattr(integrity, "PROGRESS_EVERY", 40)
    make_log(5, 20)
    calls = []
    verify_all(progress=lambda done, total: calls.append((done, total)))
    assert calls == [(40, 100), (80, 100), (100, 100)]


@pytest.mark.django_db
def test_an_unknown_stream_verifies_as_empty():
    report = verify_stream("tournament:nothing")
    assert (report.events, report.verified_seq, report.ok) == (0, 0, True)


# --- Checkpoints ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_checkpoint_lists_every_head_and_its_signature_checks_with_the_published_key(
    client, key_file
):
    make_log(3, 7)
    document = create_checkpoint()
    assert document["format"] == "deltacrown.checkpoint.v1"
    assert document["algorithm"] == "Ed25519"
    assert [(s["stream"], s["seq"]) for s in document["streams"]] == [
        ("tournament:0", 7),
        ("tournament:1", 7),
        ("tournament:2", 7),
    ]
    assert document["streams"][0]["hash"] == Event.objects.get(stream="tournament:0", seq=7).hash

    published = client.get("/.well-known/deltacrown/checkpoint-key")
    assert published.status_code == 200
    key_info = published.json()
    assert key_info["algorithm"] == "Ed25519"
    assert key_info["key_id"] == document["key_id"]
    assert key_info["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    raw = base64.b64decode(key_info["public_key"])
    assert len(raw) == 32
    # Anyone can check the signature with the published key and the documented encoding.
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    message = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    Ed25519PublicKey.from_public_bytes(raw).verify(
        base64.b64decode(document["signature"]), message.encode()
    )

    report = verify_checkpoint(document, key_info["public_key"])
    assert report.ok
    assert [result.stream for result in report.streams] == [
        "tournament:0",
        "tournament:1",
        "tournament:2",
    ]


@pytest.mark.django_db
def test_a_log_that_grew_after_the_checkpoint_still_extends_it(key_file):
    with transaction.atomic():
        for i in range(4):
            publish("tournament:1", "match.completed", {"match_id": i})
    document = create_checkpoint()
    with transaction.atomic():
        for i in range(4):
            publish("tournament:1", "match.completed", {"match_id": 10 + i})
            publish("tournament:2", "match.completed", {"match_id": 20 + i})
    report = verify_checkpoint(document)
    assert report.ok
    assert [(r.stream, r.seq, r.ok) for r in report.streams] == [("tournament:1", 4, True)]


@pytest.mark.django_db
def test_rewriting_the_last_event_consistently_passes_the_chain_but_not_the_checkpoint(key_file):
    make_log(2, 10)
    document = create_checkpoint()
    row = Event.objects.get(stream="tournament:1", seq=10)
    data = {**row.data, "final": not row.data["final"]}
    new_hash = event_hash(row.stream, 10, row.prev_hash, row.name, data, row.at_us)
    Event.objects.filter(pk=row.pk).update(data=data, hash=new_hash)
    StreamHead.objects.filter(stream="tournament:1").update(hash=new_hash)

    assert verify_stream("tournament:1").ok  # the chain alone cannot tell
    report = verify_checkpoint(document)
    assert not report.ok
    assert report.signature_valid
    results = {result.stream: result for result in report.streams}
    assert results["tournament:0"].ok
    assert (results["tournament:1"].problem.kind, results["tournament:1"].problem.seq) == (
        ProblemKind.DIVERGED,
        10,
    )


@pytest.mark.django_db
def test_rehashing_the_whole_chain_passes_the_chain_but_not_the_checkpoint(key_file):
    make_log(1, 50)
    document = create_checkpoint()
    with transaction.atomic():
        publish("tournament:0", "match.completed", {"match_id": 51})
    Event.objects.filter(stream="tournament:0", seq=1).update(data={"match_id": -1})
    rehash_from("tournament:0", 1)

    assert verify_stream("tournament:0").ok
    result = verify_checkpoint(document).streams[0]
    assert (result.problem.kind, result.problem.seq) == (ProblemKind.DIVERGED, 50)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "kind", "seq"),
    [
        (lambda: Event.objects.filter(stream="tournament:0").delete(), "stream_missing", 6),
        (
            lambda: Event.objects.filter(stream="tournament:0", seq__gte=5).delete(),
            "stream_truncated",
            5,
        ),
        (
            lambda: Event.objects.filter(stream="tournament:0", seq__in=[5, 6]).delete(),
            "gap",
            5,
        ),
        (
            lambda: Event.objects.filter(stream="tournament:0", seq=2).update(name="x.y"),
            "hash_mismatch",
            2,
        ),
    ],
    ids=["vanished", "shorter", "gap-at-the-head", "edited-before-the-head"],
)
def test_a_stream_that_vanished_shrank_or_broke_fails_the_checkpoint(key_file, damage, kind, seq):
    make_log(1, 6)
    document = create_checkpoint()
    with transaction.atomic():
        publish("tournament:0", "match.completed", {"match_id": 7})  # seq 7 survives "gap"
    damage()
    result = verify_checkpoint(document).streams[0]
    assert not result.ok
    assert (str(result.problem.kind), result.problem.seq) == (kind, seq)


@pytest.mark.django_db
def test_a_tampered_checkpoint_is_rejected(key_file):
    make_log(2, 5)
    document = create_checkpoint()
    assert verify_checkpoint(document).ok

    moved = json.loads(json.dumps(document))
    moved["streams"][0]["seq"] = 4
    moved["streams"][0]["hash"] = Event.objects.get(stream="tournament:0", seq=4).hash
    dropped = {**document, "streams": document["streams"][1:]}
    redated = {**document, "created_at": "2020-01-01T00:00:00.000000Z"}
    signature = bytearray(base64.b64decode(document["signature"]))
    signature[0] ^= 1
    flipped = {**document, "signature": base64.b64encode(bytes(signature)).decode()}

    for forged in (moved, dropped, redated, flipped):
        report = verify_checkpoint(forged)
        assert not report.ok
        assert report.problem.kind == ProblemKind.BAD_SIGNATURE
        assert report.streams == ()


@pytest.mark.django_db
def test_a_checkpoint_signed_by_another_key_is_rejected(key_file):
    make_log(1, 3)
    document = create_checkpoint()
    stranger = Ed25519PrivateKey.generate().public_key()
    report = verify_checkpoint(document, stranger)
    assert report.problem.kind == ProblemKind.UNKNOWN_KEY
    # Claiming the stranger's key id does not help: the signature is over the key id too.
    claimed = {**document, "key_id": integrity.key_id_for(stranger)}
    assert verify_checkpoint(claimed, stranger).problem.kind == ProblemKind.BAD_SIGNATURE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: [d],
        lambda d: {**d, "format": "other"},
        lambda d: {**d, "signature": "***"},
        lambda d: {k: v for k, v in d.items() if k != "signature"},
        lambda d: {**d, "streams": [{"stream": "tournament:0", "seq": True, "hash": "0" * 64}]},
        lambda d: {**d, "streams": [{"stream": "tournament:0", "seq": 1, "hash": "XYZ"}]},
        lambda d: {**d, "streams": [*d["streams"], d["streams"][0]]},
        lambda d: {**d, "streams": "all of them"},
    ],
    ids=[
        "not-an-object",
        "format",
        "signature-not-base64",
        "unsigned",
        "bool-seq",
        "bad-hash",
        "duplicate-stream",
        "streams-not-a-list",
    ],
)
def test_a_malformed_checkpoint_is_reported_not_raised(key_file, mutate):
    make_log(1, 2)
    report = verify_checkpoint(mutate(create_checkpoint()))
    assert not report.ok
    assert report.problem.kind == ProblemKind.MALFORMED_CHECKPOINT


# --- The signing key -----------------------------------------------------------------------------


def test_the_signing_key_is_created_once_private_and_reused(key_file):
    key = integrity.signing_key()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    again = load_or_create_key(key_file)
    assert integrity.key_id_for(again.public_key()) == integrity.key_id_for(key.public_key())
    assert [p.name for p in key_file.parent.iterdir()] == ["checkpoint.pem"]


def test_processes_racing_to_create_the_key_all_end_up_with_the_same_key(tmp_path):
    path = tmp_path / "race" / "checkpoint.pem"
    barrier = threading.Barrier(8)
    ids = []

    def create():
        barrier.wait()
        ids.append(integrity.key_id_for(load_or_create_key(path).public_key()))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 8
    assert len(set(ids)) == 1
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pem"]


def test_a_key_file_holding_another_kind_of_key_is_a_configuration_error(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "wrong.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ImproperlyConfigured, match="Ed25519"):
        load_or_create_key(path)


# --- Commands ------------------------------------------------------------------------------------


def run(command: str, *args: str) -> tuple[int, str, str]:
    """Run a management command; returns (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_checkpoint_command_prints_the_document_and_a_summary(key_file):
    make_log(2, 4)
    status, out, err = run("checkpoint")
    assert status == 0
    document = json.loads(out)
    assert [s["stream"] for s in document["streams"]] == ["tournament:0", "tournament:1"]
    assert verify_checkpoint(document).ok
    assert "2 streams, 8 events" in err
    assert document["key_id"] in err


@pytest.mark.django_db
def test_checkpoint_command_writes_the_file_and_verify_integrity_accepts_it(key_file, tmp_path):
    make_log(3, 5)
    target = tmp_path / "checkpoints" / "today.json"
    target.parent.mkdir()
    status, out, err = run("checkpoint", "--output", str(target))
    assert (status, out) == (0, "")
    assert str(target) in err

    status, out, err = run("verify_integrity", "--checkpoint", str(target))
    assert status == 0, out
    assert out.splitlines()[-1].startswith("OK  3 streams, 15 events: every chain intact")
    assert "3/3 heads still in the log" in out


@pytest.mark.django_db
def test_verify_integrity_names_the_broken_stream_and_exits_1():
    make_log(3, 5)
    Event.objects.filter(stream="tournament:1", seq=3).update(data={"match_id": 0})
    StreamHead.objects.filter(stream="tournament:2").update(seq=7)
    status, out, _ = run("verify_integrity")
    assert status == 1
    lines = out.splitlines()
    assert "FAIL  tournament:1  hash_mismatch at seq 3:" in lines[0]
    assert "WARN  tournament:2  head_mismatch at seq 7:" in lines[1]
    assert lines[-1] == "PROBLEMS  3 streams, 15 events: 1 with a broken chain, 1 with warnings"


@pytest.mark.django_db
def test_verify_integrity_json_report(key_file, tmp_path):
    make_log(2, 5)
    checkpoint = tmp_path / "c.json"
    checkpoint.write_text(json.dumps(create_checkpoint()))
    Event.objects.filter(stream="tournament:0", seq=5).delete()
    status, out, _ = run("verify_integrity", "--json", "--checkpoint", str(checkpoint))
    assert status == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert (report["streams_checked"], report["events_checked"]) == (2, 9)
    assert [p["stream"] for p in report["problems"]] == ["tournament:0"]
    assert report["problems"][0]["warnings"][0]["kind"] == "head_mismatch"
    streams = report["checkpoint"]["streams"]
    assert streams[0]["problem"]["kind"] == "stream_truncated"
    assert streams[1]["ok"] is True


@pytest.mark.django_db
def test_verify_integrity_of_one_stream(key_file, tmp_path):
    make_log(2, 5)
    checkpoint = tmp_path / "c.json"
    checkpoint.write_text(json.dumps(create_checkpoint()))
    Event.objects.filter(stream="tournament:0", seq=2).update(at_us=0)

    status, out, _ = run(
        "verify_integrity", "--stream", "tournament:1", "--checkpoint", str(checkpoint)
    )
    assert status == 0
    assert out.splitlines()[-1].startswith("OK  1 stream, 5 events")
    assert "1/1 heads" in out

    status, out, _ = run("verify_integrity", "--stream", "tournament:0")
    assert status == 1
    assert "hash_mismatch at seq 2" in out

    status, out, _ = run("verify_integrity", "--stream", "tournament:typo")
    assert status == 1
    assert "no such stream" in out


@pytest.mark.django_db
def test_verify_integrity_detects_a_rewrite_only_with_the_checkpoint(key_file, tmp_path):
    make_log(1, 8)
    checkpoint = tmp_path / "c.json"
    checkpoint.write_text(json.dumps(create_checkpoint()))
    Event.objects.filter(stream="tournament:0", seq=3).update(data={"match_id": 1})
    rehash_from("tournament:0", 3)

    assert run("verify_integrity")[0] == 0
    status, out, _ = run("verify_integrity", "--checkpoint", str(checkpoint))
    assert status == 1
    assert "FAIL  tournament:0  diverged at seq 8:" in out
    assert "0/1 heads still in the log" in out


@pytest.mark.django_db
def test_verify_integrity_checks_the_checkpoint_with_a_pinned_public_key(key_file, tmp_path):
    make_log(1, 3)
    checkpoint = tmp_path / "c.json"
    checkpoint.write_text(json.dumps(create_checkpoint()))
    pinned = tmp_path / "pinned.pem"
    pinned.write_text(integrity.public_key_document()["pem"])
    assert (
        run("verify_integrity", "--checkpoint", str(checkpoint), "--public-key", str(pinned))[0]
        == 0
    )

    other = tmp_path / "other.b64"
    other.write_text(
        base64.b64encode(integrity._raw_public(Ed25519PrivateKey.generate().public_key())).decode()
    )
    status, out, _ = run(
        "verify_integrity", "--checkpoint", str(checkpoint), "--public-key", str(other)
    )
    assert status == 1
    assert "unknown_key" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), ("{not json", "is not JSON"), (b"\xff\xfe", "cannot read")],
    ids=["missing", "not-json", "not-utf8"],
)
def test_verify_integrity_exits_2_on_an_unusable_checkpoint_file(tmp_path, content, message):
    path = tmp_path / "checkpoint.json"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    status, out, err = run("verify_integrity", "--checkpoint", str(path))
    assert status == 2
    assert out == ""
    assert message in err
    assert str(path) in err


@pytest.mark.django_db
def test_verify_integrity_shows_progress_on_long_runs(monkeypatch):
    from deltacrown.kernel.management.commands import verify_integrity

    monkeypatch.setattr(integrity, "PROGRESS_EVERY", 50)
    monkeypatch.setattr(verify_integrity, "LONG_RUN_EVENTS", 100)
    make_log(2, 50)
    status, _, err = run("verify_integrity")
    assert status == 0
    assert err.splitlines() == [
        "checked 50/100 events (50%)",
        "checked 100/100 events (100%)",
    ]
