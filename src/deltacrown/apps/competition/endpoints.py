"""Competition app, HTTP layer: stages and brackets, matches, results, disputes, final results.

Mounted at ``/api/v1/`` with full paths: a tournament's competition under
``/tournaments/{tournament_id}/`` (stages, participants, matches, disputes, results); one stage,
match or dispute under ``/stages/{stage_id}``, ``/matches/{match_id}``,
``/disputes/{dispute_id}``. Reads take optional authentication and follow the tournament's
visibility (anonymous visitors follow public tournaments live); disputes are for the match's
sides and the staff; every write needs a signed-in caller and calls exactly one service, which
checks who may do it. Annotations are real types (no postponed evaluation) because
``@paginate`` re-reads them from another module.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from deltacrown.apps.accounts.api import OPTIONAL_AUTH
from deltacrown.apps.competition import selectors, services
from deltacrown.apps.competition.data import DisputeStatus, MatchStatus
from deltacrown.apps.competition.models import Dispute, Match, Participant, Stage
from deltacrown.apps.competition.schemas import (
    CommentOut,
    DisputeOpenIn,
    DisputeOut,
    DisputeResolveIn,
    ForfeitIn,
    MatchOut,
    MatchPage,
    MatchPatchIn,
    MatchScheduleIn,
    MatchScheduleOut,
    ParticipantOut,
    ParticipantWithdrawIn,
    ResultIn,
    ResultsOut,
    ScoreUpdateIn,
    StageGenerateIn,
    StageOut,
    StageSummaryOut,
    StandingsOut,
)
from deltacrown.kernel.pagination import CursorPagination, paginate_queryset

router = Router(tags=["competition"])

#: Evidence files are checked like payment proofs, which refuse anything over 5 MB; reading
#: one byte more is enough for that check to answer ``proof_too_large`` without reading more.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


def _match(request: HttpRequest, match_id: int) -> Match:
    """The match as the caller sees it after a write."""
    return selectors.match_get_for(actor=request.auth, match_id=match_id)


def _stage(stage: Stage) -> Stage:
    """The stage with its whole bracket, for the response."""
    return selectors.stage_bracket(stage=stage)


def _dispute(dispute_id: int) -> Dispute:
    return selectors.dispute_detail(dispute_id=dispute_id)


# --- stages -----------------------------------------------------------------------------------


@router.post(
    "/tournaments/{tournament_id}/stages/generate",
    response={201: StageOut},
    summary="Generate the first stage (organizers)",
)
def stage_generate(request: HttpRequest, tournament_id: int, payload: StageGenerateIn) -> Status:
    """Draw the bracket from the checked-in participants once the tournament is live. May be
    repeated (another seeding, another random draw) until a match has started (409
    ``stage_locked``). ``random`` records its ``rng_seed`` in ``seeding`` so a draw can be
    reproduced."""
    stage = services.stage_generate(
        actor=request.auth,
        tournament_id=tournament_id,
        seeding=payload.seeding,
        rng_seed=payload.rng_seed,
        order=payload.order,
        ratings=payload.ratings,
    )
    return Status(201, _stage(stage))


@router.get(
    "/tournaments/{tournament_id}/stages",
    auth=OPTIONAL_AUTH,
    response=list[StageSummaryOut],
    summary="A tournament's stages",
)
def stage_list(request: HttpRequest, tournament_id: int) -> list[Stage]:
    """The stages of the tournament's plan in order (pending ones are not generated yet)."""
    return selectors.stage_list(actor=request.auth, tournament_id=tournament_id)


@router.get("/stages/{stage_id}", auth=OPTIONAL_AUTH, response=StageOut, summary="A bracket")
def stage_get(request: HttpRequest, stage_id: int) -> Stage:
    """Everything to draw the stage in one response: participants by seed, rounds in the
    engine's order with their matches, where each side comes from, where winners and losers
    go (match ids), and the standings."""
    return _stage(selectors.stage_get_for(actor=request.auth, stage_id=stage_id))


