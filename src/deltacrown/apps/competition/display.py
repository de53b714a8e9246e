"""Competition app, selectors layer: read models for display (the public web pages).

Stages, matches and participants as frozen ``data`` objects (``StageView``, ``MatchView``,
``MatchDetail``, ``ParticipantView``) with public names only. No permission checks here: the
callers (``api``) are told to check the tournament's visibility first.

These reads serve pages that must render fast for large brackets (a 256-entrant double
elimination has over 500 matches), so they read plain values (``values()``), not model
instances, with a constant number of queries whatever the stage's size: the matches, their
slots, the participants' names and, for lists, the links to the next matches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    DisputeStatus,
    GameView,
    GroupStandings,
    MatchDetail,
    MatchStatus,
    MatchView,
    ParticipantStatus,
    ParticipantView,
    ReportStatus,
    RoundView,
    SlotView,
    StageRef,
    StageStatus,
    StageView,
    StandingRow,
    Standings,
)
from deltacrown.apps.competition.models import (
    Dispute,
    Match,
    MatchGame,
    MatchSlot,
    Participant,
    ResultReport,
    Round,
    Stage,
)
from deltacrown.apps.competition.selectors import source_label

#: JSON columns of a match read as text and decoded with orjson: several times faster than
#: the ORM's json.loads when a bracket has hundreds of matches.
_MATCH_JSON = ("sources", "scores", "live_scores", "winner_to", "loser_to")
_MATCH_FIELDS = (
    "id",
    "version",
    "tournament_id",
    "stage_id",
    "round_id",
    "key",
    "group",
    "bracket",
    "round_number",
    "number",
    "position",
    "status",
    "best_of",
    "is_bye",
    "winner_id",
    "loser_id",
    "outcome",
    "scheduled_at",
)


# --- stages -------------------------------------------------------------------------------------

#: Stage columns display never needs: the engine's state (hundreds of kilobytes for a large
#: bracket: decoding it would cost more than the rest of a page) and the standings.
_HEAVY = ("engine", "seeding", "standings")


def _match_rows(queryset: QuerySet[Match]) -> list[dict[str, Any]]:
    """The matches of ``queryset`` as dictionaries of ``_MATCH_FIELDS`` and ``_MATCH_JSON``."""
    raw = {f"{name}_json": Cast(name, TextField()) for name in _MATCH_JSON}
    rows = list(queryset.values(*_MATCH_FIELDS, **raw))
    for row in rows:
        for name in _MATCH_JSON:
            text = row.pop(f"{name}_json")
            row[name] = orjson.loads(text) if text else None
    return rows


def _stage_ref(stage: Stage) -> StageRef:
    return StageRef(
        id=stage.pk,
        tournament_id=stage.tournament_id,
        index=stage.index,
        name=stage.name,
        format=stage.format,
        status=StageStatus(stage.status),
        size=stage.size,
    )


def stage_refs(*, tournament_id: int) -> list[StageRef]:
    """The tournament's stages in plan order."""
    rows = Stage.objects.filter(tournament_id=tournament_id).order_by("index")
    return [_stage_ref(stage) for stage in rows.defer(*_HEAVY)]


@dataclass(frozen=True)
class _Drawn:
    """A stage's match views as last read, for reading only what changed since: every write
    of a match bumps its ``version``, so a view whose version still matches is still right."""

    #: What the views were read under: the draw (regenerating draws anew) and the names.
    generated_at: datetime | None
    names: dict[int, str]
    links: dict[tuple[int, str], int]
    #: Match id -> (version, position, view), in the stage's order.
    views: dict[int, tuple[int, int, MatchView]]


#: The latest views of recently drawn stages, per process (a few large brackets at most).
_DRAWN: OrderedDict[int, _Drawn] = OrderedDict()
_DRAWN_STAGES = 16
_drawn_lock = threading.Lock()


