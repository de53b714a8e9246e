"""Tournaments app, selectors layer: reading tournaments, who may see them, discovery, templates.

Visibility rules live here, in one place: soft-deleted tournaments exist for nobody; drafts only
for their staff (organizers and moderators); private tournaments for their staff, their players
and holders of the invite token; public and unlisted ones for everyone (only public ones are
listed). Platform admins see every tournament that is not deleted.

Search uses PostgreSQL full-text search when the database is PostgreSQL (prefix matching over
name and description, ranked, backed by the GIN index of migration 0002) and a case-insensitive
substring match on SQLite; both also match the game's name.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

from deltacrown.apps.tournaments import errors, roles
from deltacrown.apps.tournaments.data import (
    FEATURED_STATES,
    TRANSITIONS,
    UPCOMING_STATES,
    Actor,
    EntryFeeKind,
    FieldKind,
    FieldSpec,
    ParticipantKind,
    Region,
    StaffRole,
    TemplateScope,
    TournamentCard,
    TournamentDetail,
    TournamentRef,
    TournamentStatus,
    Visibility,
)
from deltacrown.apps.tournaments.models import (
    RegistrationField,
    Tournament,
    TournamentStaff,
    TournamentTemplate,
)
from deltacrown.kernel import clock, permissions
from deltacrown.kernel.permissions import Role

#: The text-search configuration: "simple" matches words as written, whatever the language.
SEARCH_CONFIG = "simple"
SEARCH_MAX_TERMS = 8
SEARCH_TERM_MAX_LENGTH = 64
_TERM = re.compile(r"[^\W_]+")  # letters and digits: nothing that means anything to tsquery


# --- single tournaments -----------------------------------------------------------------------


def _with_game(queryset: QuerySet[Tournament]) -> QuerySet[Tournament]:
    return queryset.annotate(game_slug=F("game__slug"), game_name=F("game__name"))


def tournament_row(*, tournament_id: int) -> Tournament:
    """The tournament (not deleted) with its game's slug and name; 404 if there is none."""
    tournament = (
        _with_game(Tournament.objects.filter(pk=tournament_id, deleted_at__isnull=True))
    ).first()
    if tournament is None:
        raise errors.TournamentNotFound("No such tournament.")
    return tournament


def tournament_rows(*, tournament_ids: Iterable[int]) -> dict[int, Tournament]:
    """The existing, not deleted tournaments among ``tournament_ids``, by id."""
    ids = {int(i) for i in tournament_ids}
    return {row.pk: row for row in Tournament.objects.filter(pk__in=ids, deleted_at__isnull=True)}


def holds(viewer: Actor | None, role: Role, tournament_id: int) -> bool:
    """Whether ``viewer`` holds ``role`` on the tournament (platform admins hold every role)."""
    return permissions.has_role(viewer, role, roles.OBJECT_TYPE, tournament_id)


def invite_matches(tournament: Tournament, invite_token: str | None) -> bool:
    """Whether ``invite_token`` is the tournament's current invite token."""
    return bool(
        invite_token
        and tournament.invite_token
        and hmac.compare_digest(invite_token.encode(), tournament.invite_token.encode())
    )


def can_view(tournament: Tournament, viewer: Actor | None, invite_token: str | None = None) -> bool:
    """Whether ``viewer`` may know that ``tournament`` exists and read it."""
    if tournament.deleted_at is not None:
        return False
    if tournament.status == TournamentStatus.DRAFT:
        return holds(viewer, Role.MODERATOR, tournament.pk)
    if tournament.visibility == Visibility.PRIVATE:
        return (
            invite_matches(tournament, invite_token)
            or holds(viewer, Role.MODERATOR, tournament.pk)
            or holds(viewer, Role.PLAYER, tournament.pk)
        )
    return True


def tournament_get_visible(
    *,
    viewer: Actor | None,
    tournament_id: int | None = None,
    slug: str | None = None,
    invite_token: str | None = None,
) -> Tournament:
    """The tournament by id or slug if ``viewer`` may see it; 404 ``tournament_not_found``."""
    queryset = Tournament.objects.filter(deleted_at__isnull=True)
    if tournament_id is not None:
        queryset = queryset.filter(pk=tournament_id)
    elif slug is not None:
        queryset = queryset.filter(slug=slug)
    else:
        raise ValueError("give tournament_id or slug")
    tournament = _with_game(queryset).first()
    if tournament is None or not can_view(tournament, viewer, invite_token):
        raise errors.TournamentNotFound("No such tournament.")
    return tournament


