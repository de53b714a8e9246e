"""Registrations app, services layer: registering, cancelling and the waitlist.

A registration is decided under the tournament's ledger lock: the checks that depend on other
registrations (is the player already in? is there a free place?) and the arrival number are
settled there, so 500 simultaneous attempts for 64 places confirm exactly 64 and waitlist the
rest in the order the lock granted them. Everything that can be checked without the lock
(window, team, roster size, gates, in-game ids, answers) is checked first so refusals are cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.games import api as games
from deltacrown.apps.games.data import GameRef
from deltacrown.apps.registrations import errors, selectors
from deltacrown.apps.registrations.data import (
    ACTIVE_STATES,
    REASON_MAX_LENGTH,
    REGISTRATION_CANCELLED,
    REGISTRATION_CREATED,
    SLOT_HOLDING_STATES,
    ParticipantKind,
    RegistrationState,
)
from deltacrown.apps.registrations.models import Payment, Registration
from deltacrown.apps.registrations.services.common import (
    actor_id,
    audit_registration,
    enter_players,
    fill_places,
    ledger_lock,
    publish,
    registration_lock,
    release_players,
    require_active,
    require_not_entered,
    require_organizer,
    require_registration_open,
    require_visible,
    slot_holders,
    started,
)
from deltacrown.apps.teams import api as teams
from deltacrown.apps.teams.data import TEAM_OBJECT_TYPE, TeamRef
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor, TournamentRef
from deltacrown.kernel import clock, gates, permissions
from deltacrown.kernel.errors import ValidationFailed, field_error
from deltacrown.kernel.permissions import Role

logger = logging.getLogger("deltacrown.registrations")

S = RegistrationState
REASON_TEAM_DISBANDED = "The team was disbanded."
_ACTIVE = [state.value for state in ACTIVE_STATES]


def registration_create(
    *,
    actor: Actor,
    tournament_id: int,
    team_id: int | None = None,
    answers: Mapping[str, Any] | None = None,
    invite_token: str | None = None,
) -> Registration:
    """Register the caller (solo tournaments) or the caller's team (team tournaments).

    Checks, in order: the tournament is visible to the caller (404
    ``tournament_not_found``; a private one needs ``invite_token``); registration is open (409
    ``registration_not_open``); ``team_id`` is given exactly for team tournaments (422), the
    team plays the tournament's game (422) and the caller captains it (403
    ``captain_required``); the roster has team size up to team size plus the game's substitutes
    (409 ``team_size_invalid``); the gates let every player register (403 with the gate's
    code); every player has a valid in-game id for the game (422 ``player_ids_missing``); the
    custom answers are valid (422); and, under the ledger lock, no player or in-game id is
    already registered (409 ``already_registered``, ``player_id_already_registered``).

    The registration takes a place if one is free (``confirmed``, or ``pending_payment`` when
    there is an entry fee) and is ``waitlisted`` otherwise.
    """
    who = actor_id(actor)
    tournament = tournaments.tournament_get_for(actor, tournament_id, invite_token=invite_token)
    require_registration_open(tournament, clock.now())
    game = games.game_get(tournament.game_id)
    kind = ParticipantKind(tournament.participant_kind)
    team: TeamRef | None = None
    if kind is ParticipantKind.SOLO:
        if team_id is not None:
            raise ValidationFailed(
                "This tournament is entered by players, not teams.",
                errors=[field_error("team_id", "not_allowed", "Leave team_id out.")],
            )
        member_ids: tuple[int, ...] = (who,)
    else:
        if team_id is None:
            raise ValidationFailed(
                "This tournament is entered by teams.",
                errors=[field_error("team_id", "required", "Name the team to register.")],
            )
        team = _eligible_team(actor, team_id, tournament, game)
        member_ids = team.member_ids
    for user_id in dict.fromkeys((who, *member_ids)):
        gates.require(user_id, gates.Action.REGISTRATION_CREATE, tournament_id=tournament_id)
    player_ids = game_player_ids(game, member_ids)
    clean_answers = tournaments.answers_validate(tournament_id, answers or {})

    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        tournament = tournaments.tournament_get(tournament_id)  # as it is under the lock
        now = clock.now()
        require_registration_open(tournament, now)
        require_not_entered(tournament_id, player_ids)
        # Places freed by a capacity increase go to those already waiting, not to a newcomer.
        fill_places(ledger, tournament, now)
        full = slot_holders(tournament_id) >= tournament.capacity
        if full:
            state = S.WAITLISTED
        else:
            state = S.PENDING_PAYMENT if tournament.has_entry_fee else S.CONFIRMED
        ledger.arrivals += 1
        ledger.save(update_fields=["arrivals"])
        registration = Registration.objects.create(
            tournament_id=tournament_id,
            kind=kind.value,
            user_id=who if team is None else None,
            team_id=team.id if team is not None else None,
            registered_by_id=who,
            state=state,
            arrival=ledger.arrivals,
            answers=clean_answers,
            created_at=now,
            updated_at=now,
            confirmed_at=now if state is S.CONFIRMED else None,
        )
        enter_players(registration, player_ids)
        if tournament.has_entry_fee:
            Payment.objects.create(
                registration=registration,
                tournament_id=tournament_id,
                amount=tournament.entry_fee_amount,
                currency=tournament.currency,
                created_at=now,
                updated_at=now,
            )
        publish(
            registration,
            REGISTRATION_CREATED,
            {
                "state": state.value,
                "arrival": registration.arrival,
                "team_id": registration.team_id,
                "user_id": registration.user_id,
                "registered_by_id": who,
            },
        )
        if who not in member_ids:
            # A platform admin registering a team they are not on.
            audit_registration(registration, REGISTRATION_CREATED, who, {"as_staff": True})
    logger.info(
        "registration created",
        extra={
            "tournament_id": tournament_id,
            "registration_id": registration.pk,
            "state": state.value,
        },
    )
    return registration


def _eligible_team(actor: Actor, team_id: int, tournament: TournamentRef, game: GameRef) -> TeamRef:
    """The team, if the caller may register it for ``tournament``; raises otherwise."""
    team = teams.team_get(team_id)
    if not team.is_active:
        raise ValidationFailed(
            "This team has been disbanded.",
            errors=[field_error("team_id", "team_disbanded", "The team was disbanded.")],
        )
    if team.game_id != tournament.game_id:
        raise ValidationFailed(
            "This team plays another game.",
            errors=[field_error("team_id", "wrong_game", f"The team must play {game.name}.")],
        )
    if not permissions.has_role(actor, Role.CAPTAIN, TEAM_OBJECT_TYPE, team_id):
        raise errors.CaptainRequired("Only the team's captain can register it.", role="captain")
    require_team_size(tournament, game, len(team.member_ids))
    return team


def require_team_size(tournament: TournamentRef, game: GameRef, size: int) -> None:
    """409 ``team_size_invalid`` unless ``size`` is from the tournament's team size up to that
    plus the game's substitutes."""
    smallest = tournament.team_size
    largest = tournament.team_size + game.max_substitutes
    if not smallest <= size <= largest:
        raise errors.TeamSizeInvalid(
            f"The team needs {smallest} to {largest} players on its roster; it has {size}.",
            size=size,
            min=smallest,
            max=largest,
        )


