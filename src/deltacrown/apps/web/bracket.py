"""Web app, presentation: drawing elimination brackets (trees with connector lines).

The competition app decides everything about a bracket (who plays whom, where winners and
losers go); this module only places its matches on a grid and writes the markup. Each bracket
section (winners with the grand final to its right, losers, third place, playoffs) is a canvas
of columns, one per round. A match sits level with the matches that feed it (the mean of their
heights), first-round matches stack from the top, and lines join every match to the one its
winner goes to. Positions are computed here in pixels, so the drawing needs no script.

On narrow screens the stylesheet drops the absolute positions: the columns become a plain list
of rounds, each a list of match cards, and the lines are hidden.

The markup is written in Python rather than a template because a 256-entrant double
elimination has over 500 matches and must render in milliseconds. Every text is escaped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from deltacrown.apps.competition.data import MatchStatus, MatchView, RoundView

CARD_WIDTH = 208
CARD_HEIGHT = 66
COLUMN_GAP = 40
ROW_GAP = 12
HEADER_HEIGHT = 36
PITCH = CARD_HEIGHT + ROW_GAP

#: Brackets drawn as trees; rounds of other stages (groups, Swiss, lobbies) are tables.
TREE_BRACKETS = ("winners", "losers", "grand_final", "third_place")

_LIVE = frozenset({MatchStatus.LIVE, MatchStatus.PENDING_RESULT, MatchStatus.DISPUTED})
_DECIDED = frozenset({MatchStatus.COMPLETED, MatchStatus.FORFEIT})


@dataclass(frozen=True)
class Canvas:
    """One drawn section of a bracket: its title and its rounds, left to right."""

    key: str
    title: str
    rounds: tuple[RoundView, ...]


def canvases(rounds: Sequence[RoundView], *, playoffs: bool = False) -> list[Canvas]:
    """The tree sections of a stage: winners (the grand final appended to its right), losers,
    third place. Rounds that are not part of a tree (groups, Swiss, lobbies) are left out."""
    by_bracket: dict[str, list[RoundView]] = defaultdict(list)
    for rnd in rounds:
        if rnd.bracket not in TREE_BRACKETS:
            continue
        # The grand final continues the winners' tree: its first match is fed by the winners'
        # final, so it is drawn as the tree's last columns.
        target = "winners" if rnd.bracket == "grand_final" else rnd.bracket
        by_bracket[target].append(rnd)
    has_losers = bool(by_bracket.get("losers"))
    titles = {
        "winners": "Winners bracket" if has_losers else ("Playoffs" if playoffs else "Bracket"),
        "losers": "Losers bracket",
        "third_place": "Third-place match",
    }
    return [
        Canvas(key=key, title=titles[key], rounds=tuple(by_bracket[key]))
        for key in ("winners", "losers", "third_place")
        if by_bracket.get(key)
    ]


@dataclass(frozen=True)
class Placed:
    """A match's place on a canvas: its column and its row (in card pitches, may be .5)."""

    match: MatchView
    column: int
    row: float


def layout(rounds: Sequence[RoundView]) -> list[Placed]:
    """Rows for every match of ``rounds`` (one column per round): a match is level with the
    mean of the matches whose winners it receives; one with none in this canvas stacks under
    the previous match of its column (or, past the first column, level with the match of the
    same position in the column before: a grand-final reset sits beside the grand final)."""
    in_canvas = {m.id for rnd in rounds for m in rnd.matches}
    feeders: dict[int, list[int]] = defaultdict(list)
    for rnd in rounds:
        for match in rnd.matches:
            if match.winner_to_id in in_canvas:
                feeders[match.winner_to_id].append(match.id)  # type: ignore[index]
    rows: dict[int, float] = {}
    placed: list[Placed] = []
    previous: list[float] = []
    for column, rnd in enumerate(rounds):
        bottom: float | None = None
        current: list[float] = []
        for index, match in enumerate(rnd.matches):
            fed = [rows[f] for f in feeders.get(match.id, ()) if f in rows]
            if fed:
                row = sum(fed) / len(fed)
            elif column and index < len(previous):
                row = previous[index]
            else:
                row = 0.0 if bottom is None else bottom + 1
            if bottom is not None and row < bottom + 1:
                row = bottom + 1
            rows[match.id] = row
            bottom = row
            current.append(row)
            placed.append(Placed(match=match, column=column, row=row))
        previous = current
    return placed