def viewer_roles(tournament: Tournament, viewer: Actor | None) -> list[str]:
    """The roles ``viewer`` holds on the tournament: owner, organizer, moderator."""
    if not permissions.is_authenticated(viewer):
        return []
    found = []
    if viewer.id == tournament.organizer_id:  # type: ignore[union-attr]
        found.append("owner")
    if holds(viewer, Role.ORGANIZER, tournament.pk):
        found.append(Role.ORGANIZER.value)
    if holds(viewer, Role.MODERATOR, tournament.pk):
        found.append(Role.MODERATOR.value)
    return found


def with_viewer(tournament: Tournament, viewer: Actor | None) -> Tournament:
    """``tournament`` with ``viewer`` set to what the caller may do with it.

    ``{"roles", "can_edit", "allowed_transitions"}``; the detail response shows the invite
    token only to callers who can edit.
    """
    can_edit = holds(viewer, Role.ORGANIZER, tournament.pk)
    tournament.viewer = {  # type: ignore[attr-defined]
        "roles": viewer_roles(tournament, viewer),
        "can_edit": can_edit,
        "allowed_transitions": (
            sorted(s.value for s in TRANSITIONS[TournamentStatus(tournament.status)])
            if can_edit
            else []
        ),
    }
    return tournament


def tournament_ref(tournament: Tournament) -> TournamentRef:
    """The public value object for ``tournament``."""
    return TournamentRef(
        id=tournament.pk,
        slug=tournament.slug,
        name=tournament.name,
        game_id=tournament.game_id,
        status=TournamentStatus(tournament.status),
        participant_kind=ParticipantKind(tournament.participant_kind),
        team_size=tournament.team_size,
        capacity=tournament.capacity,
        entry_fee_kind=EntryFeeKind(tournament.entry_fee_kind),
        entry_fee_amount=tournament.entry_fee_amount,
        currency=tournament.entry_fee_currency,
        registration_opens_at=tournament.registration_opens_at,
        registration_closes_at=tournament.registration_closes_at,
        check_in_opens_at=tournament.check_in_opens_at,
        starts_at=tournament.starts_at,
        visibility=Visibility(tournament.visibility),
        organizer_id=tournament.organizer_id,
        waitlist_promotion_on_close=tournament.waitlist_promotion_on_close,
    )


def staff_list(*, tournament_id: int) -> QuerySet[TournamentStaff]:
    """The co-organizers and moderators of a tournament, in the order they were added."""
    return TournamentStaff.objects.filter(tournament_id=tournament_id).order_by("added_at", "id")


def registration_field_specs(*, tournament_id: int) -> list[FieldSpec]:
    """The tournament's custom registration fields, in display order."""
    return [
        field_spec(row)
        for row in RegistrationField.objects.filter(tournament_id=tournament_id).order_by(
            "position", "id"
        )
    ]


def field_spec(row: RegistrationField) -> FieldSpec:
    """The value object for one stored registration field."""
    options = row.options or {}
    return FieldSpec(
        key=row.key,
        label=row.label,
        kind=FieldKind(row.kind),
        required=row.required,
        help_text=row.help_text,
        min=options.get("min"),
        max=options.get("max"),
        choices=tuple(options.get("choices") or ()),
        max_length=options.get("max_length"),
        position=row.position,
    )


# --- discovery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscoveryFilters:
    """The filters of the tournament list; None leaves a filter out."""

    q: str | None = None
    game: str | None = None  # game slug
    status: TournamentStatus | None = None
    format: str | None = None
    region: str | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    prize_min: int | None = None
    prize_max: int | None = None
    fee_min: int | None = None
    fee_max: int | None = None
    free: bool | None = None
    official: bool | None = None
    mine: bool = False


#: The orderings of the tournament list: name -> keyset ordering (ends in a unique field).
ORDERINGS: dict[str, tuple[str, ...]] = {
    "starts_at": ("starts_at", "id"),
    "-starts_at": ("-starts_at", "-id"),
    "prize": ("-prize_pool", "-id"),
    "created": ("-id",),
    "relevance": ("-search_rank", "-id"),
}


def search_vector() -> SearchVector:
    """The searchable document of a tournament; migration 0002 indexes exactly this."""
    return SearchVector("name", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "description", weight="B", config=SEARCH_CONFIG
    )


def search_terms(q: str | None) -> list[str]:
    """The words of a search, lower-cased, at most ``SEARCH_MAX_TERMS`` of them."""
    if not q:
        return []
    terms = [t.lower()[:SEARCH_TERM_MAX_LENGTH] for t in _TERM.findall(q)]
    return list(dict.fromkeys(terms))[:SEARCH_MAX_TERMS]