def _stage_matches(
    stage_id: int, generated_at: datetime | None, names: dict[int, str]
) -> list[MatchView]:
    """The stage's match views in its order: the matches written since the last read are
    read again (their version changed), the others reused. Inside a transaction, which may
    still roll back, everything is read and nothing is kept."""
    if connection.in_atomic_block:
        drawn = _read_stage_matches(stage_id, generated_at, names)
        return [view for _, _, view in drawn.views.values()]
    versions = dict(Match.objects.filter(stage_id=stage_id).values_list("id", "version"))
    with _drawn_lock:
        drawn = _DRAWN.get(stage_id)
    changed = (
        [pk for pk, version in versions.items() if drawn.views[pk][0] != version]
        if drawn is not None
        and (drawn.generated_at, drawn.names) == (generated_at, names)
        and drawn.views.keys() == versions.keys()
        else None
    )
    if changed is None:
        drawn = _read_stage_matches(stage_id, generated_at, names)
    elif changed:
        assert drawn is not None
        rows = _match_rows(Match.objects.filter(pk__in=changed))
        views = _match_views(rows, _slots(Q(match_id__in=changed)), names, drawn.links)
        moved = {
            row["id"]: (row["version"], row["position"], view)
            for row, view in zip(rows, views, strict=True)
        }
        if any(drawn.views[pk][1] != position for pk, (_, position, _) in moved.items()):
            drawn = _read_stage_matches(stage_id, generated_at, names)  # the order changed
        else:
            drawn = _Drawn(
                generated_at=generated_at,
                names=names,
                links=drawn.links,
                views={**drawn.views, **moved},
            )
    assert drawn is not None
    with _drawn_lock:
        _DRAWN[stage_id] = drawn
        _DRAWN.move_to_end(stage_id)
        while len(_DRAWN) > _DRAWN_STAGES:
            _DRAWN.popitem(last=False)
    return [view for _, _, view in drawn.views.values()]


def _read_stage_matches(
    stage_id: int, generated_at: datetime | None, names: dict[int, str]
) -> _Drawn:
    rows = _match_rows(Match.objects.filter(stage_id=stage_id).order_by("position", "number"))
    links = {(row["stage_id"], row["key"]): row["id"] for row in rows}
    views = _match_views(rows, _slots(Q(match__stage_id=stage_id)), names, links)
    return _Drawn(
        generated_at=generated_at,
        names=names,
        links=links,
        views={
            row["id"]: (row["version"], row["position"], view)
            for row, view in zip(rows, views, strict=True)
        },
    )


def stage_view(*, stage_id: int) -> StageView:
    """Everything to draw the stage (404 ``stage_not_found``). A constant number of queries at
    any size; of the matches, only those written since this process last drew the stage are
    read (``_stage_matches``)."""
    stage = Stage.objects.filter(pk=stage_id).defer("engine", "seeding").first()
    if stage is None:
        raise errors.StageNotFound("No such stage.")
    names = _names(Participant.objects.filter(tournament_id=stage.tournament_id))
    views = _stage_matches(stage_id, stage.generated_at, names)
    by_round: dict[int, list[MatchView]] = defaultdict(list)
    for view in views:
        by_round[view.round_id].append(view)
    rounds = list(
        Round.objects.filter(stage_id=stage_id).values(
            "id", "group", "bracket", "number", "name", "best_of"
        )
    )
    # The engine's structure order, as the stage's API response has it: a group or bracket
    # comes where its first match comes, then rounds by number (views are in position order).
    first_seen: dict[Any, int] = {}
    for position, view in enumerate(views):
        first_seen.setdefault(view.group, position)
        first_seen.setdefault((view.group, view.bracket), position)
    last = len(views)
    rounds.sort(
        key=lambda r: (
            first_seen.get(r["group"], last),
            first_seen.get((r["group"], r["bracket"]), last),
            r["number"],
        )
    )
    return StageView(
        stage=_stage_ref(stage),
        options=dict(stage.options or {}),
        rounds=tuple(
            RoundView(
                id=r["id"],
                group=r["group"],
                bracket=r["bracket"],
                number=r["number"],
                name=r["name"],
                best_of=r["best_of"],
                matches=tuple(sorted(by_round.get(r["id"], []), key=lambda m: m.number)),
            )
            for r in rounds
        ),
        standings=_standings(stage.standings or {}, names),
    )


def stage_standings(*, stage_id: int) -> tuple[StageRef, Standings]:
    """The stage and its standings with names (404 ``stage_not_found``); two queries."""
    stage = Stage.objects.filter(pk=stage_id).defer("engine", "seeding").first()
    if stage is None:
        raise errors.StageNotFound("No such stage.")
    names = _names(Participant.objects.filter(tournament_id=stage.tournament_id))
    return _stage_ref(stage), _standings(stage.standings or {}, names)


def _standing_rows(
    rows: Iterable[dict[str, Any]], names: dict[int, str]
) -> tuple[StandingRow, ...]:
    return tuple(
        StandingRow(
            rank=int(row.get("rank") or 0),
            participant_id=int(row.get("participant_id") or 0),
            name=names.get(int(row.get("participant_id") or 0), ""),
            status=str(row.get("status") or ""),
            stats=dict(row.get("stats") or {}),
            decided_by=row.get("decided_by"),
        )
        for row in rows
    )