def _score(match: MatchView, slot: int) -> str:
    scores = match.scores if match.status in _DECIDED else ()
    if not scores and match.status in _LIVE:
        scores = match.live_scores
    if slot < len(scores):
        value = scores[slot]
        return str(int(value)) if float(value).is_integer() else f"{value:g}"
    return ""


def _side(match: MatchView, slot: int) -> tuple[str, str, bool]:
    """(text, class, is a known participant) of one side of a card."""
    if slot >= len(match.slots):
        return ("Bye" if match.is_bye else "TBD", "bm-tbd", False)
    side = match.slots[slot]
    if side.participant_id is not None:
        won = match.winner_id is not None and match.winner_id == side.participant_id
        lost = match.winner_id is not None and not won
        return (
            side.name or f"#{side.participant_id}",
            "bm-win" if won else ("bm-lost" if lost else ""),
            True,
        )
    if match.is_bye:
        return ("Bye", "bm-tbd", False)
    return (side.source or "TBD", "bm-tbd", False)


def _aria(match: MatchView, sides: list[tuple[str, str, bool]], scores: list[str]) -> str:
    status = match.status.value.replace("_", " ")
    left = f"{sides[0][0]} {scores[0]}".strip()
    right = f"{sides[1][0]} {scores[1]}".strip()
    return f"Match {match.key}: {left} versus {right}, {status}"


#: Card markup by match view, without its position: the competition app hands out the same
#: view object while its match is unchanged, so a bracket drawn again after a result writes
#: only the cards of the matches that moved. Keyed by the view's identity, the view kept with
#: it (its id cannot be reused while it is held); bounded, least recently used dropped first.
_CARDS: OrderedDict[int, tuple[MatchView, str, str]] = OrderedDict()
_CARDS_KEPT = 8192
_cards_lock = threading.Lock()
_TOP = "\x00"


def _card_at(match: MatchView, top: int) -> str:
    """``card(match, top=top)``, written once per match view."""
    with _cards_lock:
        kept = _CARDS.get(id(match))
        if kept is not None and kept[0] is match:
            _CARDS.move_to_end(id(match))
    if kept is None or kept[0] is not match:
        before, _, after = _card(match, style=_TOP).partition(_TOP)
        kept = (match, before, after)
        with _cards_lock:
            _CARDS[id(match)] = kept
            while len(_CARDS) > _CARDS_KEPT:
                _CARDS.popitem(last=False)
    return f'{kept[1]} style="top:{top}px"{kept[2]}'


def card(match: MatchView, *, top: int | None = None) -> str:
    """The markup of one match card (a link to the match page)."""
    return _card(match, style=f' style="top:{top}px"' if top is not None else "")


def _card(match: MatchView, *, style: str) -> str:
    sides = [_side(match, 0), _side(match, 1)]
    scores = [_score(match, 0), _score(match, 1)]
    players = " ".join(f"p{pid}" for pid in match.participant_ids)
    status = match.status.value
    rows = "".join(
        f'<span class="bm-row {cls}"><span class="bm-name">{escape(text)}</span>'
        f'<span class="bm-score" data-s="{slot}">{escape(score)}</span></span>'
        for slot, ((text, cls, _), score) in enumerate(zip(sides, scores, strict=True))
    )
    badge = _BADGES.get(status, "")
    return (
        f'<a class="bm st-{status}{" bm-bye" if match.is_bye else ""}" href="/matches/{match.id}/"'
        f' data-m="{match.id}" data-p="{players}"{style}'
        f' aria-label="{escape(_aria(match, sides, scores))}">'
        f'<span class="bm-head" aria-hidden="true"><span>{escape(match.key)}</span>{badge}</span>'
        f"{rows}</a>"
    )


_BADGES = {
    "live": '<span class="bm-live">Live</span>',
    "pending_result": '<span class="bm-flag">Result waiting</span>',
    "disputed": '<span class="bm-flag">Disputed</span>',
    "ready": '<span class="bm-flag">Ready</span>',
}


