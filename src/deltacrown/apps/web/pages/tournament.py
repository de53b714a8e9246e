"""Web app, reads: a tournament's page, its header and its tabs (cached under the stream head).

The tabs of a large tournament (a bracket of 500 matches, tables of 256 rows) are the expensive
pages: their markup is cached under the tournament's event-stream head (every change to a
bracket, a registration or a result is an event on that stream), so each is drawn once per
change, not once per visitor. Nothing in that markup depends on the viewer: rows and cards carry
``data-p`` tokens, and a per-viewer stylesheet rule outside it highlights the viewer's own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from deltacrown.apps.accounts import api as accounts
from deltacrown.apps.competition import api as competition
from deltacrown.apps.competition.data import (
    DECIDED_STATUSES,
    OPEN_STATUSES,
    MatchStatus,
    MatchView,
    Placement,
    StageRef,
    StageStatus,
    StageView,
)
from deltacrown.apps.registrations import api as registrations
from deltacrown.apps.registrations.data import RegistrationRef
from deltacrown.apps.teams import api as teams
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import TournamentDetail
from deltacrown.apps.web import bracket
from deltacrown.apps.web.pages import carry
from deltacrown.apps.web.pages.common import (
    PANEL_CACHE_SECONDS,
    tournament_stream,
)
from deltacrown.kernel import events
from deltacrown.kernel.errors import NotFound


@dataclass(frozen=True)
class TournamentPage:
    """What every tab of a tournament page shares: the tournament, places taken, its stages,
    the stream position the page reflects (the live client resumes from it) and the viewer's
    participants (for highlighting their path) and registration."""

    tournament: TournamentDetail
    taken: int
    stages: list[StageRef]
    head_seq: int
    head_hash: str
    mine: frozenset[int]
    my_registration: RegistrationRef | None
    invite: str

    @property
    def stream(self) -> str:
        return tournament_stream(self.tournament.id)

    @property
    def tokens(self) -> list[str]:
        """The stylesheet tokens of the viewer's participants and registration: the panels
        mark rows and cards with ``data-p`` tokens, and a per-viewer rule highlights these."""
        found = [f"p{pid}" for pid in sorted(self.mine)]
        if self.my_registration is not None:
            found.append(f"r{self.my_registration.id}")
        return found

    @property
    def highlight_css(self) -> str:
        """The stylesheet rules that highlight the viewer's cards, rows and table rows."""
        return highlight_css(self.tokens)


def highlight_css(tokens: Iterable[str]) -> str:
    """Rules marking the bracket cards, match rows and table rows tagged with ``tokens`` (the
    viewer's own: ``p<participant id>``, ``r<registration id>``; made of digits only)."""
    tokens = [t for t in tokens if t[:1] in "pr" and t[1:].isdigit()]
    if not tokens:
        return ""

    def each(template: str) -> str:
        return ",".join(template.format(t) for t in tokens)

    return "".join(
        (
            each('.bm[data-p~="{}"]'),
            "{border:2px solid var(--mine);background:var(--mine-bg)}",
            each('.mrow[data-p~="{}"]'),
            "{border-color:var(--mine);box-shadow:inset 4px 0 0 var(--mine)}",
            each('tr[data-p~="{}"] td'),
            "{background:var(--mine-bg)}",
            each('tr[data-p~="{}"] td:nth-child(2)::after'),
            '{content:" (you)";font-weight:700}',
        )
    )


def tournament_page(viewer: Any, slug: str, *, invite: str = "") -> TournamentPage:
    """The tournament by slug if ``viewer`` may see it; 404 ``tournament_not_found``."""
    detail = tournaments.tournament_detail_for(viewer, slug=slug, invite_token=invite or None)
    # Read before the tournament's state so the page reflects at least every event up to it:
    # the live client resumes after this seq and misses nothing.
    head_seq, head_hash = events.stream_head(tournament_stream(detail.id))
    mine: frozenset[int] = frozenset()
    mine_registration = None
    if viewer is not None:
        mine, mine_registration = _viewer_entry(detail.id, viewer.id, head_seq, head_hash)
    return TournamentPage(
        tournament=detail,
        taken=registrations.place_counts([detail.id]).get(detail.id, 0),
        stages=competition.stages_of(detail.id),
        head_seq=head_seq,
        head_hash=head_hash,
        mine=mine,
        my_registration=mine_registration,
        invite=invite,
    )


