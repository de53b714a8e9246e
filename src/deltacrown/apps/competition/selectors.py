"""Competition app, selectors layer: reading stages, brackets, matches, participants, disputes
and final results.

Who may read what lives here and in ``services.disputes``: stages, matches, participants and
results follow the tournament's visibility (404 for those who may not see the tournament, with
the code of the object asked for); disputes are for the match's sides, its coordinator and the
tournament's staff. Lobby and station details of a match (server, lobby code) are shown only to
those who take part in it.

Reads that serve many matches at once (a bracket, a page of matches) load them with a constant
number of queries: slots and participants are prefetched, and the links to the next matches
(stored as engine keys) are resolved to match ids in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from deltacrown.apps.competition import errors
from deltacrown.apps.competition.data import (
    DisputeStatus,
    MatchRef,
    MatchStatus,
    Placement,
    ReportStatus,
)
from deltacrown.apps.competition.models import (
    CompetitionLedger,
    Dispute,
    DisputeComment,
    Match,
    MatchGame,
    MatchSlot,
    Participant,
    ResultReport,
    Round,
    Stage,
)
from deltacrown.apps.tournaments import api as tournaments
from deltacrown.apps.tournaments.data import Actor
from deltacrown.kernel import permissions
from deltacrown.kernel.errors import NotFound
from deltacrown.kernel.permissions import Role

# --- who is reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What a reader is to one tournament's competition: staff, and the participants they play
    for (a roster member, a solo player)."""

    user_id: int | None = None
    staff: bool = False
    participant_ids: frozenset[int] = field(default_factory=frozenset)

    def takes_part_in(self, match: Match) -> bool:
        """Staff, the match's coordinator, or a player of one of its sides."""
        if self.staff:
            return True
        if self.user_id is not None and match.coordinator_id == self.user_id:
            return True
        return any(slot.participant_id in self.participant_ids for slot in match.slots.all())


def _user_id(actor: Actor | None) -> int | None:
    if not permissions.is_authenticated(actor):
        return None
    return int(actor.id)  # type: ignore[union-attr]


def participant_ids_of(*, tournament_id: int, user_id: int) -> frozenset[int]:
    """The tournament's participants the user plays for: the solo player, or a member of the
    roster as checked in. ``member_ids`` is JSON, so the roster test runs here, portably."""
    rows = Participant.objects.filter(tournament_id=tournament_id).values_list(
        "pk", "user_id", "member_ids"
    )
    return frozenset(
        pk for pk, solo, members in rows if solo == user_id or user_id in (members or [])
    )


def viewer_of(actor: Actor | None, tournament_id: int) -> Viewer:
    """What ``actor`` is to the tournament's competition (anonymous: nothing)."""
    user_id = _user_id(actor)
    if user_id is None:
        return Viewer()
    return Viewer(
        user_id=user_id,
        staff=permissions.has_role(actor, Role.MODERATOR, "tournament", tournament_id),
        participant_ids=participant_ids_of(tournament_id=tournament_id, user_id=user_id),
    )


def _visible(actor: Actor | None, tournament_id: int, not_found: NotFound) -> None:
    """Raise ``not_found`` (the object's own 404) unless the caller may see the tournament."""
    try:
        tournaments.tournament_get_for(actor, tournament_id)
    except NotFound:
        raise not_found from None


# --- labels -----------------------------------------------------------------------------------


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def source_label(source: dict[str, Any] | None) -> str | None:
    """A short human label for where a slot's participant comes from (the engine's source):
    "Seed 3", "Winner of W1.2", "Loser of W2.1", "2nd of group 1", "Bye"."""
    if not source:
        return None
    kind = source.get("kind")
    if kind == "seed":
        return f"Seed {source.get('number')}"
    if kind == "bye":
        return "Bye"
    if kind == "winner":
        return f"Winner of {source.get('match')}"
    if kind == "loser":
        return f"Loser of {source.get('match')}"
    if kind == "qualifier":
        group = str(source.get("group") or "").replace("-", " ")
        return f"{_ordinal(int(source.get('number') or 0))} of {group}".strip()
    if kind == "reset":
        return f"Side {source.get('number')} of {source.get('match')} (if reset)"
    return None


# --- matches ----------------------------------------------------------------------------------

