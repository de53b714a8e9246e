"""Web app, reads: the signed-in player's pages (my matches, profile) and team pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition import api as competition
from deltacrown.apps.competition.data import (
    DECIDED_STATUSES,
    OPEN_STATUSES,
    MatchStatus,
    MatchView,
)
from deltacrown.apps.games import api as games
from deltacrown.apps.games.data import GameRef
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.registrations.data import RegistrationRef, RegistrationState
from deltacrown.apps.teams import api as teams
from deltacrown.apps.teams.data import InvitationRef, TeamRef
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import (
    TournamentRef,
    TournamentStatus,
)


@dataclass(frozen=True)
class PlayerMatch:
    """A match of the player's, with the side they play for and what they may do now."""

    match: MatchView
    tournament: TournamentRef
    my_slot: int
    can_act: bool
    pending_by_me: bool
    pending_by_other: bool

    @property
    def opponent(self) -> str:
        others = [
            s.name or s.source or "TBD" for i, s in enumerate(self.match.slots) if i != self.my_slot
        ]
        return ", ".join(others) if others else "TBD"


@dataclass(frozen=True)
class CheckIn:
    """A registration of the player's in a tournament that is checking in."""

    registration: RegistrationRef
    tournament: TournamentRef
    can_act: bool


@dataclass(frozen=True)
class MyMatches:
    check_ins: list[CheckIn]
    next_match: PlayerMatch | None
    later: list[PlayerMatch]
    recent: list[PlayerMatch]


def _acts_for(registration: RegistrationRef, user_id: int, team: TeamRef | None) -> bool:
    """Whether the player may act for the entry: the solo player, or the team's captain."""
    if registration.team_id is None:
        return registration.user_id == user_id
    return team is not None and team.captain_id == user_id


def my_matches(user_id: int) -> MyMatches:
    """The player's check-ins to do, next match and other matches, across tournaments."""
    mine = registrations.registrations_of(user_id)
    confirmed = [r for r in mine if r.state is RegistrationState.CONFIRMED]
    team_refs = teams.team_refs({r.team_id for r in confirmed if r.team_id is not None})
    refs = tournaments.tournament_refs({r.tournament_id for r in confirmed})
    by_registration = {r.id: r for r in confirmed}
    check_ins = [
        CheckIn(
            registration=r,
            tournament=refs[r.tournament_id],
            can_act=_acts_for(r, user_id, team_refs.get(r.team_id or 0)),
        )
        for r in confirmed
        if r.tournament_id in refs and refs[r.tournament_id].status is TournamentStatus.CHECK_IN
    ]
    participants = competition.participants_of_registrations(list(by_registration))
    matches = competition.matches_of_registrations(list(by_registration))
    details = (
        competition.pending_reports(
            [m.id for m in matches if m.status is MatchStatus.PENDING_RESULT]
        )
        if matches
        else {}
    )
    found: list[PlayerMatch] = []
    mine_ids = {pid: reg for reg, pid in participants.items()}
    for match in matches:
        if match.is_bye or match.tournament_id not in refs:
            continue
        slot = next((i for i, s in enumerate(match.slots) if s.participant_id in mine_ids), None)
        if slot is None:
            continue
        registration = by_registration[mine_ids[match.slots[slot].participant_id]]  # type: ignore[index]
        pending_side = details.get(match.id)
        found.append(
            PlayerMatch(
                match=match,
                tournament=refs[match.tournament_id],
                my_slot=slot,
                can_act=_acts_for(registration, user_id, team_refs.get(registration.team_id or 0)),
                pending_by_me=pending_side is not None
                and pending_side == match.slots[slot].participant_id,
                pending_by_other=match.status is MatchStatus.PENDING_RESULT
                and pending_side != match.slots[slot].participant_id,
            )
        )
    playing = [m for m in found if m.match.status in OPEN_STATUSES]
    upcoming = [m for m in found if m.match.status is MatchStatus.SCHEDULED]
    recent = [m for m in found if m.match.status in DECIDED_STATUSES]
    coming = playing + upcoming
    return MyMatches(
        check_ins=check_ins,
        next_match=coming[0] if coming else None,
        later=coming[1:],
        recent=recent[-10:][::-1],
    )


@dataclass(frozen=True)
class Profile:
    """The signed-in player's own profile page: public profile, per-game ids, teams and the
    invitations waiting for an answer."""

    display_name: str
    username: str
    country: str
    game_ids: dict[str, str]
    games: list[GameRef]
    teams: list[TeamRef]
    invitations: list[InvitationRef]
    game_names: dict[int, str]


def profile(user_id: int) -> Profile:
    user = accounts.user_get(user_id)
    game_list = games.game_list()
    my_teams = teams.teams_of(user_id)
    return Profile(
        display_name=user.display_name,
        username=user.username,
        country=user.country,
        game_ids=accounts.game_ids_of([user_id]).get(user_id, {}),
        games=game_list,
        teams=my_teams,
        invitations=teams.invitations_for(user_id),
        game_names={g.id: g.name for g in game_list},
    )


@dataclass(frozen=True)
class TeamPage:
    """A team's public page: name, game, roster by public name, captain first."""

    team: TeamRef
    game: GameRef
    roster: list[tuple[int, str, bool]]


def team_invitations(team_id: int) -> list[tuple[int, str, datetime]]:
    """The team's pending invitations for its captain: (id, the invitee's public name, open
    until), newest first."""
    sent = teams.invitations_sent(team_id)
    users = accounts.user_refs([i.user_id for i in sent])
    return [
        (i.id, users[i.user_id].public_name if i.user_id in users else "", i.expires_at)
        for i in sent
    ]


def team_page(team_id: int) -> TeamPage:
    team = teams.team_get(team_id)
    users = accounts.user_refs(team.member_ids)
    return TeamPage(
        team=team,
        game=games.game_get(team.game_id),
        roster=[
            (uid, users[uid].public_name if uid in users else "", uid == team.captain_id)
            for uid in team.member_ids
        ],
    )
