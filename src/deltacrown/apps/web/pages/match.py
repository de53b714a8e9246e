"""Web app, reads: a match page (scoreboard, games, the result waiting, the event feed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deltacrown.apps.competition import api as competition
from deltacrown.apps.competition.data import (
    MatchDetail,
    MatchStatus,
    MatchView,
)
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import TournamentDetail
from deltacrown.apps.web.pages.common import match_stream
from deltacrown.kernel import events
from deltacrown.kernel.errors import NotFound

#: How match events read in the feed (``{a}``/``{b}``: the sides' names).
_FEED = {
    "match.ready": "Both sides are known: {a} vs {b}",
    "match.started": "Match started",
    "match.score_updated": "Live score {scores}",
    "match.result_submitted": "{who} reported a result {scores}",
    "match.completed": "Result confirmed {scores}: {winner} wins",
    "match.disputed": "The result is disputed",
    "match.reset": "The match was reset and will be played again",
    "match.cancelled": "The match was cancelled",
    "match.updated": "Match details changed",
    "dispute.resolved": "The dispute was resolved",
    "dispute.commented": "New comment in the dispute",
}


@dataclass(frozen=True)
class FeedItem:
    seq: int
    at: Any
    text: str


@dataclass(frozen=True)
class MatchPage:
    """A match page: the match, its tournament, the stream position and its event feed."""

    detail: MatchDetail
    tournament: TournamentDetail
    head_seq: int
    feed: list[FeedItem]
    mine: frozenset[int]

    @property
    def match(self) -> MatchView:
        return self.detail.match

    @property
    def stream(self) -> str:
        return match_stream(self.detail.match.id)

    @property
    def my_slot(self) -> int | None:
        """The side the viewer plays for (None: a spectator)."""
        return next(
            (i for i, s in enumerate(self.match.slots) if s.participant_id in self.mine), None
        )

    @property
    def can_act(self) -> bool:
        # Who may report is the API's decision (a team's captain, not every member); a refusal
        # is shown next to the buttons.
        return self.my_slot is not None

    @property
    def pending_by_me(self) -> bool:
        return self.detail.pending_report_by is not None and (
            self.detail.pending_report_by in self.mine
        )

    @property
    def pending_by_other(self) -> bool:
        return self.match.status is MatchStatus.PENDING_RESULT and not self.pending_by_me


def _scores(data: dict[str, Any]) -> str:
    scores = data.get("scores") or []
    return "\N{EN DASH}".join(str(s) for s in scores) if scores else ""


def feed(match: MatchView, records: Iterable[Any]) -> list[FeedItem]:
    """The match's events, newest first, as sentences with the sides' public names."""
    names = {s.participant_id: s.name for s in match.slots if s.participant_id is not None}
    a = match.slots[0].name if match.slots and match.slots[0].name else "TBD"
    b = match.slots[1].name if len(match.slots) > 1 and match.slots[1].name else "TBD"
    items = []
    for record in records:
        template = _FEED.get(record.name)
        if template is None:
            continue
        data = record.data or {}
        text = template.format(
            a=a,
            b=b,
            scores=_scores(data),
            who=names.get(data.get("participant_id"), "The organizer"),
            winner=names.get(data.get("winner_id"), "nobody"),
        )
        items.append(FeedItem(seq=record.seq, at=record.at, text=" ".join(text.split())))
    items.reverse()
    return items


FEED_SIZE = 50


def match_page(viewer: Any, match_id: int, *, invite: str = "") -> MatchPage:
    """The match if ``viewer`` may see its tournament (or ``invite`` is its invite token);
    404 ``match_not_found`` otherwise (the tournament's own 404 is not revealed)."""
    stream = match_stream(match_id)
    head_seq, _ = events.stream_head(stream)
    detail = competition.match_detail(match_id)
    try:
        tournament = tournaments.tournament_detail_for(
            viewer, tournament_id=detail.match.tournament_id, invite_token=invite or None
        )
    except NotFound as exc:
        raise NotFound("No such match.", code="match_not_found") from exc
    records = events.events_after(stream, max(0, head_seq - FEED_SIZE), FEED_SIZE)
    user_id = viewer.id if viewer is not None else None
    mine = competition.participant_ids_of(tournament.id, user_id) if user_id else frozenset()
    return MatchPage(
        detail=detail,
        tournament=tournament,
        head_seq=head_seq,
        feed=feed(detail.match, records),
        mine=mine,
    )