def game_player_ids(game: GameRef, user_ids: Sequence[int]) -> dict[int, str]:
    """``{user_id: normalised in-game id}`` for ``game`` from the players' profiles.

    422 ``player_ids_missing`` naming ``players.<user_id>`` for every player whose profile has
    no id for the game (``missing``) or an id that breaks the game's format
    (``invalid_player_id``).
    """
    profiles = accounts.game_ids_of(user_ids)
    found: dict[int, str] = {}
    problems: list[dict[str, str]] = []
    for user_id in user_ids:
        raw = profiles.get(user_id, {}).get(game.slug)
        field = f"players.{user_id}"
        if not raw:
            problems.append(
                field_error(field, "missing", f"Add a {game.name} player id to the profile.")
            )
            continue
        try:
            found[user_id] = games.player_id_normalize(game.slug, raw)
        except ValidationFailed as exc:
            message = exc.errors[0]["message"] if exc.errors else exc.detail
            problems.append(field_error(field, "invalid_player_id", message))
    if problems:
        raise errors.PlayerIdsMissing(
            f"Every player needs a valid {game.name} player id on their profile.",
            errors=problems,
            user_ids=[int(p["field"].split(".")[1]) for p in problems],
        )
    return found


def registration_cancel(*, actor: Actor, registration_id: int, reason: str = "") -> Registration:
    """Withdraw a registration.

    The registrant (for a team, its captain) may withdraw until the tournament starts; after
    that 409 ``tournament_started``. Organizers may cancel any registration at any time and must
    give a ``reason`` (422 without one), which the registrant sees. Cancelling a registration
    that held a place promotes the head of the waitlist (``registration.promoted``) while the
    tournament still takes participants. 409 ``registration_not_active`` if it is already
    cancelled or dropped; 404 for callers who may not know it exists.
    """
    who = actor_id(actor)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            errors=[field_error("reason", "too_long", f"At most {REASON_MAX_LENGTH} characters.")]
        )
    tournament_id = selectors.tournament_id_of(registration_id=registration_id)
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        registration = registration_lock(registration_id)
        relation = selectors.relation(registration, actor)
        require_visible(relation)
        tournament = tournaments.tournament_get(tournament_id)
        now = clock.now()
        as_organizer = not (relation.owner and not started(tournament, now))
        if as_organizer:
            if relation.owner and not relation.organizer:
                raise errors.TournamentStarted(
                    "The tournament has started; ask an organizer to withdraw you."
                )
            if relation.player and not relation.staff:
                raise errors.CaptainRequired(
                    "Only the team's captain can withdraw the team.", role="captain"
                )
            require_organizer(relation)
            if not reason:
                raise ValidationFailed(
                    "Say why the registration is cancelled.",
                    errors=[field_error("reason", "required", "Organizers give a reason.")],
                )
        require_active(registration)
        previous = RegistrationState(registration.state)
        cancel_locked(registration, now=now, by_user_id=who, reason=reason)
        publish(
            registration,
            REGISTRATION_CANCELLED,
            {"previous_state": previous.value, "by_organizer": as_organizer},
        )
        if as_organizer:
            audit_registration(
                registration, REGISTRATION_CANCELLED, who, {"previous_state": previous.value}
            )
        if previous in SLOT_HOLDING_STATES:
            fill_places(ledger, tournament, now)
    logger.info(
        "registration cancelled",
        extra={"registration_id": registration.pk, "by_organizer": as_organizer},
    )
    return registration