def _lines(placed: Iterable[Placed], positions: dict[int, tuple[int, int]]) -> str:
    paths = []
    for item in placed:
        target = item.match.winner_to_id
        if target is None or target not in positions:
            continue
        x1, y1 = positions[item.match.id]
        x2, y2 = positions[target]
        start_x, start_y = x1 + CARD_WIDTH, y1 + CARD_HEIGHT // 2
        end_y = y2 + CARD_HEIGHT // 2
        middle = start_x + COLUMN_GAP // 2
        paths.append(f"M{start_x} {start_y}H{middle}V{end_y}H{x2}")
    return " ".join(paths)


def render(canvas: Canvas) -> SafeString:
    """The markup of one canvas: columns of cards over an SVG of connector lines."""
    placed = layout(canvas.rounds)
    positions: dict[int, tuple[int, int]] = {}
    height = 0
    for item in placed:
        x = item.column * (CARD_WIDTH + COLUMN_GAP)
        y = HEADER_HEIGHT + round(item.row * PITCH)
        positions[item.match.id] = (x, y)
        height = max(height, y + CARD_HEIGHT)
    width = len(canvas.rounds) * (CARD_WIDTH + COLUMN_GAP) - COLUMN_GAP
    columns = []
    by_column: dict[int, list[Placed]] = defaultdict(list)
    for item in placed:
        by_column[item.column].append(item)
    for column, rnd in enumerate(canvas.rounds):
        best_of = f' <span class="bc-bo">Bo{rnd.best_of}</span>' if rnd.best_of > 1 else ""
        cards = "".join(
            _card_at(item.match, positions[item.match.id][1] - HEADER_HEIGHT)
            for item in by_column.get(column, ())
        )
        columns.append(
            f'<div class="bc" style="left:{column * (CARD_WIDTH + COLUMN_GAP)}px">'
            f'<h4 class="bc-h">{escape(rnd.name)}{best_of}</h4>'
            f'<div class="bc-m">{cards}</div></div>'
        )
    return mark_safe(  # noqa: S308 - every text above is escaped
        f'<div class="bracket-scroll" data-keep-scroll="{escape(canvas.key)}">'
        f'<div class="bracket-canvas" style="width:{width}px;height:{height}px">'
        f'<svg class="bracket-lines" width="{width}" height="{height}" aria-hidden="true"'
        f' focusable="false"><path d="{_lines(placed, positions)}"/></svg>'
        f"{''.join(columns)}</div></div>"
    )


def row(match: MatchView) -> str:
    """The markup of a match in a list (a link to the match page): sides, score, status."""
    sides = [_side(match, 0), _side(match, 1)]
    scores = [_score(match, 0), _score(match, 1)]
    players = " ".join(f"p{pid}" for pid in match.participant_ids)
    status = match.status.value
    if any(scores):
        middle = (
            f'<span><span data-s="0">{escape(scores[0])}</span>\N{EN DASH}'
            f'<span data-s="1">{escape(scores[1])}</span></span>'
        )
    else:
        middle = "<span>vs</span>"
    meta = [f"<span>{escape(match.key)}</span>"]
    if status == "live":
        meta.append('<span class="badge badge-live">Live</span>')
    elif status != "completed":
        meta.append(f"<span>{escape(status.replace('_', ' ').capitalize())}</span>")
    if match.scheduled_at is not None:
        moment = match.scheduled_at
        meta.append(
            f'<span><time datetime="{moment.isoformat()}" data-local="datetime">'
            f"{moment.strftime('%d %b %Y, %H:%M UTC')}</time></span>"
        )
    return (
        f'<li><a class="mrow st-{status}" href="/matches/{match.id}/" data-m="{match.id}"'
        f' data-p="{players}" aria-label="{escape(_aria(match, sides, scores))}">'
        f'<span class="a {sides[0][1]}">{escape(sides[0][0])}</span>'
        f'<span class="mid" aria-hidden="true">{middle}</span>'
        f'<span class="b {sides[1][1]}">{escape(sides[1][0])}</span>'
        f'<span class="meta" aria-hidden="true">{"".join(meta)}</span></a></li>'
    )
