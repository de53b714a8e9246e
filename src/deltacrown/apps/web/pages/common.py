"""Web app, reads: what the page modules share (tab names, stream names, cache lifetime)."""

from __future__ import annotations

#: The tabs of a tournament page, in order: (slug, label).
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("participants", "Participants"),
    ("bracket", "Bracket"),
    ("standings", "Standings"),
    ("matches", "Matches"),
)
#: How long a rendered tab is kept. Its key changes with every event of the tournament, so
#: this bounds only what events do not announce: a player or team renamed in the meantime.
PANEL_CACHE_SECONDS = 120


def tournament_stream(tournament_id: int) -> str:
    return f"tournament:{tournament_id}"


def match_stream(match_id: int) -> str:
    return f"match:{match_id}"