def _viewer_entry(
    tournament_id: int, user_id: int, head_seq: int, head_hash: str
) -> tuple[frozenset[int], RegistrationRef | None]:
    """The participants the viewer plays for and their registration in the tournament, cached
    under the stream head like the tabs (entering, checking in and the draw are all events)."""
    key = f"web:entry:v1:{tournament_id}:{user_id}:{head_seq}:{head_hash[:16]}"
    found = cache.get(key)
    if found is None:
        registration = next(
            iter(registrations.registrations_of(user_id, tournament_id=tournament_id)), None
        )
        found = (competition.participant_ids_of(tournament_id, user_id), registration)
        cache.set(key, found, PANEL_CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class Entrant:
    """A name on the participants tab: a registration before the draw, a participant after."""

    name: str
    seed: int | None = None
    state: str = ""
    checked_in: bool = False
    waitlist_position: int | None = None
    placement: int | None = None
    team_id: int | None = None
    #: The stylesheet token that marks the viewer's own row (``p<participant>``/``r<reg.>``).
    token: str = ""


def _public_names(refs: Iterable[RegistrationRef]) -> dict[tuple[str, int], str]:
    refs = list(refs)
    users = accounts.user_refs({r.user_id for r in refs if r.user_id is not None})
    team_refs = teams.team_refs({r.team_id for r in refs if r.team_id is not None})
    names: dict[tuple[str, int], str] = {}
    for user_id, user in users.items():
        names[("user", user_id)] = user.public_name
    for team_id, team in team_refs.items():
        names[("team", team_id)] = team.name
    return names


def entrants(tournament_id: int) -> list[Entrant]:
    """Who takes part: the competition's participants once a stage is drawn (seed, standing,
    placement), else the registrations holding or waiting for a place."""
    participants = competition.participant_views(tournament_id)
    if participants:
        return [
            Entrant(
                name=p.name,
                seed=p.seed,
                state=p.status.value,
                placement=p.placement,
                team_id=p.team_id,
                token=f"p{p.id}",
            )
            for p in participants
        ]
    refs = registrations.entrants(tournament_id)
    names = _public_names(refs)
    return [
        Entrant(
            name=names.get(("team", r.team_id), "")
            if r.team_id is not None
            else names.get(("user", r.user_id or 0), ""),
            state=r.state.value,
            checked_in=r.checked_in_at is not None,
            waitlist_position=r.waitlist_position,
            team_id=r.team_id,
            token=f"r{r.id}",
        )
        for r in refs
    ]


@dataclass(frozen=True)
class Podium:
    """The final placements with names, champion first."""

    rows: list[tuple[int, str]]


def podium(tournament_id: int) -> Podium:
    placements: list[Placement] = competition.tournament_placements(tournament_id)
    if not placements:
        return Podium(rows=[])
    names = {p.id: p.name for p in competition.participant_views(tournament_id)}
    return Podium(rows=[(p.place, names.get(p.participant_id, "")) for p in placements[:8]])


def organizer_name(tournament: TournamentDetail) -> str:
    try:
        return accounts.user_get(tournament.organizer_id).public_name
    except NotFound:  # the account is gone: the tournament still shows
        return ""


def current_stage(page: TournamentPage, stage_id: int | None = None) -> StageRef | None:
    """The stage a bracket or standings tab shows: the one asked for, else the first that is
    being played, else the last one drawn."""
    drawn = [s for s in page.stages if s.status is not StageStatus.PENDING]
    if stage_id is not None:
        return next((s for s in drawn if s.id == stage_id), None)
    playing = [s for s in drawn if s.status is not StageStatus.COMPLETED]
    if playing:
        return playing[0]
    return drawn[-1] if drawn else None


def stage_sections(view: StageView) -> list[dict[str, Any]]:
    """Non-tree parts of a stage, by group: the group's standings rows and its rounds (round
    robin groups, Swiss rounds, battle-royale lobbies)."""
    groups: dict[str, list[Any]] = {}
    for rnd in view.rounds:
        if rnd.bracket in bracket.TREE_BRACKETS:
            continue
        groups.setdefault(rnd.group, []).append(rnd)
    standings_by_group = {g.group: g.rows for g in view.standings.groups}
    sections = []
    for index, (group, rounds) in enumerate(groups.items()):
        title = rounds[0].name.rsplit(" round", 1)[0] if group.startswith("group-") else ""
        sections.append(
            {
                "key": group,
                "title": title or ("Group" if len(groups) > 1 else ""),
                "rounds": rounds,
                "rows": standings_by_group.get(group)
                if view.standings.groups
                else (view.standings.rows if index == 0 else ()),
            }
        )
    return sections


def _stage_context(stage: StageRef) -> dict[str, Any]:
    view = competition.stage_view(stage.id)
    return {
        "view": view,
        "canvases": [
            (c.title, bracket.render(c))
            for c in bracket.canvases(view.rounds, playoffs=view.stage.format == "groups_playoffs")
        ],
        # Groups are played before their playoffs, so they come first.
        "trees_last": view.stage.format == "groups_playoffs",
        "sections": stage_sections(view),
    }


def _panel_context(tournament: TournamentDetail, tab: str, stage: StageRef | None) -> dict:
    context: dict[str, Any] = {"t": tournament, "stage": stage}
    if tab == "overview":
        context["organizer"] = organizer_name(tournament)
        context["podium"] = podium(tournament.id)
    elif tab == "participants":
        context["entrants"] = entrants(tournament.id)
    elif tab == "bracket" and stage is not None:
        context.update(_stage_context(stage))
    elif tab == "standings" and stage is not None:
        context["standings"] = competition.stage_standings(stage.id)
    elif tab == "matches":
        context["lists"] = match_lists(tournament.id)
    return context


def panel(page: TournamentPage, tab: str, stage: StageRef | None) -> str:
    """The markup of one tab of the tournament (cached under the stream head: see the module
    docstring). Nothing in it depends on who looks: the viewer's rows are marked by tokens."""
    stage_key = stage.id if stage is not None else ""
    # The head's hash as well as its seq: a database recreated under a cache that outlived it
    # can reach the same seq again, never the same chain.
    key = (
        f"web:panel:v1:{page.tournament.id}:{tab}:{stage_key}:{page.head_seq}:{page.head_hash[:16]}"
    )
    markup = cache.get(key)
    if markup is None:
        latest = carry.latest_key(page.tournament.id, tab, stage_key)
        drawn = carry.carried(
            latest,
            tournament_id=page.tournament.id,
            tab=tab,
            head_seq=page.head_seq,
            head_hash=page.head_hash,
        )
        if drawn is None:
            drawn = carry.Drawn(
                seq=page.head_seq,
                hash=page.head_hash,
                markup=render_to_string(
                    f"web/partials/tab_{tab}.html", _panel_context(page.tournament, tab, stage)
                ),
                drawn_at=time.time(),
            )
        markup = drawn.markup
        cache.set(key, markup, PANEL_CACHE_SECONDS)
        carry.remember(latest, drawn)
    return markup


def with_invite(markup: str, invite: str) -> str:
    """``markup`` whose match links carry the tournament's invite token (a private tournament's
    matches are shown to whoever holds its invite link); unchanged without one."""
    if not invite:
        return markup
    query = escape(urlencode({"invite": invite}))
    # Cards and rows link as ``href="/matches/<id>/" data-m="<id>"`` (``bracket``).
    linked = re.sub(r'(href="/matches/\d+/)(" data-m=")', rf"\1?{query}\2", markup)
    return mark_safe(linked)  # noqa: S308 - drawn markup, and the query escaped above


@dataclass(frozen=True)
class MatchLists:
    """The matches tab: being played, coming up (sides known or not) and decided."""

    playing: list[MatchView]
    upcoming: list[MatchView]
    decided: list[MatchView]


def match_lists(tournament_id: int) -> MatchLists:
    playing = competition.match_views(tournament_id, statuses=OPEN_STATUSES)
    upcoming = competition.match_views(tournament_id, statuses=[MatchStatus.SCHEDULED], limit=50)
    decided = competition.match_views(
        tournament_id, statuses=DECIDED_STATUSES, limit=100, ordering="latest"
    )
    return MatchLists(
        playing=[m for m in playing if not m.is_bye],
        upcoming=upcoming,
        decided=[m for m in decided if not m.is_bye],
    )