@router.get(
    "/stages/{stage_id}/standings",
    auth=OPTIONAL_AUTH,
    response=StandingsOut,
    summary="A stage's standings",
)
def stage_standings(request: HttpRequest, stage_id: int) -> dict[str, Any]:
    """Rank, status, numbers and the criterion that decided each place; per group as well
    for group stages."""
    stage = selectors.stage_get_for(actor=request.auth, stage_id=stage_id)
    return selectors.stage_standings(stage=stage)


# --- participants -----------------------------------------------------------------------------


@router.get(
    "/tournaments/{tournament_id}/participants",
    auth=OPTIONAL_AUTH,
    response=list[ParticipantOut],
    summary="A tournament's participants",
)
def participant_list(request: HttpRequest, tournament_id: int) -> list[Participant]:
    """Everyone in the competition by seed, with their standing and final placement."""
    return selectors.participant_list(actor=request.auth, tournament_id=tournament_id)


@router.post(
    "/tournaments/{tournament_id}/participants/{participant_id}/withdraw",
    response=ParticipantOut,
    summary="Withdraw or disqualify a participant (organizers)",
)
def participant_withdraw(
    request: HttpRequest, tournament_id: int, participant_id: int, payload: ParticipantWithdrawIn
) -> Participant:
    """Their playable matches are forfeited now and later ones as they come up; a
    disqualified participant is ranked last."""
    return services.participant_withdraw(
        actor=request.auth,
        tournament_id=tournament_id,
        participant_id=participant_id,
        disqualify=payload.disqualify,
        reason=payload.reason,
    )


# --- matches ----------------------------------------------------------------------------------


class MatchListQuery(Schema):
    status: MatchStatus | None = None
    stage_id: int | None = None
    participant_id: int | None = Field(None, description="Matches this participant plays")
    mine: bool = Field(False, description="Matches I play in (signed-in callers)")
    cursor: str | None = Field(None, description="Opaque cursor from a previous page")
    limit: int = Field(25, ge=1, le=100)


@router.get(
    "/tournaments/{tournament_id}/matches",
    auth=OPTIONAL_AUTH,
    response=MatchPage,
    summary="A tournament's matches",
)
def match_list(
    request: HttpRequest, tournament_id: int, query: Query[MatchListQuery]
) -> dict[str, Any]:
    """In bracket order (stage, then the engine's order), one cursor page at a time."""
    queryset = selectors.match_list(
        actor=request.auth,
        tournament_id=tournament_id,
        filters=selectors.MatchFilters(
            status=query.status,
            stage_id=query.stage_id,
            participant_id=query.participant_id,
            mine=query.mine,
        ),
    )
    page = paginate_queryset(
        queryset, cursor=query.cursor, limit=query.limit, ordering=("stage_id", "position", "id")
    )
    selectors.match_page_prepare(
        actor=request.auth, tournament_id=tournament_id, matches=page.items
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/tournaments/{tournament_id}/matches/schedule",
    response=MatchScheduleOut,
    summary="Schedule many matches (organizers)",
)
def matches_schedule(
    request: HttpRequest, tournament_id: int, payload: MatchScheduleIn
) -> dict[str, int]:
    """Set the time of up to 500 matches at once, all or nothing; null unschedules."""
    changed = services.matches_schedule(
        actor=request.auth,
        tournament_id=tournament_id,
        items=[(item.match_id, item.scheduled_at) for item in payload.items],
    )
    return {"changed": changed}


@router.get("/matches/{match_id}", auth=OPTIONAL_AUTH, response=MatchOut, summary="A match")
def match_get(request: HttpRequest, match_id: int) -> Match:
    """The match with its games, the result waiting for confirmation and any open dispute.
    Lobby details (``station``) are shown to the sides, the coordinator and the staff."""
    return _match(request, match_id)


