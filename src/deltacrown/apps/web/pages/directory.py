"""Web app, reads: the home page's directory of live, upcoming and recent tournaments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deltacrown.apps.games import api as games
from deltacrown.apps.games.data import GameRef
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import (
    UPCOMING_STATES,
    Region,
    TournamentCard,
    TournamentStatus,
)

#: How many tournaments each list of the directory shows.
DIRECTORY_SIZE = 12


@dataclass(frozen=True)
class Filters:
    """The directory's search: words, game slug, status and region (empty: any)."""

    q: str = ""
    game: str = ""
    status: str = ""
    region: str = ""


@dataclass(frozen=True)
class Card:
    """A tournament in a list, with how many places are taken."""

    tournament: TournamentCard
    taken: int


@dataclass(frozen=True)
class Directory:
    """The home page: live, upcoming and recent tournaments, or one list of search results."""

    filters: Filters
    live: list[Card]
    upcoming: list[Card]
    recent: list[Card]
    results: list[Card] | None
    games: list[GameRef]
    statuses: list[TournamentStatus]
    regions: list[Region]


def _cards(found: list[TournamentCard], taken: dict[int, int]) -> list[Card]:
    return [Card(tournament=t, taken=taken.get(t.id, 0)) for t in found]


def directory(filters: Filters) -> Directory:
    """The home page's lists for ``filters`` (unknown values simply match nothing)."""
    region = Region(filters.region) if filters.region in Region._value2member_map_ else None
    common: dict[str, Any] = {
        "q": filters.q or None,
        "game": filters.game or None,
        "region": region,
        "limit": DIRECTORY_SIZE,
    }
    listed_statuses = [s for s in TournamentStatus if s is not TournamentStatus.DRAFT]
    if filters.status:
        status = TournamentStatus._value2member_map_.get(filters.status)
        results = (
            tournaments.tournament_directory(statuses=[status], ordering="soonest", **common)
            if status is not None and status is not TournamentStatus.DRAFT
            else []
        )
        lists: tuple[list[TournamentCard], ...] = ([], [], [], results)
    else:
        live = tournaments.tournament_directory(
            statuses=[TournamentStatus.LIVE], ordering="latest", **common
        )
        upcoming = tournaments.tournament_directory(
            statuses=sorted(UPCOMING_STATES), ordering="soonest", **common
        )
        recent = tournaments.tournament_directory(
            statuses=[TournamentStatus.COMPLETED], ordering="latest", **common
        )
        lists = (live, upcoming, recent, [])
    taken = registrations.place_counts({t.id for found in lists for t in found})
    live_cards, upcoming_cards, recent_cards, result_cards = (_cards(f, taken) for f in lists)
    return Directory(
        filters=filters,
        live=live_cards,
        upcoming=upcoming_cards,
        recent=recent_cards,
        results=result_cards if filters.status else None,
        games=games.game_list(),
        statuses=listed_statuses,
        regions=list(Region),
    )
