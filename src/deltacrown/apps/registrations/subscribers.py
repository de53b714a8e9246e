"""Registrations app, event subscribers: what registrations do when tournaments and teams change.

Registered in ``AppConfig.ready``. Each runs after the publishing transaction has committed and
does its work in a transaction of its own through a service; every one is idempotent, so a
repeat (or the periodic task doing the same work first) changes nothing.
"""

from __future__ import annotations

from deltacrown.apps.registrations import services
from deltacrown.apps.registrations.data import RegistrationState
from deltacrown.apps.registrations.models import Registration
from deltacrown.apps.teams.data import TEAM_DISBANDED
from deltacrown.apps.tournaments.data import (
    TOURNAMENT_STATUS_EVENTS,
    TOURNAMENT_UPDATED,
    TournamentStatus,
)
from deltacrown.kernel.events import EventRecord


def on_tournament_live(record: EventRecord) -> None:
    """The tournament started: close check-in (drop no-shows, promote if enabled)."""
    tournament_id = int(record.data["tournament_id"])
    if Registration.objects.filter(tournament_id=tournament_id).exists():
        services.checkin_close(tournament_id=tournament_id)


def on_tournament_updated(record: EventRecord) -> None:
    """The capacity may have grown: give the new places to the waitlist."""
    if "capacity" not in record.data.get("fields", ()):
        return
    tournament_id = int(record.data["tournament_id"])
    waiting = Registration.objects.filter(
        tournament_id=tournament_id, state=RegistrationState.WAITLISTED.value
    ).exists()
    if waiting:
        services.waitlist_fill(tournament_id=tournament_id)


def on_team_disbanded(record: EventRecord) -> None:
    """A disbanded team cannot play: withdraw it from tournaments that have not started."""
    services.team_registrations_withdraw(team_id=int(record.data["team_id"]))


#: (event names, handler) pairs that ``AppConfig.ready`` subscribes.
SUBSCRIPTIONS = (
    ((TOURNAMENT_STATUS_EVENTS[TournamentStatus.LIVE],), on_tournament_live),
    ((TOURNAMENT_UPDATED,), on_tournament_updated),
    ((TEAM_DISBANDED,), on_team_disbanded),
)
