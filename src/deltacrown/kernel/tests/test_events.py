"""Kernel tests: publishing to the event log, its hashed encoding, and subscribers."""

from __future__ import annotations

import itertools
import logging
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from deltacrown.kernel import clock
from deltacrown.kernel.events import (
    GENESIS_HASH,
    canonical_event_bytes,
    event_hash,
    events_after,
    publish,
    stream_head,
    subscribe,
)
from deltacrown.kernel.models import Event, StreamHead


@pytest.fixture
def subscriber():
    """Subscribe handlers for one test only; returns (subscribe, calls) helpers."""
    unsubscribers = []

    def add(handler, names=None):
        unsubscribers.append(subscribe(handler, names=names))
        return handler

    yield add
    for unsubscribe in unsubscribers:
        unsubscribe()


def test_publish_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        publish("tournament:1", "tournament.created", {"tournament_id": 1})


def test_hashed_encoding_is_canonical_json_of_a_versioned_array():
    data = {"winner": 7, "score": [2, 1], "note": "é", "forfeit": False}
    encoded = canonical_event_bytes(
        "tournament:42", 1, GENESIS_HASH, "match.completed", data, 1_700_000_000_000_000
    )
    assert (
        encoded
        == (
            '["deltacrown.event.v1","tournament:42",1,"' + "0" * 64 + '","match.completed",'
            '{"forfeit":false,"note":"é","score":[2,1],"winner":7},1700000000000000]'
        ).encode()
    )
    # Known answer: computed once with `printf '%s' <the bytes above> | sha256sum`; if this
    # changes, every stored chain stops verifying.
    assert (
        event_hash("tournament:42", 1, GENESIS_HASH, "match.completed", data, 1_700_000_000_000_000)
        == "22a109403f606d74adfed0e0dba41fb41d0795f0978ea551f41896def326ffcc"
    )


def test_hash_ignores_key_order_but_covers_every_field():
    base = ("s:1", 3, "a" * 64, "match.completed", {"a": 1, "b": 2}, 10)
    reordered = ("s:1", 3, "a" * 64, "match.completed", {"b": 2, "a": 1}, 10)
    assert event_hash(*base) == event_hash(*reordered)
    variants = [
        ("s:2", 3, "a" * 64, "match.completed", {"a": 1, "b": 2}, 10),
        ("s:1", 4, "a" * 64, "match.completed", {"a": 1, "b": 2}, 10),
        ("s:1", 3, "b" * 64, "match.completed", {"a": 1, "b": 2}, 10),
        ("s:1", 3, "a" * 64, "match.started", {"a": 1, "b": 2}, 10),
        ("s:1", 3, "a" * 64, "match.completed", {"a": 1, "b": 3}, 10),
        ("s:1", 3, "a" * 64, "match.completed", {"a": 1, "b": 2}, 11),
        # The string "1" and the integer 1 must not collide.
        ("s:1", 3, "a" * 64, "match.completed", {"a": "1", "b": 2}, 10),
    ]
    assert len({event_hash(*variant) for variant in variants} | {event_hash(*base)}) == 8


@pytest.mark.django_db
def test_events_get_gapless_seqs_per_stream_and_a_verifiable_chain():
    records = []
    with transaction.atomic():
        for i in range(5):
            records.append(publish("tournament:1", "match.completed", {"match_id": i}))
            records.append(publish("tournament:2", "match.started", {"match_id": 100 + i}))

    for stream in ("tournament:1", "tournament:2"):
        mine = [record for record in records if record.stream == stream]
        assert [record.seq for record in mine] == [1, 2, 3, 4, 5]
        assert mine[0].prev_hash == GENESIS_HASH
        for previous, record in itertools.pairwise(mine):
            assert record.prev_hash == previous.hash
        rows = list(Event.objects.filter(stream=stream).order_by("seq"))
        for row, record in zip(rows, mine, strict=True):
            assert (row.seq, row.name, row.data, row.at_us, row.prev_hash, row.hash) == (
                record.seq,
                record.name,
                record.data,
                record.at_us,
                record.prev_hash,
                record.hash,
            )
            assert row.hash == event_hash(
                row.stream, row.seq, row.prev_hash, row.name, row.data, row.at_us
            )
        assert stream_head(stream) == (5, mine[-1].hash)


