"""Tournaments app, public interface: what other apps may import from tournaments.

Other apps (registrations, competition, web) import only this module and ``data``. Functions
take and return ids and ``data`` objects (``TournamentRef``, ``FieldSpec``), never model
instances. Lifecycle changes reach higher apps as events (``tournament.check_in``,
``tournament.live``, ``tournament.completed``, ... on ``tournament:<id>``); the registrations
app tells this app who plays through ``register_player_check``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from deltacrown.apps.tournaments import roles, selectors, services
from deltacrown.apps.tournaments.data import (
    Actor,
    DemoTournaments,
    FieldSpec,
    Region,
    TournamentCard,
    TournamentDetail,
    TournamentRef,
    TournamentStatus,
)
from deltacrown.apps.tournaments.services import demo_formats

__all__ = [
    "answers_validate",
    "is_organizer",
    "is_staff_of",
    "register_player_check",
    "registration_fields",
    "seed_demo",
    "seed_demo_formats",
    "stage_plan",
    "tournament_complete",
    "tournament_detail_for",
    "tournament_directory",
    "tournament_get",
    "tournament_get_for",
    "tournament_refs",
]


def tournament_get(tournament_id: int) -> TournamentRef:
    """The tournament with ``tournament_id`` whatever its visibility; raises
    ``TournamentNotFound`` (404 ``tournament_not_found``) if it does not exist or was deleted.

    For callers that check permissions themselves; use ``tournament_get_for`` on behalf of a
    user.
    """
    return selectors.tournament_ref(selectors.tournament_row(tournament_id=tournament_id))


def tournament_get_for(
    viewer: Actor | None, tournament_id: int, *, invite_token: str | None = None
) -> TournamentRef:
    """The tournament if ``viewer`` may see it (drafts: its staff; private: staff, players and
    holders of the invite token); 404 ``tournament_not_found`` otherwise."""
    tournament = selectors.tournament_get_visible(
        viewer=viewer, tournament_id=tournament_id, invite_token=invite_token
    )
    return selectors.tournament_ref(tournament)


def tournament_detail_for(
    viewer: Actor | None,
    *,
    tournament_id: int | None = None,
    slug: str | None = None,
    invite_token: str | None = None,
) -> TournamentDetail:
    """What the tournament's public page shows, found by id or slug, if ``viewer`` may see it
    (the rules of ``tournament_get_for``); 404 ``tournament_not_found`` otherwise."""
    tournament = selectors.tournament_get_visible(
        viewer=viewer, tournament_id=tournament_id, slug=slug, invite_token=invite_token
    )
    return selectors.tournament_detail(tournament)


def tournament_directory(
    *,
    q: str | None = None,
    game: str | None = None,
    region: Region | None = None,
    statuses: Collection[TournamentStatus] = (),
    ordering: str = "soonest",
    limit: int = 12,
) -> list[TournamentCard]:
    """Public, listed tournaments for the directory of the public pages (drafts, unlisted and
    private ones never appear): matching the words ``q`` (name, description, game), the game
    slug ``game`` and ``region``, with a status among ``statuses`` (any when empty), ordered
    ``soonest`` or ``latest`` start first, at most ``limit``. One query."""
    filters = selectors.DiscoveryFilters(q=q, game=game, region=region)
    rows = selectors.tournament_directory(
        filters=filters, statuses=statuses, ordering=ordering, limit=limit
    )
    return [selectors.tournament_card(row) for row in rows]


def tournament_refs(tournament_ids: Iterable[int]) -> dict[int, TournamentRef]:
    """The existing, not deleted tournaments among ``tournament_ids``, by id, in one query."""
    rows = selectors.tournament_rows(tournament_ids=tournament_ids)
    return {pk: selectors.tournament_ref(row) for pk, row in rows.items()}


def is_organizer(user_id: int, tournament_id: int) -> bool:
    """Whether the user is the tournament's owner or a co-organizer.

    Platform admins are not implied here; ``kernel.permissions.has_role`` adds them.
    """
    return roles.is_organizer(user_id, tournament_id)


def is_staff_of(user_id: int, tournament_id: int) -> bool:
    """Whether the user organizes or moderates the tournament (admins not implied)."""
    return roles.is_staff_of(user_id, tournament_id)


def register_player_check(check: Callable[[int, int], bool]) -> Callable[[], None]:
    """Plug in the answer to "does user X play in tournament Y?" (``check(user_id,
    tournament_id)``); players may then read private tournaments and hold the ``player`` role.

    Called by the registrations app in its ``AppConfig.ready``; returns a function that
    removes the check.
    """
    return roles.register_player_check(check)


def registration_fields(tournament_id: int) -> list[FieldSpec]:
    """The tournament's custom registration fields in display order (404 if it is gone)."""
    selectors.tournament_row(tournament_id=tournament_id)
    return selectors.registration_field_specs(tournament_id=tournament_id)


def answers_validate(tournament_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Registration answers checked against the tournament's fields, normalised.

    Every field's key is in the result (optional ones left out are None, toggles False).
    Raises ``ValidationFailed`` (422) whose errors name ``answers.<key>`` with a code:
    ``required``, ``unknown_field``, ``invalid_type``, ``too_long``, ``out_of_range``,
    ``invalid_choice``, ``invalid_url``, ``invalid_date``, ``invalid_reference`` or
    ``must_accept``.
    """
    return services.answers_validate(tournament_id=tournament_id, answers=answers)


def stage_plan(tournament_id: int) -> list[dict[str, Any]]:
    """The tournament's validated stage plan: ``[{"name", "format", "options",
    "participants"?, "best_of"?}]`` (docs/tournaments.md); 404 if it is gone."""
    return [
        dict(stage) for stage in selectors.tournament_row(tournament_id=tournament_id).stage_plan
    ]


def tournament_complete(tournament_id: int, *, summary: dict[str, Any]) -> bool:
    """Mark a live tournament completed because its competition finished, publishing
    ``tournament.completed`` with ``summary`` (ids and numbers) added; False (nothing done)
    when it is not live. Runs in its own transaction, or the caller's."""
    return services.tournament_complete(tournament_id=tournament_id, summary=summary)


def seed_demo() -> DemoTournaments:
    """Create the demo tournaments and the demo template if they are missing (idempotent)."""
    return services.demo_seed()


def seed_demo_formats() -> DemoTournaments:
    """Create the demo tournaments of the other formats if they are missing: a league (round
    robin), a battle royale and a Swiss stage, replayed in the past up to their start like the
    live cup of ``seed_demo``, one turn per call (idempotent)."""
    return demo_formats.demo_formats_seed()
