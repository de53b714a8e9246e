"""Web app, reads: a tab's cached markup carried forward across live score updates.

A tab is cached under the tournament's stream head, so every event makes the next visitor draw
it again. Most events of a tournament being played are live scores (``match.score_updated``):
they change the score on one match's card or row and nothing else a tab shows. So when the
cached markup of an earlier head is at hand and every event since is a live score, the new
markup is that markup with the cards and rows of the scored matches drawn again (one small
read), not the whole tab: a 511-match bracket costs a few milliseconds instead of tens.

The carried markup is trusted only along the same chain of events: the events read since must
follow on from the cached head's hash and end at the page's head. A tab whose cached markup
shows a scored match some other way (a battle-royale lobby table), an event of any other kind,
a long run of events or markup older than ``PANEL_CACHE_SECONDS`` all mean a full drawing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.safestring import mark_safe

from deltacrown.apps.competition import api as competition
from deltacrown.apps.competition.data import MATCH_SCORE_UPDATED, MatchView
from deltacrown.apps.web import bracket
from deltacrown.apps.web.pages.common import PANEL_CACHE_SECONDS, tournament_stream
from deltacrown.kernel import events

#: Events whose only mark on a tab is the score of the match they name.
SCORE_ONLY = frozenset({MATCH_SCORE_UPDATED})
#: Tabs that show no live score: live scores leave their markup as it is.
UNSCORED_TABS = frozenset({"overview", "participants", "standings"})
#: At most this many events are carried over; beyond, drawing the tab again is cheaper.
MAX_CARRIED_EVENTS = 100

#: How a match's card (``bracket.card``) and row (``bracket.row``) open.
_CARD_OPENING = '<a class="bm '
_ROW_OPENING = '<a class="mrow '
_CARD_TOP = re.compile(r' style="top:(\d+)px"')


@dataclass(frozen=True)
class Drawn:
    """A tab's markup as of a stream position, and when it was drawn from the database."""

    seq: int
    hash: str
    markup: str
    drawn_at: float


def latest_key(tournament_id: int, tab: str, stage_key: int | str) -> str:
    return f"web:panel:latest:v1:{tournament_id}:{tab}:{stage_key}"


def remember(key: str, drawn: Drawn) -> None:
    """Keep ``drawn`` as the latest markup of its tab (for the next head to carry forward)."""
    cache.set(key, drawn, PANEL_CACHE_SECONDS)


def carried(
    key: str, *, tournament_id: int, tab: str, head_seq: int, head_hash: str
) -> Drawn | None:
    """The tab's markup at ``head_seq``, carried forward from the latest drawn one; None when
    it cannot be (the caller draws the tab)."""
    latest: Drawn | None = cache.get(key)
    if latest is None or not latest.seq < head_seq <= latest.seq + MAX_CARRIED_EVENTS:
        return None
    if time.time() - latest.drawn_at >= PANEL_CACHE_SECONDS:
        return None
    since = events.events_after(
        tournament_stream(tournament_id), latest.seq, limit=head_seq - latest.seq
    )
    chained = (
        len(since) == head_seq - latest.seq
        and since[0].prev_hash == latest.hash
        and since[-1].hash == head_hash
    )
    if not chained or any(record.name not in SCORE_ONLY for record in since):
        return None
    markup = latest.markup
    if tab not in UNSCORED_TABS:
        scored = {int(record.data["match_id"]) for record in since}
        views = competition.match_views(tournament_id, match_ids=scored, limit=len(scored))
        redrawn = redraw(markup, views, scored)
        if redrawn is None:
            return None
        # Drawn markup with cards and rows that escape every text (``bracket``).
        markup = mark_safe(redrawn)  # noqa: S308
    return Drawn(seq=head_seq, hash=head_hash, markup=markup, drawn_at=latest.drawn_at)


def redraw(markup: str, views: list[MatchView], match_ids: Collection[int]) -> str | None:
    """``markup`` with every card and row of ``match_ids`` drawn again from ``views``; None if
    a match is missing or shown in a way that is not a card or a row."""
    by_id = {view.id: view for view in views}
    if set(match_ids) - by_id.keys():
        return None
    spans: list[tuple[int, int, str]] = []
    for match_id in match_ids:
        view = by_id[match_id]
        needle = f' href="/matches/{match_id}/" data-m="{match_id}"'
        at = markup.find(f' data-m="{match_id}"')
        while at != -1:
            opened = markup.rfind("<", 0, at)
            head = markup[opened : markup.index(">", at) + 1]
            if head.startswith(_CARD_OPENING) and needle in head:
                end = markup.index("</a>", at) + len("</a>")
                top = _CARD_TOP.search(head)
                spans.append(
                    (opened, end, bracket.card(view, top=int(top.group(1)) if top else None))
                )
            elif (
                head.startswith(_ROW_OPENING)
                and needle in head
                and markup.endswith("<li>", 0, opened)
            ):
                end = markup.index("</a></li>", at) + len("</a></li>")
                spans.append((opened - len("<li>"), end, bracket.row(view)))
            else:
                return None  # shown some other way (a lobby table): draw the tab again
            at = markup.find(f' data-m="{match_id}"', end)
    spans.sort()
    pieces, done = [], 0
    for start, end, replacement in spans:
        pieces += [markup[done:start], replacement]
        done = end
    pieces.append(markup[done:])
    return "".join(pieces)