def cancel_locked(
    registration: Registration, *, now: Any, by_user_id: int | None, reason: str
) -> None:
    """Mark ``registration`` (locked, active) cancelled and free its players."""
    registration.state = S.CANCELLED
    registration.cancelled_at = now
    registration.cancelled_by_id = by_user_id
    registration.cancel_reason = reason
    registration.updated_at = now
    registration.save(
        update_fields=["state", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"]
    )
    release_players(registration, now)


def waitlist_fill(*, tournament_id: int) -> list[int]:
    """Promote waitlisted registrations into free places (after the capacity grew); returns the
    ids promoted. Idempotent: with no free place or nobody waiting, nothing changes."""
    with transaction.atomic():
        ledger = ledger_lock(tournament_id)
        tournament = tournaments.tournament_get(tournament_id)
        promoted = fill_places(ledger, tournament, clock.now())
    return [registration.pk for registration in promoted]


def team_registrations_withdraw(*, team_id: int) -> list[int]:
    """Cancel the active registrations of a disbanded team in tournaments that have not
    started (freeing their places for the waitlist); returns the ids cancelled."""
    cancelled: list[int] = []
    tournament_ids = sorted(
        set(
            Registration.objects.filter(team_id=team_id, state__in=_ACTIVE).values_list(
                "tournament_id", flat=True
            )
        )
    )
    for tournament_id in tournament_ids:
        with transaction.atomic():
            ledger = ledger_lock(tournament_id)
            tournament = tournaments.tournament_get(tournament_id)
            now = clock.now()
            if started(tournament, now):
                continue
            for registration in Registration.objects.select_for_update().filter(
                tournament_id=tournament_id,
                team_id=team_id,
                state__in=_ACTIVE,
            ):
                previous = RegistrationState(registration.state)
                cancel_locked(registration, now=now, by_user_id=None, reason=REASON_TEAM_DISBANDED)
                publish(
                    registration,
                    REGISTRATION_CANCELLED,
                    {"previous_state": previous.value, "by_organizer": False},
                )
                cancelled.append(registration.pk)
            fill_places(ledger, tournament, now)
    return cancelled