@router.patch("/matches/{match_id}", response=MatchOut, summary="Change a match (staff)")
def match_update(request: HttpRequest, match_id: int, payload: MatchPatchIn) -> Match:
    """Only the fields given change: schedule, stream, lobby details, coordinator, best-of
    (before it is played)."""
    services.match_update(
        actor=request.auth, match_id=match_id, **payload.model_dump(exclude_unset=True)
    )
    return _match(request, match_id)


@router.post("/matches/{match_id}/start", response=MatchOut, summary="Start a match")
def match_start(request: HttpRequest, match_id: int) -> Match:
    """Staff or the coordinator start a ready match; the stage's draw is locked from now."""
    services.match_start(actor=request.auth, match_id=match_id)
    return _match(request, match_id)


@router.post("/matches/{match_id}/cancel", response=MatchOut, summary="Cancel a match (staff)")
def match_cancel(request: HttpRequest, match_id: int) -> Match:
    """It will not be played and nobody advances from it."""
    services.match_cancel(actor=request.auth, match_id=match_id)
    return _match(request, match_id)


@router.post("/matches/{match_id}/reset", response=MatchOut, summary="Reset a match (staff)")
def match_reset(request: HttpRequest, match_id: int) -> Match:
    """A live, reported or disputed match goes back to ``ready`` and is played again."""
    services.match_reset(actor=request.auth, match_id=match_id)
    return _match(request, match_id)


@router.post("/matches/{match_id}/score", response=MatchOut, summary="Post a live score")
def match_score_update(request: HttpRequest, match_id: int, payload: ScoreUpdateIn) -> Match:
    """Staff or the coordinator, while the match is live; ``seq`` must grow (409
    ``stale_score_update`` otherwise, with the current ``score_seq``)."""
    services.match_score_update(
        actor=request.auth,
        match_id=match_id,
        seq=payload.seq,
        scores=payload.scores,
        game=payload.game,
    )
    return _match(request, match_id)


@router.post("/matches/{match_id}/result", response=MatchOut, summary="Submit a result")
def result_submit(request: HttpRequest, match_id: int, payload: ResultIn) -> Match:
    """A side (a team's captain) reports the result; the other side confirms, disputes, or
    answers with its own report (the same result confirms it)."""
    services.result_submit(
        actor=request.auth, match_id=match_id, data=payload.model_dump(exclude_none=True)
    )
    return _match(request, match_id)


@router.post("/matches/{match_id}/confirm", response=MatchOut, summary="Confirm a result")
def result_confirm(request: HttpRequest, match_id: int) -> Match:
    """The other side (or staff) confirms the submitted result; the match is completed."""
    services.result_confirm(actor=request.auth, match_id=match_id)
    return _match(request, match_id)


@router.post(
    "/matches/{match_id}/override", response=MatchOut, summary="Set or correct a result (staff)"
)
def result_override(request: HttpRequest, match_id: int, payload: ResultIn) -> Match:
    """Completes an open match or corrects a decided one (409 ``correction_blocked`` when a
    match downstream was already played)."""
    services.result_override(
        actor=request.auth, match_id=match_id, data=payload.model_dump(exclude_none=True)
    )
    return _match(request, match_id)


@router.post("/matches/{match_id}/forfeit", response=MatchOut, summary="Record a forfeit")
def match_forfeit(request: HttpRequest, match_id: int, payload: ForfeitIn) -> Match:
    """A side concedes itself; staff record any forfeit, or a double forfeit."""
    services.match_forfeit(
        actor=request.auth,
        match_id=match_id,
        participant_id=payload.participant_id,
        double=payload.double,
    )
    return _match(request, match_id)


# --- disputes ---------------------------------------------------------------------------------


@router.post(
    "/matches/{match_id}/disputes",
    response={201: DisputeOut},
    summary="Dispute the submitted result",
)
def dispute_open(request: HttpRequest, match_id: int, payload: DisputeOpenIn) -> Status:
    """The other side contests the result waiting for confirmation; an organizer resolves."""
    dispute = services.dispute_open(actor=request.auth, match_id=match_id, reason=payload.reason)
    return Status(201, _dispute(dispute.pk))