def _standings(stored: dict[str, Any], names: dict[int, str]) -> Standings:
    return Standings(
        final=bool(stored.get("final", False)),
        criteria=tuple(stored.get("criteria", ())),
        rows=_standing_rows(stored.get("rows", ()), names),
        groups=tuple(
            GroupStandings(
                group=str(group.get("group", "")),
                final=bool(group.get("final", False)),
                rows=_standing_rows(group.get("rows", ()), names),
            )
            for group in stored.get("groups", ())
        ),
    )


# --- matches ------------------------------------------------------------------------------------


def _names(participants: QuerySet[Participant]) -> dict[int, str]:
    return dict(participants.values_list("pk", "name"))


def _slots(condition: Q) -> dict[int, list[tuple[int, int | None]]]:
    """(slot, participant id) per match id, in slot order."""
    found: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    rows = MatchSlot.objects.filter(condition).order_by("match_id", "slot")
    for match_id, slot, participant_id in rows.values_list("match_id", "slot", "participant_id"):
        found[match_id].append((slot, participant_id))
    return found


def _link(links: dict[tuple[int, str], int], stage_id: int, link: Any) -> int | None:
    if not link or not link.get("match"):
        return None
    return links.get((stage_id, str(link["match"])))


def _match_views(
    rows: list[dict[str, Any]],
    slots: dict[int, list[tuple[int, int | None]]],
    names: dict[int, str],
    links: dict[tuple[int, str], int],
) -> list[MatchView]:
    views = []
    for row in rows:
        sources = row["sources"] or []
        views.append(
            MatchView(
                id=row["id"],
                tournament_id=row["tournament_id"],
                stage_id=row["stage_id"],
                round_id=row["round_id"],
                key=row["key"],
                group=row["group"],
                bracket=row["bracket"],
                round_number=row["round_number"],
                number=row["number"],
                status=MatchStatus(row["status"]),
                best_of=row["best_of"],
                is_bye=row["is_bye"],
                slots=tuple(
                    SlotView(
                        participant_id=pid,
                        name=names.get(pid) if pid is not None else None,
                        source=source_label(sources[slot]) if slot < len(sources) else None,
                    )
                    for slot, pid in slots.get(row["id"], ())
                ),
                scores=tuple(row["scores"] or ()),
                live_scores=tuple(int(s) for s in row["live_scores"] or ()),
                winner_id=row["winner_id"],
                loser_id=row["loser_id"],
                winner_to_id=_link(links, row["stage_id"], row["winner_to"]),
                loser_to_id=_link(links, row["stage_id"], row["loser_to"]),
                outcome=row["outcome"],
                scheduled_at=row["scheduled_at"],
            )
        )
    return views


