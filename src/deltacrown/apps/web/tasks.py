"""Web app, background tasks: the demo's live cup moved on every few seconds (Huey).

Thin: each task calls a function of ``web.live`` that also runs, and is tested, without Huey.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from deltacrown.apps.web import live


@db_task()
def demo_live_tick() -> str:
    """One step of the demo's live cup (nothing when ``DEMO_LIVE`` is off)."""
    return live.tick()


@db_periodic_task(crontab(minute="*"))
def demo_live_minute() -> int:
    """Every minute: queue this minute's demo ticks, ``live.TICK_INTERVAL`` apart; returns
    how many were queued."""
    if HUEY.immediate:
        # Tasks run inline (tests, TASKS_IMMEDIATE): no scheduler would hold the delayed ticks,
        # so the whole minute would play at once.
        return 0
    delays = live.tick_delays()
    for delay in delays:
        demo_live_tick.schedule(delay=delay)
    return len(delays)