@pytest.mark.django_db
def test_event_time_comes_from_the_injectable_clock():
    moment = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    with clock.frozen(moment) as frozen, transaction.atomic():
        first = publish("tournament:1", "tournament.created", {})
        frozen.advance(timedelta(seconds=2))
        second = publish("tournament:1", "tournament.opened", {})
    assert first.at == moment
    assert first.at_us == 1_772_368_215_123_456
    assert second.at == moment + timedelta(seconds=2)
    assert clock.now() != moment


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        1.5,
        0.0,
        math.nan,
        math.inf,
        Decimal("1.5"),
        datetime(2026, 1, 1, tzinfo=UTC),
        b"bytes",
        {1, 2},
        object(),
    ],
    ids=["float", "zero-float", "nan", "inf", "decimal", "datetime", "bytes", "set", "object"],
)
def test_non_integer_or_non_json_data_is_refused_and_nothing_is_written(value):
    with transaction.atomic(), pytest.raises(TypeError):
        publish("tournament:1", "match.completed", {"nested": {"list": [1, value]}})
    assert not Event.objects.exists()
    assert not StreamHead.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({1: "non-string key"}, TypeError),
        (["not", "a", "dict"], TypeError),
        ({"too_big": 2**63}, ValueError),
        ({"nul": "a\x00b"}, ValueError),
        ({"surrogate": "\ud800"}, ValueError),
    ],
    ids=["int-key", "list", "int64-overflow", "nul", "lone-surrogate"],
)
def test_data_that_cannot_be_stored_exactly_is_refused(data, error):
    with transaction.atomic(), pytest.raises(error):
        publish("tournament:1", "match.completed", data)
    assert not Event.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stream", "name"),
    [
        ("", "match.completed"),
        ("tournament 1", "match.completed"),
        ("x" * 129, "match.completed"),
        ("tournament:1", "Match.Completed"),
        ("tournament:1", "match..completed"),
        ("tournament:1", "m" * 65),
    ],
)
def test_malformed_stream_or_event_names_are_refused(stream, name):
    with transaction.atomic(), pytest.raises(ValueError, match="must be"):
        publish(stream, name, {})


@pytest.mark.django_db
def test_the_published_data_is_a_copy_the_caller_cannot_change_later():
    data = {"team_ids": [1, 2]}
    with transaction.atomic():
        record = publish("tournament:1", "bracket.seeded", data)
    data["team_ids"].append(3)
    assert record.data == {"team_ids": [1, 2]}
    assert record.hash == Event.objects.get().hash


