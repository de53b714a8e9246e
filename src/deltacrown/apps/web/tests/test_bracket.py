"""Drawing elimination brackets: where each match sits and which lines join them (no database)."""

from __future__ import annotations

import dataclasses
import re

from deltacrown.apps.competition.data import MatchStatus, MatchView, RoundView, SlotView
from deltacrown.apps.web import bracket


def _match(
    match_id: int, key: str, *, to: int | None = None, names: tuple[str | None, ...] = (None, None)
) -> MatchView:
    return MatchView(
        id=match_id,
        tournament_id=1,
        stage_id=1,
        round_id=0,
        key=key,
        group="winners",
        bracket="winners",
        round_number=0,
        number=match_id,
        status=MatchStatus.SCHEDULED,
        best_of=1,
        is_bye=False,
        slots=tuple(
            SlotView(participant_id=i + 1 if n else None, name=n, source="Seed")
            for i, n in enumerate(names)
        ),
        scores=(),
        live_scores=(),
        winner_id=None,
        loser_id=None,
        winner_to_id=to,
        loser_to_id=None,
        outcome="",
        scheduled_at=None,
    )


def _round(number: int, *matches: MatchView, bracket_name: str = "winners") -> RoundView:
    return RoundView(
        id=number,
        group=bracket_name,
        bracket=bracket_name,
        number=number,
        name=f"Round {number}",
        best_of=1,
        matches=matches,
    )


def _rows(rounds: list[RoundView]) -> dict[str, float]:
    return {placed.match.key: placed.row for placed in bracket.layout(rounds)}


def test_each_match_sits_level_with_the_matches_that_feed_it():
    rounds = [
        _round(1, _match(1, "W1.1", to=5), _match(2, "W1.2", to=5), _match(3, "W1.3", to=6),
               _match(4, "W1.4", to=6)),
        _round(2, _match(5, "W2.1", to=7), _match(6, "W2.2", to=7)),
        _round(3, _match(7, "W3.1")),
    ]  # fmt: skip
    assert _rows(rounds) == {
        "W1.1": 0, "W1.2": 1, "W1.3": 2, "W1.4": 3, "W2.1": 0.5, "W2.2": 2.5, "W3.1": 1.5,
    }  # fmt: skip


def test_a_grand_final_reset_sits_beside_the_grand_final():
    rounds = [
        _round(1, _match(1, "W1.1", to=3), _match(2, "W1.2", to=3)),
        _round(2, _match(3, "W2.1", to=4)),
        _round(3, _match(4, "GF1"), bracket_name="grand_final"),
        _round(4, _match(5, "GF2"), bracket_name="grand_final"),
    ]
    rows = _rows(rounds)
    assert rows["GF1"] == rows["W2.1"] == 0.5
    assert rows["GF2"] == rows["GF1"]


def test_losers_rounds_that_take_dropped_players_stay_level_with_their_feeder():
    rounds = [
        _round(1, _match(1, "L1.1", to=3), _match(2, "L1.2", to=4), bracket_name="losers"),
        _round(2, _match(3, "L2.1", to=5), _match(4, "L2.2", to=5), bracket_name="losers"),
        _round(3, _match(5, "L3.1"), bracket_name="losers"),
    ]
    assert _rows(rounds) == {"L1.1": 0, "L1.2": 1, "L2.1": 0, "L2.2": 1, "L3.1": 0.5}


def test_the_grand_final_is_drawn_in_the_winners_tree_and_the_losers_apart():
    rounds = [
        _round(1, _match(1, "W1.1", to=2)),
        _round(2, _match(2, "GF1"), bracket_name="grand_final"),
        _round(3, _match(3, "L1.1"), bracket_name="losers"),
        _round(4, _match(4, "3P"), bracket_name="third_place"),
    ]
    drawn = bracket.canvases(rounds)
    assert [(c.title, [r.matches[0].key for r in c.rounds]) for c in drawn] == [
        ("Winners bracket", ["W1.1", "GF1"]),
        ("Losers bracket", ["L1.1"]),
        ("Third-place match", ["3P"]),
    ]


def test_lines_join_each_match_to_where_its_winner_goes():
    rounds = [
        _round(1, _match(1, "W1.1", to=3), _match(2, "W1.2", to=3)),
        _round(2, _match(3, "W2.1")),
    ]
    html = str(bracket.render(bracket.Canvas(key="winners", title="Bracket", rounds=tuple(rounds))))
    path = re.search(r'<path d="([^"]*)"', html).group(1)
    assert path.count("M") == 2
    assert html.count('class="bm ') == 3


def test_card_text_is_escaped_and_names_the_match_for_screen_readers():
    match = _match(9, "W1.1", names=("<b>Ace</b>", "Blitz & Co"))
    html = bracket.card(match)
    assert "<b>" not in html
    assert "&lt;b&gt;Ace&lt;/b&gt;" in html
    label = "Match W1.1: &lt;b&gt;Ace&lt;/b&gt; versus Blitz &amp; Co, scheduled"
    assert f'aria-label="{label}"' in html
    assert 'data-p="p1 p2"' in html


def test_cards_written_once_per_match_view_are_the_cards_of_that_view():
    final = _match(3, "W2.1", names=("Ada", None))
    first = _match(1, "W1.1", to=3, names=("Ada", "Bo"))
    rounds = [_round(1, first, _match(2, "W1.2", to=3)), _round(2, final)]
    canvas = bracket.Canvas(key="winners", title="Winners", rounds=tuple(rounds))
    drawn = str(bracket.render(canvas))
    assert str(bracket.render(canvas)) == drawn  # the kept cards, the same markup
    top = re.search(r'data-m="1"[^>]* style="top:(\d+)px"', drawn)
    assert top is not None
    assert bracket.card(first, top=int(top.group(1))) in drawn

    # The match moves on: a new view of it, never the card kept for the old one.
    decided = dataclasses.replace(
        first, status=MatchStatus.COMPLETED, scores=(2, 1), winner_id=1, loser_id=2
    )
    rounds[0] = _round(1, decided, _match(2, "W1.2", to=3))
    redrawn = str(
        bracket.render(bracket.Canvas(key="winners", title="Winners", rounds=tuple(rounds)))
    )
    assert bracket.card(decided, top=int(top.group(1))) in redrawn
    assert bracket.card(first, top=int(top.group(1))) not in redrawn