_SLOTS = Prefetch(
    "slots", queryset=MatchSlot.objects.select_related("participant").order_by("slot")
)


def _with_summary(queryset: QuerySet[Match]) -> QuerySet[Match]:
    """Matches with what a summary shows: slots and their participants' names."""
    return queryset.prefetch_related(_SLOTS)


def _with_detail(queryset: QuerySet[Match]) -> QuerySet[Match]:
    """Matches with everything the full view shows (games, the waiting result, the dispute)."""
    return (
        _with_summary(queryset)
        .select_related("round")
        .prefetch_related(
            Prefetch("games", queryset=MatchGame.objects.order_by("number")),
            Prefetch(
                "reports",
                queryset=ResultReport.objects.filter(status=ReportStatus.PENDING).order_by("-id"),
                to_attr="pending_reports",
            ),
            Prefetch(
                "disputes",
                queryset=Dispute.objects.filter(status=DisputeStatus.OPEN).order_by("-id"),
                to_attr="open_disputes",
            ),
        )
    )


def attach_links(matches: Iterable[Match]) -> list[Match]:
    """Resolve each match's ``winner_to``/``loser_to`` engine keys to match ids (one query for
    all of them) and remember the viewer-independent result as ``link_ids`` on each match."""
    matches = list(matches)
    wanted: dict[int, set[str]] = defaultdict(set)
    for match in matches:
        for link in (match.winner_to, match.loser_to):
            if link and link.get("match"):
                wanted[match.stage_id].add(str(link["match"]))
    ids: dict[int, dict[str, int]] = defaultdict(dict)
    if wanted:
        condition = Q()
        for stage_id, keys in wanted.items():
            condition |= Q(stage_id=stage_id, key__in=sorted(keys))
        for stage_id, key, pk in Match.objects.filter(condition).values_list(
            "stage_id", "key", "pk"
        ):
            ids[stage_id][key] = pk
    for match in matches:
        match.link_ids = ids.get(match.stage_id, {})  # type: ignore[attr-defined]
    return matches


def _show_station(matches: Iterable[Match], viewer: Viewer) -> list[Match]:
    for match in matches:
        match.station_visible = viewer.takes_part_in(match)  # type: ignore[attr-defined]
    return list(matches)


@dataclass(frozen=True)
class MatchFilters:
    status: MatchStatus | None = None
    stage_id: int | None = None
    participant_id: int | None = None
    mine: bool = False


def match_list(
    *, actor: Actor | None, tournament_id: int, filters: MatchFilters
) -> QuerySet[Match]:
    """The tournament's matches for a caller who may see it (404 ``tournament_not_found``
    otherwise), filtered; ``mine`` keeps the matches the caller plays in (401 anonymous)."""
    tournaments.tournament_get_for(actor, tournament_id)
    queryset = Match.objects.filter(tournament_id=tournament_id)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.stage_id is not None:
        queryset = queryset.filter(stage_id=filters.stage_id)
    if filters.participant_id is not None:
        queryset = queryset.filter(
            pk__in=MatchSlot.objects.filter(participant_id=filters.participant_id).values(
                "match_id"
            )
        )
    if filters.mine:
        permissions.require_authenticated(actor)
        mine = participant_ids_of(tournament_id=tournament_id, user_id=_user_id(actor) or 0)
        # A subquery on the indexed slot table rather than a join: no duplicate rows to
        # de-duplicate, on SQLite and PostgreSQL alike.
        queryset = queryset.filter(
            pk__in=MatchSlot.objects.filter(participant_id__in=sorted(mine)).values("match_id")
        )
    return _with_detail(queryset)


def match_page_prepare(*, actor: Actor | None, tournament_id: int, matches: list[Match]) -> None:
    """Finish a page of matches for output: links resolved and station visibility decided."""
    attach_links(matches)
    _show_station(matches, viewer_of(actor, tournament_id))


def match_get_for(*, actor: Actor | None, match_id: int) -> Match:
    """The match with its details if the caller may see its tournament; 404
    ``match_not_found`` otherwise."""
    match = _with_detail(Match.objects.filter(pk=match_id)).first()
    if match is None:
        raise errors.MatchNotFound("No such match.")
    _visible(actor, match.tournament_id, errors.MatchNotFound("No such match."))
    attach_links([match])
    _show_station([match], viewer_of(actor, match.tournament_id))
    return match