@pytest.mark.django_db(transaction=True)
def test_subscribers_run_only_after_commit_and_in_publish_order(subscriber):
    seen = []
    subscriber(lambda record: seen.append((record.stream, record.seq, record.name)))

    with transaction.atomic():
        publish("tournament:1", "match.started", {"match_id": 1})
        publish("tournament:2", "match.started", {"match_id": 2})
        publish("tournament:1", "match.completed", {"match_id": 1})
        assert seen == []  # nothing is visible to subscribers before the commit

    assert seen == [
        ("tournament:1", 1, "match.started"),
        ("tournament:2", 1, "match.started"),
        ("tournament:1", 2, "match.completed"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_calls_no_subscriber_and_leaves_no_event(subscriber):
    seen = []
    subscriber(seen.append)

    class Abort(Exception):
        pass

    @transaction.atomic
    def service_that_fails_after_publishing():
        publish("tournament:1", "match.completed", {"match_id": 1})
        raise Abort

    with pytest.raises(Abort):
        service_that_fails_after_publishing()

    assert seen == []
    assert not Event.objects.exists()
    assert stream_head("tournament:1") == (0, GENESIS_HASH)
    # The stream continues from where the committed history left it.
    with transaction.atomic():
        assert publish("tournament:1", "match.completed", {"match_id": 1}).seq == 1
    assert [record.seq for record in seen] == [1]


@pytest.mark.django_db
def test_an_event_in_a_rolled_back_savepoint_reaches_no_subscriber(
    subscriber, django_capture_on_commit_callbacks
):
    seen = []
    subscriber(seen.append)
    with django_capture_on_commit_callbacks(execute=True):
        publish("tournament:1", "match.started", {"match_id": 1})
        try:
            with transaction.atomic():
                publish("tournament:1", "match.completed", {"match_id": 1})
                raise ValueError("the service gave up")
        except ValueError:
            pass
        publish("tournament:1", "match.cancelled", {"match_id": 1})
    assert [(record.seq, record.name) for record in seen] == [
        (1, "match.started"),
        (2, "match.cancelled"),
    ]


@pytest.mark.django_db
def test_a_failing_subscriber_is_logged_without_data_and_others_still_run(
    subscriber, django_capture_on_commit_callbacks, caplog
):
    seen = []

    def broken(record):
        raise RuntimeError("subscriber bug")

    subscriber(broken)
    subscriber(seen.append)

    with (
        caplog.at_level(logging.ERROR, logger="deltacrown.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish("tournament:9", "match.completed", {"player_id": 987654321})
        publish("tournament:9", "match.completed", {"player_id": 987654322})

    assert [record.seq for record in seen] == [1, 2]
    assert Event.objects.filter(stream="tournament:9").count() == 2
    failures = [r for r in caplog.records if r.name == "deltacrown.events"]
    assert len(failures) == 2
    first = failures[0]
    assert (first.stream, first.seq, first.event_name) == ("tournament:9", 1, "match.completed")
    assert first.subscriber.endswith("broken")
    assert first.exc_info is not None
    assert "subscriber bug" in caplog.text
    assert "987654321" not in caplog.text


@pytest.mark.django_db
def test_subscriptions_select_events_by_exact_name_or_prefix(
    subscriber, django_capture_on_commit_callbacks
):
    matches, registrations, everything = [], [], []
    subscriber(lambda r: matches.append(r.name), names=["match.*"])
    subscriber(lambda r: registrations.append(r.name), names=["registration.created"])
    subscriber(lambda r: everything.append(r.name), names=["*"])

    with django_capture_on_commit_callbacks(execute=True):
        for name in (
            "match.started",
            "registration.created",
            "match.score.updated",
            "matchday.opened",
            "registration.withdrawn",
        ):
            publish("tournament:1", name, {})

    assert matches == ["match.started", "match.score.updated"]
    assert registrations == ["registration.created"]
    assert len(everything) == 5


@pytest.mark.django_db
def test_an_unsubscribed_handler_receives_nothing(django_capture_on_commit_callbacks):
    seen = []
    unsubscribe = subscribe(seen.append)
    unsubscribe()
    with django_capture_on_commit_callbacks(execute=True):
        publish("tournament:1", "match.started", {})
    assert seen == []


@pytest.mark.parametrize("names", ["match.*", [], ["Match.*"], ["match.**"], [""]], ids=repr)
def test_malformed_subscriptions_are_refused(names):
    with pytest.raises((TypeError, ValueError)):
        subscribe(print, names=names)


@pytest.mark.django_db
def test_events_after_returns_the_committed_tail_in_order():
    with transaction.atomic():
        for i in range(1, 8):
            publish("tournament:1", "match.completed", {"match_id": i})
        publish("tournament:2", "match.completed", {"match_id": 99})

    tail = events_after("tournament:1", 3, limit=2)
    assert [(record.seq, record.data) for record in tail] == [
        (4, {"match_id": 4}),
        (5, {"match_id": 5}),
    ]
    assert tail[0].prev_hash == events_after("tournament:1", 2, limit=1)[0].hash
    assert events_after("tournament:1", 7) == []
    assert [record.seq for record in events_after("tournament:1", 0)] == list(range(1, 8))
    with pytest.raises(ValueError, match="limit"):
        events_after("tournament:1", 0, limit=0)


@pytest.mark.django_db
def test_stream_head_of_an_unknown_stream_is_genesis():
    assert stream_head("tournament:404") == (0, GENESIS_HASH)