def _links_for(rows: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """The ids of the matches that ``rows`` link to, in one query."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        for link in (row["winner_to"], row["loser_to"]):
            if link and link.get("match"):
                wanted[row["stage_id"]].add(str(link["match"]))
    if not wanted:
        return {}
    condition = Q()
    for stage_id, keys in wanted.items():
        condition |= Q(stage_id=stage_id, key__in=sorted(keys))
    return {
        (stage_id, key): pk
        for stage_id, key, pk in Match.objects.filter(condition).values_list(
            "stage_id", "key", "pk"
        )
    }


def _views_of(queryset: QuerySet[Match]) -> list[MatchView]:
    """The matches of ``queryset`` as views, in its order, in four queries."""
    rows = _match_rows(queryset)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    slots = _slots(Q(match_id__in=ids))
    participant_ids = {pid for found in slots.values() for _, pid in found if pid is not None}
    names = _names(Participant.objects.filter(pk__in=participant_ids))
    return _match_views(rows, slots, names, _links_for(rows))


#: How lists of matches may be ordered: the bracket's order (stage, then the engine's order),
#: or the latest decided first (then the latest updated).
MATCH_ORDERINGS: dict[str, tuple[str, ...]] = {
    "bracket": ("stage__index", "position", "id"),
    "latest": ("-completed_at", "-updated_at", "-id"),
}


def match_views(
    *,
    tournament_id: int,
    statuses: Collection[MatchStatus] | None = None,
    match_ids: Collection[int] | None = None,
    limit: int = 200,
    ordering: str = "bracket",
) -> list[MatchView]:
    """The tournament's matches in ``statuses`` (every state when None), among ``match_ids``
    (all when None), in ``MATCH_ORDERINGS[ordering]``, at most ``limit``."""
    queryset = Match.objects.filter(tournament_id=tournament_id)
    if match_ids is not None:
        queryset = queryset.filter(pk__in=list(match_ids))
    if statuses is not None:
        queryset = queryset.filter(status__in=[MatchStatus(s).value for s in statuses])
    return _views_of(queryset.order_by(*MATCH_ORDERINGS[ordering])[:limit])


def match_views_of_registrations(
    *,
    registration_ids: Collection[int],
    statuses: Collection[MatchStatus] | None = None,
    limit: int = 50,
) -> list[MatchView]:
    """The matches played by the participants entered through ``registration_ids`` (across
    tournaments), in ``statuses`` (all when None): scheduled ones soonest first, then by id."""
    participants = Participant.objects.filter(registration_id__in=list(registration_ids))
    playing = MatchSlot.objects.filter(participant__in=participants).values("match_id")
    queryset = Match.objects.filter(pk__in=playing)
    if statuses is not None:
        queryset = queryset.filter(status__in=[MatchStatus(s).value for s in statuses])
    return _views_of(queryset.order_by("scheduled_at", "id")[:limit])


def match_detail(*, match_id: int) -> MatchDetail:
    """The match page's data (404 ``match_not_found``); a constant number of queries."""
    found = _views_of(Match.objects.filter(pk=match_id))
    if not found:
        raise errors.MatchNotFound("No such match.")
    extra = (
        Match.objects.filter(pk=match_id)
        .values(
            "round__name",
            "stage__name",
            "stage__format",
            "stream_url",
            "coordinator_id",
            "started_at",
            "completed_at",
            "score_seq",
        )
        .get()
    )
    games = tuple(
        GameView(
            number=game.number,
            scores=tuple(game.scores or ()),
            winner_slot=game.winner_slot,
            placements=tuple(int(p) for p in game.placements or ()),
            kills=tuple(int(k) for k in game.kills or ()),
        )
        for game in MatchGame.objects.filter(match_id=match_id).order_by("number")
    )
    report = (
        ResultReport.objects.filter(match_id=match_id, status=ReportStatus.PENDING.value)
        .order_by("-id")
        .values("participant_id", "payload", "auto_confirm_at")
        .first()
    )
    dispute = (
        Dispute.objects.filter(match_id=match_id, status=DisputeStatus.OPEN.value)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    return MatchDetail(
        match=found[0],
        round_name=extra["round__name"],
        stage_name=extra["stage__name"],
        stage_format=extra["stage__format"],
        stream_url=extra["stream_url"],
        coordinator_id=extra["coordinator_id"],
        started_at=extra["started_at"],
        completed_at=extra["completed_at"],
        games=games,
        pending_report_by=report["participant_id"] if report else None,
        pending_report=dict(report["payload"]) if report else None,
        auto_confirm_at=report["auto_confirm_at"] if report else None,
        open_dispute_id=dispute,
        score_seq=extra["score_seq"],
    )


# --- participants -------------------------------------------------------------------------------


def participant_views(*, tournament_id: int) -> list[ParticipantView]:
    """The tournament's participants by seed (empty before the first stage is generated)."""
    rows = Participant.objects.filter(tournament_id=tournament_id).order_by("seed", "id")
    return [
        ParticipantView(
            id=row.pk,
            registration_id=row.registration_id,
            team_id=row.team_id,
            user_id=row.user_id,
            name=row.name,
            seed=row.seed,
            status=ParticipantStatus(row.status),
            placement=row.placement,
        )
        for row in rows
    ]


def participant_ids_of_registrations(*, registration_ids: Collection[int]) -> dict[int, int]:
    """The participant entered through each registration (registrations without one, because
    no stage was drawn or they did not check in, are absent)."""
    rows = Participant.objects.filter(registration_id__in=list(registration_ids))
    return dict(rows.values_list("registration_id", "pk"))


def pending_report_sides(*, match_ids: Collection[int]) -> dict[int, int | None]:
    """For each match among ``match_ids`` with a result waiting for confirmation, the
    participant who submitted it (None: staff)."""
    rows = ResultReport.objects.filter(
        match_id__in=list(match_ids), status=ReportStatus.PENDING.value
    ).values_list("match_id", "participant_id")
    return dict(rows)