def match_ref(match_id: int) -> MatchRef:
    """The match as other apps see it; 404 ``match_not_found``. No permission check."""
    match = _with_summary(Match.objects.filter(pk=match_id)).first()
    if match is None:
        raise errors.MatchNotFound("No such match.")
    return _ref(match)


def match_refs(*, tournament_id: int, statuses: Iterable[MatchStatus]) -> list[MatchRef]:
    """The tournament's matches in these states, in bracket order (stage, position)."""
    rows = _with_summary(
        Match.objects.filter(
            tournament_id=tournament_id, status__in=[MatchStatus(s).value for s in statuses]
        ).order_by("stage__index", "position", "id")
    )
    return [_ref(match) for match in rows]


def _ref(match: Match) -> MatchRef:
    slots = list(match.slots.all())
    return MatchRef(
        id=match.pk,
        tournament_id=match.tournament_id,
        stage_id=match.stage_id,
        key=match.key,
        status=MatchStatus(match.status),
        participant_ids=tuple(s.participant_id for s in slots),
        scores=tuple(int(s) for s in (match.scores or match.live_scores or [])),
        winner_id=match.winner_id,
        best_of=match.best_of,
        score_seq=match.score_seq,
    )


# --- stages -----------------------------------------------------------------------------------


def stage_list(*, actor: Actor | None, tournament_id: int) -> list[Stage]:
    """The tournament's stages in plan order (404 ``tournament_not_found`` if hidden)."""
    tournaments.tournament_get_for(actor, tournament_id)
    return list(Stage.objects.filter(tournament_id=tournament_id).order_by("index"))


def stage_get_for(*, actor: Actor | None, stage_id: int) -> Stage:
    """The stage if the caller may see its tournament; 404 ``stage_not_found`` otherwise."""
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise errors.StageNotFound("No such stage.")
    _visible(actor, stage.tournament_id, errors.StageNotFound("No such stage."))
    return stage


def _stage_participants(stage: Stage) -> list[Participant]:
    """The stage's participants in its seed order, each with ``stage_seed`` (1 = top seed)."""
    order = [int(name) for name in (stage.engine or {}).get("participants", [])]
    rows = Participant.objects.in_bulk(order)
    found = []
    for index, pk in enumerate(order):
        row = rows.get(pk)
        if row is not None:
            row.stage_seed = index + 1  # type: ignore[attr-defined]
            found.append(row)
    return found


def stage_bracket(*, stage: Stage) -> Stage:
    """``stage`` with everything to draw it attached: ``bracket_participants`` (seed order) and
    ``bracket_rounds`` (engine order: by group and bracket as the engine lists them, then by
    round number), each round with its ``bracket_matches`` by number. Constant queries."""
    matches = list(_with_summary(Match.objects.filter(stage=stage)).order_by("position", "number"))
    ids = {m.key: m.pk for m in matches}
    first_seen: dict[Any, int] = {}
    by_round: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        match.link_ids = ids  # type: ignore[attr-defined]
        by_round[match.round_id].append(match)
        first_seen.setdefault(match.group, match.position)
        first_seen.setdefault((match.group, match.bracket), match.position)
    rounds = list(Round.objects.filter(stage=stage))
    last = len(matches)

    def order(rnd: Round) -> tuple[int, int, int]:
        return (
            first_seen.get(rnd.group, last),
            first_seen.get((rnd.group, rnd.bracket), last),
            rnd.number,
        )

    rounds.sort(key=order)
    for rnd in rounds:
        rnd.bracket_matches = sorted(by_round.get(rnd.pk, []), key=lambda m: m.number)  # type: ignore[attr-defined]
    stage.bracket_rounds = rounds  # type: ignore[attr-defined]
    stage.bracket_participants = _stage_participants(stage)  # type: ignore[attr-defined]
    return stage


