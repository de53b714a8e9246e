"""Web app: the demo kept live — its live tournament moves on every few seconds.

A newcomer who opens the demo's live cup (its page, its API or its WebSocket stream) sees a
score change within seconds: while ``DEMO_LIVE`` is on, a tick every ``TICK_INTERVAL`` asks the
competition to take the cup's next step as its organizer and players would (a goal, a result
reported and confirmed, the next match started). When the bracket is finished the cup
completes and the ticks find nothing left to play.

The task consumer's periodic granularity is a minute, so a task each minute queues the
next minute's ticks (``tick_delays``). That is claimed in the shared cache, so several
schedulers queue a minute once; and a tick that runs anyway too soon after the last step does
nothing (the competition checks that under the tournament's lock), so no step is taken twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition import api as competition
from deltacrown.apps.web.demo import DEMO_EMAIL_DOMAIN

TICK_INTERVAL = timedelta(seconds=5)
#: The demo tournament shown live (seeded by the tournaments demo under this name).
DEMO_CUP_NAME = "eFootball Sprint Cup"
# The demo seeds its administrator with an address in this reserved domain; an account that
# does not have one is a real administrator, whose tournaments are never played by ticks.
_DEMO_EMAIL_DOMAIN = DEMO_EMAIL_DOMAIN
# A step this soon after the last change of the cup is a duplicate of that step.
_MIN_GAP = TICK_INTERVAL / 2
_QUEUED_CLAIM = "web:demo-live:queued"
_QUEUED_CLAIM_TTL = 55  # seconds: a minute's ticks are queued once, the next minute's again


@dataclass(frozen=True)
class DemoCup:
    """The demo's live tournament and its organizer (the demo administrator)."""

    tournament_id: int
    organizer_id: int


def demo_cup() -> DemoCup | None:
    """The demo's live cup while its bracket is being played; None when there is no demo,
    the cup is over, or the administrator account is not the demo's."""
    admin = accounts.user_find(settings.DEMO_ADMIN_USERNAME)
    if admin is None or not admin.email.lower().endswith(_DEMO_EMAIL_DOMAIN):
        return None
    tournament_id = competition.demo_live_tournament(organizer_id=admin.id, name=DEMO_CUP_NAME)
    if tournament_id is None:
        return None
    return DemoCup(tournament_id=tournament_id, organizer_id=admin.id)


def tick() -> str:
    """Take the demo cup's next step; returns what was done (see
    ``competition.api.demo_tick``), ``off`` when ``DEMO_LIVE`` is off or ``absent`` when
    there is no demo cup being played."""
    if not settings.DEMO_LIVE:
        return "off"
    cup = demo_cup()
    if cup is None:
        return "absent"
    return competition.demo_tick(cup.tournament_id, organizer_id=cup.organizer_id, min_gap=_MIN_GAP)


def tick_delays() -> list[int]:
    """The delays in seconds of the ticks to queue for the next minute, one every
    ``TICK_INTERVAL``. Empty when ``DEMO_LIVE`` is off, no demo cup is being played, or
    another scheduler queued this minute's ticks already."""
    if not settings.DEMO_LIVE or demo_cup() is None:
        return []
    # Schedulers run their minutes from their own start, not on the clock's minute: the claim
    # covers the next run of whichever scheduler queued, and expires before the one after.
    if not cache.add(_QUEUED_CLAIM, 1, timeout=_QUEUED_CLAIM_TTL):
        return []
    return list(range(0, 60, int(TICK_INTERVAL.total_seconds())))