def _game_ids_named(term: str) -> list[int]:
    """Ids of the games whose name contains ``term`` (the catalogue is small)."""
    # Through the relation, so this app never imports the games models. A list rather than a
    # subquery: "game_id IN (1, 2)" can be OR-ed with the full-text condition in one bitmap
    # index scan; a subquery forces PostgreSQL to scan the whole table.
    game_model = Tournament._meta.get_field("game").related_model
    names = game_model._default_manager.filter(name__icontains=term)  # type: ignore[union-attr]
    return list(names.values_list("pk", flat=True))


def _term_condition(term: str, text: Q) -> Q:
    game_ids = _game_ids_named(term)
    return text | Q(game_id__in=game_ids) if game_ids else text


def _search(queryset: QuerySet[Tournament], terms: list[str]) -> QuerySet[Tournament]:
    """Tournaments matching every term (in the name, description or game name), ranked."""
    condition = Q()
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(search_document=search_vector())
        for term in terms:
            prefix = SearchQuery(f"'{term}':*", search_type="raw", config=SEARCH_CONFIG)
            condition &= _term_condition(term, Q(search_document=prefix))
        any_term = SearchQuery(
            " | ".join(f"'{term}':*" for term in terms), search_type="raw", config=SEARCH_CONFIG
        )
        # ts_rank is a float4: scaled to an integer so that cursors compare it exactly.
        rank: Any = Cast(
            SearchRank(search_vector(), any_term) * Value(1_000_000.0),
            output_field=BigIntegerField(),
        )
        return queryset.filter(condition).annotate(search_rank=rank)
    rank = Value(0)
    for term in terms:
        text = Q(name__icontains=term) | Q(description__icontains=term)
        condition &= _term_condition(term, text)
        rank = rank + Case(
            When(name__icontains=term, then=Value(2)),
            When(description__icontains=term, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return queryset.filter(condition).annotate(search_rank=rank)


def tournament_search(
    *, viewer: Actor | None, filters: DiscoveryFilters, ordering: str | None = None
) -> tuple[QuerySet[Tournament], tuple[str, ...]]:
    """The tournament list for ``filters`` and the keyset ordering to page it by.

    Lists public tournaments that are published or later, or, with ``mine``, every tournament
    (drafts and private ones included) on which the viewer is staff. The default ordering is
    ``relevance`` when searching, else ``created`` (newest first).
    """
    queryset = Tournament.objects.filter(deleted_at__isnull=True)
    if filters.mine:
        permissions.require_authenticated(viewer)
        queryset = queryset.filter(roles.staff_q(viewer.id))  # type: ignore[union-attr,arg-type]
    else:
        queryset = queryset.filter(visibility=Visibility.PUBLIC).exclude(
            status=TournamentStatus.DRAFT
        )
    queryset = _with_game(_filtered(queryset, filters))
    terms = search_terms(filters.q)
    if terms:
        queryset = _search(queryset, terms)
    chosen = ordering or ("relevance" if terms else "created")
    if chosen == "relevance" and not terms:
        chosen = "created"
    return queryset, ORDERINGS[chosen]


def _filtered(queryset: QuerySet[Tournament], filters: DiscoveryFilters) -> QuerySet[Tournament]:
    lookups: dict[str, Any] = {
        "game__slug": filters.game,
        "status": filters.status,
        "format": filters.format,
        "region": filters.region,
        "starts_at__gte": filters.starts_after,
        "starts_at__lt": filters.starts_before,
        "prize_pool__gte": filters.prize_min,
        "prize_pool__lte": filters.prize_max,
        "entry_fee_amount__gte": filters.fee_min,
        "entry_fee_amount__lte": filters.fee_max,
        "official": filters.official,
    }
    queryset = queryset.filter(**{k: v for k, v in lookups.items() if v is not None})
    if filters.free is not None:
        kind = EntryFeeKind.NONE if filters.free else EntryFeeKind.EXTERNAL
        queryset = queryset.filter(entry_fee_kind=kind)
    return queryset


def _listed(game: str | None) -> QuerySet[Tournament]:
    queryset = Tournament.objects.filter(deleted_at__isnull=True, visibility=Visibility.PUBLIC)
    if game:
        queryset = queryset.filter(game__slug=game)
    return _with_game(queryset)


def tournament_upcoming(*, game: str | None = None) -> QuerySet[Tournament]:
    """Public tournaments that have not started yet (page by ``starts_at, id``)."""
    return _listed(game).filter(status__in=UPCOMING_STATES, starts_at__gt=clock.now())


def tournament_live(*, game: str | None = None) -> QuerySet[Tournament]:
    """Public tournaments being played now (page by ``-starts_at, -id``)."""
    return _listed(game).filter(status=TournamentStatus.LIVE)


def tournament_featured(*, game: str | None = None) -> QuerySet[Tournament]:
    """Public tournaments that staff feature, from publication to the end of play."""
    return _listed(game).filter(featured=True, status__in=FEATURED_STATES)


# --- public pages ------------------------------------------------------------------------------

#: How the directory of the public pages may be ordered: soonest start first, or latest first.
DIRECTORY_ORDERINGS: dict[str, tuple[str, ...]] = {
    "soonest": ("starts_at", "id"),
    "latest": ("-starts_at", "-id"),
}


def tournament_directory(
    *,
    filters: DiscoveryFilters,
    statuses: Collection[TournamentStatus] = (),
    ordering: str = "soonest",
    limit: int = 12,
) -> list[Tournament]:
    """Public, listed tournaments matching ``filters`` whose status is one of ``statuses`` (all
    when empty), in ``DIRECTORY_ORDERINGS[ordering]``, at most ``limit`` (one query)."""
    queryset, _ = tournament_search(viewer=None, filters=filters)
    if statuses:
        queryset = queryset.filter(status__in=[TournamentStatus(s).value for s in statuses])
    return list(queryset.order_by(*DIRECTORY_ORDERINGS[ordering])[:limit])


def tournament_card(tournament: Tournament) -> TournamentCard:
    """The listing value object of a row loaded with its game (``_with_game``)."""
    return TournamentCard(**_card_fields(tournament))


def _card_fields(tournament: Tournament) -> dict[str, Any]:
    return {
        "id": tournament.pk,
        "slug": tournament.slug,
        "name": tournament.name,
        "game_id": tournament.game_id,
        "game_slug": tournament.game_slug,  # type: ignore[attr-defined]
        "game_name": tournament.game_name,  # type: ignore[attr-defined]
        "status": TournamentStatus(tournament.status),
        "visibility": Visibility(tournament.visibility),
        "region": Region(tournament.region),
        "format": tournament.format,
        "participant_kind": ParticipantKind(tournament.participant_kind),
        "team_size": tournament.team_size,
        "capacity": tournament.capacity,
        "starts_at": tournament.starts_at,
        "prize_pool": tournament.prize_pool,
        "prize_currency": tournament.prize_currency,
        "entry_fee_kind": EntryFeeKind(tournament.entry_fee_kind),
        "entry_fee_amount": tournament.entry_fee_amount,
        "entry_fee_currency": tournament.entry_fee_currency,
        "official": tournament.official,
        "featured": tournament.featured,
    }


def tournament_detail(tournament: Tournament) -> TournamentDetail:
    """The public page value object of a row loaded with its game (``_with_game``)."""
    distribution = tournament.prize_distribution or {}
    return TournamentDetail(
        **_card_fields(tournament),
        description=tournament.description,
        rules=tournament.rules,
        stages=tuple(
            (str(stage.get("name") or ""), str(stage.get("format") or ""))
            for stage in tournament.stage_plan or []
        ),
        prize_distribution_kind=str(distribution.get("kind") or ""),
        prize_places=tuple(int(p) for p in distribution.get("places") or ()),
        registration_opens_at=tournament.registration_opens_at,
        registration_closes_at=tournament.registration_closes_at,
        check_in_opens_at=tournament.check_in_opens_at,
        live_at=tournament.live_at,
        completed_at=tournament.completed_at,
        cancelled_at=tournament.cancelled_at,
        organizer_id=tournament.organizer_id,
    )


# --- templates ---------------------------------------------------------------------------------


def template_visible_q(user_id: int) -> Q:
    """Templates ``user_id`` may see: global ones, their own, and organization templates of
    owners whose tournaments they co-organize."""
    co_organized = TournamentStaff.objects.filter(
        user_id=user_id, role=StaffRole.CO_ORGANIZER.value
    ).values("tournament_id")
    teammates = Tournament.objects.filter(pk__in=co_organized).values("organizer_id")
    return (
        Q(scope=TemplateScope.GLOBAL)
        | Q(owner_id=user_id)
        | Q(scope=TemplateScope.ORGANIZATION, owner_id__in=teammates)
    )


def template_list(*, viewer: Actor, game: str | None = None) -> QuerySet[TournamentTemplate]:
    """The templates ``viewer`` may see, optionally only those of one game (slug)."""
    permissions.require_authenticated(viewer)
    queryset = TournamentTemplate.objects.filter(template_visible_q(viewer.id))  # type: ignore[arg-type]
    if game:
        queryset = queryset.filter(config__game=game)
    return queryset


def template_get_visible(*, viewer: Actor, template_id: int) -> TournamentTemplate:
    """A template ``viewer`` may see; 404 ``template_not_found`` otherwise."""
    permissions.require_authenticated(viewer)
    template = (
        TournamentTemplate.objects.filter(pk=template_id)
        .filter(template_visible_q(viewer.id))  # type: ignore[arg-type]
        .first()
    )
    if template is None:
        raise errors.TemplateNotFound("No such template.")
    return template