class DisputeListQuery(Schema):
    status: DisputeStatus | None = None


@router.get(
    "/tournaments/{tournament_id}/disputes",
    response=list[DisputeOut],
    summary="A tournament's disputes (staff)",
)
@paginate(CursorPagination, ordering=("-id",))
def dispute_list(
    request: HttpRequest, tournament_id: int, filters: Query[DisputeListQuery]
) -> QuerySet[Dispute]:
    """Newest first, with their threads, for the tournament's organizers and moderators."""
    return selectors.dispute_list(
        actor=request.auth, tournament_id=tournament_id, status=filters.status
    )


@router.get("/disputes/{dispute_id}", response=DisputeOut, summary="A dispute")
def dispute_get(request: HttpRequest, dispute_id: int) -> Dispute:
    """For the match's players, its coordinator and the staff; 404 for anyone else."""
    services.dispute_get_for(request.auth, dispute_id)
    return _dispute(dispute_id)


@router.post(
    "/disputes/{dispute_id}/comments",
    response={201: CommentOut},
    summary="Comment on a dispute, with evidence",
)
def dispute_comment(
    request: HttpRequest,
    dispute_id: int,
    body: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Status:
    """Multipart: ``body`` (optional with a file) and ``file``, a JPEG, PNG or PDF of at most
    5 MB checked like a payment proof (images re-encoded without their metadata)."""
    # Who may comment is known before a byte of the upload is read, and a stranger learns
    # nothing from how their comment would have been judged.
    services.dispute_get_for(request.auth, dispute_id)
    data = file.read(EVIDENCE_MAX_BYTES + 1) if file is not None else None
    comment = services.dispute_comment(
        actor=request.auth,
        dispute_id=dispute_id,
        body=body,
        filename=(file.name or "") if file is not None else None,
        data=data,
    )
    return Status(201, comment)


@router.get(
    "/disputes/{dispute_id}/comments/{comment_id}/evidence",
    response={200: None},
    summary="Download a comment's evidence",
    openapi_extra={
        "responses": {
            200: {
                "description": "The evidence, as an attachment",
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in ("image/jpeg", "image/png", "application/pdf")
                },
            }
        }
    },
)
def evidence_download(request: HttpRequest, dispute_id: int, comment_id: int) -> HttpResponse:
    """For those who may read the dispute; 404 ``evidence_not_found`` for anyone else."""
    selectors.comment_of(dispute_id=dispute_id, comment_id=comment_id)
    content, content_type, name = services.evidence_read(actor=request.auth, comment_id=comment_id)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Uploaded by users: never rendered as anything but its declared type, never cached.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/disputes/{dispute_id}/resolve", response=DisputeOut, summary="Resolve a dispute (staff)"
)
def dispute_resolve(request: HttpRequest, dispute_id: int, payload: DisputeResolveIn) -> Dispute:
    """Choose the result, order a replay, or disqualify a side of the match."""
    services.dispute_resolve(
        actor=request.auth,
        dispute_id=dispute_id,
        resolution=payload.resolution,
        result=payload.result.model_dump(exclude_none=True) if payload.result else None,
        participant_id=payload.participant_id,
        note=payload.note,
    )
    return _dispute(dispute_id)


# --- final results ----------------------------------------------------------------------------


@router.get(
    "/tournaments/{tournament_id}/results",
    auth=OPTIONAL_AUTH,
    response=ResultsOut,
    summary="A tournament's final placements",
)
def results_get(request: HttpRequest, tournament_id: int) -> dict[str, Any]:
    """The placements once the last stage is over (``completed_at`` set); while the
    competition runs, ``completed_at`` is null and there are no placements yet."""
    return selectors.results_get(actor=request.auth, tournament_id=tournament_id)