def _named_rows(rows: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    return [{**row, "name": names.get(row.get("participant_id"), "")} for row in rows]


def stage_standings(*, stage: Stage) -> dict[str, Any]:
    """The stage's stored standings with each participant's name (overall and per group)."""
    stored = stage.standings or {}
    ids = {row.get("participant_id") for row in stored.get("rows", [])}
    for group in stored.get("groups", []):
        ids.update(row.get("participant_id") for row in group.get("rows", []))
    names = dict(
        Participant.objects.filter(pk__in=[i for i in ids if i is not None]).values_list(
            "pk", "name"
        )
    )
    result: dict[str, Any] = {
        "stage_id": stage.pk,
        "final": bool(stored.get("final", False)),
        "criteria": list(stored.get("criteria", [])),
        "rows": _named_rows(stored.get("rows", []), names),
        "groups": None,
    }
    if "groups" in stored:
        result["groups"] = [
            {
                "group": group.get("group", ""),
                "final": bool(group.get("final", False)),
                "rows": _named_rows(group.get("rows", []), names),
            }
            for group in stored["groups"]
        ]
    return result


# --- participants -----------------------------------------------------------------------------


def participant_list(*, actor: Actor | None, tournament_id: int) -> list[Participant]:
    """The tournament's participants by seed (404 ``tournament_not_found`` if hidden)."""
    tournaments.tournament_get_for(actor, tournament_id)
    return list(Participant.objects.filter(tournament_id=tournament_id).order_by("seed", "id"))


def participant_get(*, tournament_id: int, participant_id: int) -> Participant:
    """A participant of the tournament; 404 ``participant_not_found``."""
    participant = Participant.objects.filter(pk=participant_id, tournament_id=tournament_id).first()
    if participant is None:
        raise errors.ParticipantNotFound("No such participant in this tournament.")
    return participant


# --- disputes ---------------------------------------------------------------------------------

_COMMENTS = Prefetch("comments", queryset=DisputeComment.objects.order_by("id"))


def dispute_list(
    *, actor: Actor | None, tournament_id: int, status: DisputeStatus | None = None
) -> QuerySet[Dispute]:
    """The tournament's disputes for its organizers and moderators (404 if the caller may not
    see the tournament, 403 ``role_required`` if they are not its staff)."""
    tournaments.tournament_get_for(actor, tournament_id)
    permissions.require_role(actor, Role.MODERATOR, "tournament", tournament_id)
    queryset = Dispute.objects.filter(match__tournament_id=tournament_id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return queryset.select_related("match").prefetch_related(_COMMENTS)


def dispute_detail(*, dispute_id: int) -> Dispute:
    """The dispute with its match and thread, for a caller already allowed to read it."""
    dispute = (
        Dispute.objects.filter(pk=dispute_id)
        .select_related("match")
        .prefetch_related(_COMMENTS)
        .first()
    )
    if dispute is None:
        raise errors.DisputeNotFound("No such dispute.")
    return dispute


def comment_of(*, dispute_id: int, comment_id: int) -> DisputeComment:
    """A comment of the dispute's thread; 404 ``evidence_not_found`` when the comment is not in
    that dispute (the evidence route names both)."""
    comment = DisputeComment.objects.filter(pk=comment_id, dispute_id=dispute_id).first()
    if comment is None:
        raise errors.EvidenceNotFound("No such evidence.")
    return comment


# --- final results ----------------------------------------------------------------------------


def results_get(*, actor: Actor | None, tournament_id: int) -> dict[str, Any]:
    """How the tournament ended: placements with names, the tie-break explanation and whether
    an organizer should review the champion's path. While it runs: no placements yet."""
    tournaments.tournament_get_for(actor, tournament_id)
    ledger = CompetitionLedger.objects.filter(tournament_id=tournament_id).first()
    if ledger is None or ledger.completed_at is None:
        return {
            "completed_at": None,
            "requires_review": False,
            "placements": [],
            "explanation": [],
        }
    names = dict(Participant.objects.filter(tournament_id=tournament_id).values_list("pk", "name"))
    return {
        "completed_at": ledger.completed_at,
        "requires_review": ledger.requires_review,
        "placements": [
            {
                "participant_id": row["participant_id"],
                "place": row["place"],
                "name": names.get(row["participant_id"], ""),
            }
            for row in ledger.placements
        ],
        "explanation": list(ledger.explanation),
    }


def placements_of(tournament_id: int) -> list[Placement]:
    """The final placements, best first (empty until the tournament is completed)."""
    ledger = CompetitionLedger.objects.filter(tournament_id=tournament_id).first()
    if ledger is None or ledger.completed_at is None:
        return []
    return [
        Placement(participant_id=int(row["participant_id"]), place=int(row["place"]))
        for row in ledger.placements
    ]
