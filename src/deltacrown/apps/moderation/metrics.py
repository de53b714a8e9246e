"""Moderation app, observability: Prometheus counters of the enforcement gates and their cache.

Served by the kernel's ``GET /metrics``. Labels have small fixed sets of values (the actions,
the outcomes, the cache results); no label carries a user, a sanction or a tournament. The
label children are bound once here, so counting on the gate's hot path is one locked add.
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

from deltacrown.apps.moderation.data import ModerationAction

Outcome = Literal["allowed", "blocked", "disabled", "failed_open", "failed_closed"]
OUTCOMES: tuple[Outcome, ...] = ("allowed", "blocked", "disabled", "failed_open", "failed_closed")
CacheResult = Literal["hit", "miss", "bypass", "error"]
CACHE_RESULTS: tuple[CacheResult, ...] = ("hit", "miss", "bypass", "error")

GATE_CHECKS = Counter(
    "deltacrown_moderation_gate_checks",
    "Moderation gate checks by action and outcome (failed_open: the sanctions could not be read "
    "and the action was allowed; failed_closed: refused with 503).",
    ["action", "outcome"],
)
CACHE_REQUESTS = Counter(
    "deltacrown_moderation_cache_requests",
    "Reads of a user's sanctions by the gates: hit (cache), miss (database, then cached), "
    "bypass (database, not cached: a past instant or inside a transaction), error (the cache "
    "failed; the database answered).",
    ["result"],
)

_CHECKS = {
    (str(action), outcome): GATE_CHECKS.labels(str(action), outcome)
    for action in ModerationAction
    for outcome in OUTCOMES
}
_CACHE = {result: CACHE_REQUESTS.labels(result) for result in CACHE_RESULTS}


def gate_checked(action: str, outcome: Outcome) -> None:
    """Count one gate decision."""
    _CHECKS[(action, outcome)].inc()


def cache_read(result: CacheResult) -> None:
    """Count one read of a user's sanctions."""
    _CACHE[result].inc()
