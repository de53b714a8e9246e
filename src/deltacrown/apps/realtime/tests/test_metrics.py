"""Realtime metrics as a Prometheus scrape sees them: every series the helpers move shows up in
``GET /metrics`` with bounded labels."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from deltacrown.apps.realtime import metrics

Labels = tuple[tuple[str, str], ...]


def _scrape() -> dict[str, dict[Labels, float]]:
    """Every sample of ``GET /metrics``, by sample name and sorted labels."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    samples: dict[str, dict[Labels, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples


def _value(samples: dict[str, dict[Labels, float]], name: str, **labels: str) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


def test_every_realtime_series_is_scraped_before_anything_happens():
    samples = _scrape()

    for name in (
        "deltacrown_realtime_connections",
        "deltacrown_realtime_messages_out_total",
        "deltacrown_realtime_messages_in_total",
        "deltacrown_realtime_dropped_messages_total",
        "deltacrown_realtime_gaps_total",
    ):
        for endpoint in ("tournament", "match"):
            assert (("endpoint", endpoint),) in samples[name], (name, endpoint)
    assert (("reason", "room_full"),) in samples["deltacrown_realtime_rate_limited_total"]
    assert (("reason", "expired"),) in samples["deltacrown_realtime_auth_failures_total"]
    assert "deltacrown_realtime_limits_failed_open_total" in samples
    assert "deltacrown_realtime_delivery_latency_seconds_count" in samples


def test_connections_are_counted_while_open_and_closes_by_code():
    before = _scrape()

    metrics.connection_opened("tournament")
    metrics.connection_opened("tournament")
    metrics.connection_opened("match")
    open_now = _scrape()
    metrics.connection_closed("tournament", 4012)
    metrics.connection_closed("match", 1000)
    metrics.connection_closed("tournament", 4003, joined=False)  # refused during admission
    after = _scrape()

    gauge = "deltacrown_realtime_connections"
    closes = "deltacrown_realtime_closes_total"
    assert (
        _value(open_now, gauge, endpoint="tournament")
        == _value(before, gauge, endpoint="tournament") + 2
    )
    assert (
        _value(after, gauge, endpoint="tournament")
        == _value(before, gauge, endpoint="tournament") + 1
    )
    assert _value(after, gauge, endpoint="match") == _value(before, gauge, endpoint="match")
    for endpoint, code in (("tournament", "4012"), ("match", "1000"), ("tournament", "4003")):
        assert _value(after, closes, endpoint=endpoint, code=code) == (
            _value(before, closes, endpoint=endpoint, code=code) + 1
        )


def test_messages_drops_and_gaps_are_counted_per_endpoint():
    before = _scrape()

    metrics.delivered("tournament", 2000)
    metrics.delivered("match")
    metrics.received("match", 3)
    metrics.dropped("tournament", 5)
    metrics.gap_sent("tournament")
    after = _scrape()

    expected = {
        ("deltacrown_realtime_messages_out_total", "tournament"): 2000,
        ("deltacrown_realtime_messages_out_total", "match"): 1,
        ("deltacrown_realtime_messages_in_total", "match"): 3,
        ("deltacrown_realtime_messages_in_total", "tournament"): 0,
        ("deltacrown_realtime_dropped_messages_total", "tournament"): 5,
        ("deltacrown_realtime_gaps_total", "tournament"): 1,
        ("deltacrown_realtime_gaps_total", "match"): 0,
    }
    for (name, endpoint), increase in expected.items():
        grown = _value(after, name, endpoint=endpoint) - _value(before, name, endpoint=endpoint)
        assert grown == increase, (name, endpoint)


def test_reasons_and_close_codes_outside_the_known_sets_share_the_other_label():
    before = _scrape()

    metrics.rate_limited("messages")
    metrics.rate_limited("made-up reason")
    metrics.auth_failed("expired")
    metrics.auth_failed("user 42 tried")
    metrics.connection_closed("match", 3999, joined=False)
    metrics.limits_failed_open()
    after = _scrape()

    def grown(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grown("deltacrown_realtime_rate_limited_total", reason="messages") == 1
    assert grown("deltacrown_realtime_rate_limited_total", reason="other") == 1
    assert grown("deltacrown_realtime_auth_failures_total", reason="expired") == 1
    assert grown("deltacrown_realtime_auth_failures_total", reason="other") == 1
    assert grown("deltacrown_realtime_closes_total", endpoint="match", code="other") == 1
    assert grown("deltacrown_realtime_limits_failed_open_total") == 1
    label_values = {value for series in after.values() for labels in series for _, value in labels}
    assert not {"made-up reason", "user 42 tried", "3999"} & label_values


@pytest.mark.parametrize(("age_ms", "first_bucket"), [(30, "0.05"), (300, "0.5")])
def test_delivery_latency_is_observed_from_the_events_commit_time(age_ms, first_bucket):
    name = "deltacrown_realtime_delivery_latency_seconds_bucket"
    buckets = [str(bound) for bound in metrics.LATENCY_BUCKETS]
    below = buckets[buckets.index(first_bucket) - 1]
    before = _scrape()

    metrics.latency_since(time.time_ns() // 1000 - age_ms * 1000)
    after = _scrape()

    assert _value(after, name, le=below) == _value(before, name, le=below)
    assert _value(after, name, le=first_bucket) == _value(before, name, le=first_bucket) + 1
    count = "deltacrown_realtime_delivery_latency_seconds_count"
    assert _value(after, count) == _value(before, count) + 1


def test_a_delivery_stamped_in_the_future_counts_as_immediate():
    name = "deltacrown_realtime_delivery_latency_seconds_bucket"
    before = _scrape()

    metrics.latency(-0.2)  # another machine's clock runs ahead
    after = _scrape()

    smallest = str(metrics.LATENCY_BUCKETS[0])
    assert _value(after, name, le=smallest) == _value(before, name, le=smallest) + 1
