"""Tournaments app, HTTP layer: tournaments, lifecycle, staff, registration fields, templates.

Mounted at ``/api/v1/tournaments``. Reads of tournaments take optional authentication
(anonymous visitors see public tournaments; a signed-in caller also sees drafts and private
tournaments they may know about); every write needs a signed-in caller. Each operation parses,
calls one service or selector and shapes the answer. Annotations are real types (no postponed
evaluation) because ``@paginate`` re-reads them from another module.
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from deltacrown.apps.accounts.api import OPTIONAL_AUTH
from deltacrown.apps.tournaments import selectors, services
from deltacrown.apps.tournaments.data import Region, TournamentStatus
from deltacrown.apps.tournaments.models import Tournament, TournamentTemplate
from deltacrown.apps.tournaments.schemas import (
    RegistrationFieldsIn,
    RegistrationFieldsOut,
    TournamentCreateIn,
    TournamentInviteOut,
    TournamentOut,
    TournamentPage,
    TournamentPatchIn,
    TournamentStaffIn,
    TournamentStaffListOut,
    TournamentStaffOut,
    TournamentSummaryOut,
    TournamentTemplateCreateIn,
    TournamentTemplateOut,
    TournamentTemplatePatchIn,
    TournamentTemplateUseIn,
    TournamentTransitionIn,
)
from deltacrown.kernel.pagination import CursorPagination, paginate_queryset

router = Router(tags=["tournaments"])


def _detail(request: HttpRequest, tournament_id: int) -> Tournament:
    """The tournament as the caller sees it after a write (fresh, with the game's name)."""
    return selectors.with_viewer(
        selectors.tournament_row(tournament_id=tournament_id), request.auth
    )


# --- discovery -------------------------------------------------------------------------------


class DiscoveryQuery(Schema):
    q: str | None = Field(None, max_length=200, description="Words in name, description, game")
    game: str | None = Field(None, max_length=64, description="Game slug")
    status: TournamentStatus | None = None
    format: str | None = Field(None, max_length=32, description="First stage's engine format")
    region: Region | None = None
    starts_after: datetime | None = Field(None, description="Starts at or after (ISO 8601)")
    starts_before: datetime | None = Field(None, description="Starts before (ISO 8601)")
    prize_min: int | None = Field(None, ge=0, description="Prize pool at least (minor units)")
    prize_max: int | None = Field(None, ge=0, description="Prize pool at most (minor units)")
    fee_min: int | None = Field(None, ge=0, description="Entry fee at least (minor units)")
    fee_max: int | None = Field(None, ge=0, description="Entry fee at most (minor units)")
    free: bool | None = Field(None, description="true: free entry only; false: paid only")
    official: bool | None = None
    mine: bool = Field(False, description="Tournaments I organize or moderate (drafts too)")
    ordering: str | None = Field(
        None,
        pattern=r"^(starts_at|-starts_at|prize|created|relevance)$",
        description="starts_at, -starts_at, prize (largest first), created (newest first), "
        "relevance (default when q is given)",
    )
    cursor: str | None = Field(None, description="Opaque cursor from a previous page")
    limit: int = Field(25, ge=1, le=100)


@router.get("", auth=OPTIONAL_AUTH, response=TournamentPage, summary="List and search tournaments")
def tournament_list(request: HttpRequest, query: Query[DiscoveryQuery]) -> dict[str, Any]:
    """Public tournaments (or, with ``mine=true``, those I organize or moderate), filtered,
    searched and ordered, one cursor page at a time. A cursor is only valid with the query
    that issued it."""
    filters = selectors.DiscoveryFilters(
        **query.model_dump(exclude={"ordering", "cursor", "limit"})
    )
    queryset, ordering = selectors.tournament_search(
        viewer=request.auth, filters=filters, ordering=query.ordering
    )
    page = paginate_queryset(queryset, cursor=query.cursor, limit=query.limit, ordering=ordering)
    return {"items": page.items, "next_cursor": page.next_cursor}


class ListQuery(Schema):
    game: str | None = Field(None, max_length=64, description="Game slug")


@router.get(
    "/upcoming",
    auth=OPTIONAL_AUTH,
    response=list[TournamentSummaryOut],
    summary="Upcoming tournaments",
)
@paginate(CursorPagination, ordering=("starts_at", "id"))
def tournament_upcoming(request: HttpRequest, query: Query[ListQuery]) -> QuerySet[Tournament]:
    """Public tournaments that have not started, soonest first."""
    return selectors.tournament_upcoming(game=query.game)


@router.get(
    "/live", auth=OPTIONAL_AUTH, response=list[TournamentSummaryOut], summary="Live tournaments"
)
@paginate(CursorPagination, ordering=("-starts_at", "-id"))
def tournament_live(request: HttpRequest, query: Query[ListQuery]) -> QuerySet[Tournament]:
    """Public tournaments being played now, most recently started first."""
    return selectors.tournament_live(game=query.game)


@router.get(
    "/featured",
    auth=OPTIONAL_AUTH,
    response=list[TournamentSummaryOut],
    summary="Featured tournaments",
)
@paginate(CursorPagination, ordering=("starts_at", "id"))
def tournament_featured(request: HttpRequest, query: Query[ListQuery]) -> QuerySet[Tournament]:
    """Public tournaments featured by the platform staff, from publication until play ends."""
    return selectors.tournament_featured(game=query.game)


# --- templates (before /{tournament_id} only for readability; paths cannot clash) -------------


@router.get("/templates", response=list[TournamentTemplateOut], summary="List tournament templates")
@paginate(CursorPagination, ordering=("-id",))
def template_list(request: HttpRequest, query: Query[ListQuery]) -> QuerySet[TournamentTemplate]:
    """Templates I may use: global ones, mine, and my organizing team's, newest first."""
    return selectors.template_list(viewer=request.auth, game=query.game)


@router.post(
    "/templates", response={201: TournamentTemplateOut}, summary="Save a tournament as template"
)
def template_create(request: HttpRequest, payload: TournamentTemplateCreateIn) -> Status:
    """Save a tournament's configuration (organizers of it). Global scope: platform staff."""
    template = services.template_create(
        actor=request.auth,
        tournament_id=payload.tournament_id,
        name=payload.name,
        scope=payload.scope,
        description=payload.description,
    )
    return Status(201, template)


@router.get(
    "/templates/{template_id}", response=TournamentTemplateOut, summary="A tournament template"
)
def template_get(request: HttpRequest, template_id: int) -> TournamentTemplate:
    return selectors.template_get_visible(viewer=request.auth, template_id=template_id)


@router.patch(
    "/templates/{template_id}", response=TournamentTemplateOut, summary="Change a template"
)
def template_update(
    request: HttpRequest, template_id: int, payload: TournamentTemplatePatchIn
) -> TournamentTemplate:
    """Rename, describe or re-scope a template (its creator; global templates: staff)."""
    return services.template_update(
        actor=request.auth,
        template_id=template_id,
        name=payload.name,
        scope=payload.scope,
        description=payload.description,
    )


@router.delete("/templates/{template_id}", response={204: None}, summary="Delete a template")
def template_delete(request: HttpRequest, template_id: int) -> Status:
    services.template_delete(actor=request.auth, template_id=template_id)
    return Status(204, None)


@router.post(
    "/templates/{template_id}/tournaments",
    response={201: TournamentOut},
    summary="Create a tournament from a template",
)
def template_use(
    request: HttpRequest, template_id: int, payload: TournamentTemplateUseIn
) -> Status:
    """A new draft from the template with ``overrides`` deep-merged (give the schedule)."""
    tournament = services.tournament_create_from_template(
        actor=request.auth, template_id=template_id, overrides=payload.overrides
    )
    return Status(201, _detail(request, tournament.pk))


# --- single tournaments ------------------------------------------------------------------------


@router.post("", response={201: TournamentOut}, summary="Create a tournament")
def tournament_create(request: HttpRequest, payload: TournamentCreateIn) -> Status:
    """Create a draft tournament that I organize. 422 lists every invalid field."""
    config = payload.model_dump(exclude={"official", "featured"})
    tournament = services.tournament_create(
        actor=request.auth, config=config, official=payload.official, featured=payload.featured
    )
    return Status(201, _detail(request, tournament.pk))


class InviteQuery(Schema):
    invite: str | None = Field(None, max_length=128, description="Invite token (private)")


@router.get(
    "/by-slug/{slug}", auth=OPTIONAL_AUTH, response=TournamentOut, summary="A tournament by slug"
)
def tournament_by_slug(request: HttpRequest, slug: str, query: Query[InviteQuery]) -> Tournament:
    tournament = selectors.tournament_get_visible(
        viewer=request.auth, slug=slug, invite_token=query.invite
    )
    return selectors.with_viewer(tournament, request.auth)


@router.get("/{tournament_id}", auth=OPTIONAL_AUTH, response=TournamentOut, summary="A tournament")
def tournament_get(
    request: HttpRequest, tournament_id: int, query: Query[InviteQuery]
) -> Tournament:
    """A tournament; 404 for drafts and private tournaments the caller may not see."""
    tournament = selectors.tournament_get_visible(
        viewer=request.auth, tournament_id=tournament_id, invite_token=query.invite
    )
    return selectors.with_viewer(tournament, request.auth)


@router.patch("/{tournament_id}", response=TournamentOut, summary="Edit a tournament")
def tournament_update(
    request: HttpRequest, tournament_id: int, payload: TournamentPatchIn
) -> Tournament:
    """Change settings (organizers); nested objects merge, absent keys stay."""
    services.tournament_update(
        actor=request.auth,
        tournament_id=tournament_id,
        changes=payload.model_dump(exclude_unset=True),
    )
    return _detail(request, tournament_id)


@router.delete("/{tournament_id}", response={204: None}, summary="Delete a tournament")
def tournament_delete(request: HttpRequest, tournament_id: int) -> Status:
    """Soft-delete a tournament that has not gone live (its owner)."""
    services.tournament_delete(actor=request.auth, tournament_id=tournament_id)
    return Status(204, None)


@router.post(
    "/{tournament_id}/transitions", response=TournamentOut, summary="Move to another state"
)
def tournament_transition(
    request: HttpRequest, tournament_id: int, payload: TournamentTransitionIn
) -> Tournament:
    """Move the tournament along its lifecycle; 409 ``invalid_transition`` lists ``allowed``."""
    services.tournament_transition(actor=request.auth, tournament_id=tournament_id, to=payload.to)
    return _detail(request, tournament_id)


@router.post(
    "/{tournament_id}/invite-token", response=TournamentInviteOut, summary="Rotate the invite token"
)
def tournament_invite_rotate(request: HttpRequest, tournament_id: int) -> dict[str, str]:
    """A new invite token for a private tournament; links with the old one stop working."""
    token = services.tournament_invite_rotate(actor=request.auth, tournament_id=tournament_id)
    return {"invite_token": token}


@router.get(
    "/{tournament_id}/staff", auth=OPTIONAL_AUTH, response=TournamentStaffListOut, summary="Staff"
)
def staff_list(request: HttpRequest, tournament_id: int, query: Query[InviteQuery]) -> dict:
    """The owner, co-organizers and moderators of a tournament the caller may see."""
    tournament = selectors.tournament_get_visible(
        viewer=request.auth, tournament_id=tournament_id, invite_token=query.invite
    )
    return {
        "owner_id": tournament.organizer_id,
        "items": list(selectors.staff_list(tournament_id=tournament.pk)),
    }


@router.post(
    "/{tournament_id}/staff", response={201: TournamentStaffOut}, summary="Add a staff member"
)
def staff_add(request: HttpRequest, tournament_id: int, payload: TournamentStaffIn) -> Status:
    """Make a user co-organizer or moderator (the owner only)."""
    member = services.tournament_staff_add(
        actor=request.auth, tournament_id=tournament_id, user_id=payload.user_id, role=payload.role
    )
    return Status(201, member)


@router.delete(
    "/{tournament_id}/staff/{user_id}", response={204: None}, summary="Remove a staff member"
)
def staff_remove(request: HttpRequest, tournament_id: int, user_id: int) -> Status:
    """Remove a co-organizer or moderator (the owner, or the member themselves)."""
    services.tournament_staff_remove(
        actor=request.auth, tournament_id=tournament_id, user_id=user_id
    )
    return Status(204, None)


@router.get(
    "/{tournament_id}/registration-fields",
    auth=OPTIONAL_AUTH,
    response=RegistrationFieldsOut,
    summary="Registration fields",
)
def registration_fields(
    request: HttpRequest, tournament_id: int, query: Query[InviteQuery]
) -> dict:
    """The questions every registration of the tournament answers."""
    tournament = selectors.tournament_get_visible(
        viewer=request.auth, tournament_id=tournament_id, invite_token=query.invite
    )
    return {"fields": selectors.registration_field_specs(tournament_id=tournament.pk)}


@router.put(
    "/{tournament_id}/registration-fields",
    response=RegistrationFieldsOut,
    summary="Replace the registration fields",
)
def registration_fields_set(
    request: HttpRequest, tournament_id: int, payload: RegistrationFieldsIn
) -> dict:
    """Replace every registration field (organizers, until registration opens)."""
    specs = services.registration_fields_set(
        actor=request.auth,
        tournament_id=tournament_id,
        fields=[field.model_dump() for field in payload.fields],
    )
    return {"fields": specs}
