"""Tournaments app, data layer: the enums, value objects and event names other apps may use.

No Django import here: these types cross app boundaries (``api`` returns them) and are safe to
use in tasks, WebSocket consumers and the pure engine alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class TournamentStatus(StrEnum):
    """Where a tournament stands in its lifecycle (see ``TRANSITIONS``)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    CHECK_IN = "check_in"
    LIVE = "live"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


S = TournamentStatus

#: The lifecycle: each state and the states an organizer may move it to. Cancelling is possible
#: from every state before ``completed``; ``completed`` and ``cancelled`` are final.
TRANSITIONS: dict[TournamentStatus, frozenset[TournamentStatus]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.REGISTRATION_OPEN, S.CANCELLED}),
    S.REGISTRATION_OPEN: frozenset({S.REGISTRATION_CLOSED, S.CANCELLED}),
    S.REGISTRATION_CLOSED: frozenset({S.CHECK_IN, S.CANCELLED}),
    S.CHECK_IN: frozenset({S.LIVE, S.CANCELLED}),
    S.LIVE: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

#: The transitions the clock makes on its own: (from, to, the schedule field whose time it is).
SCHEDULED_TRANSITIONS: tuple[tuple[TournamentStatus, TournamentStatus, str], ...] = (
    (S.PUBLISHED, S.REGISTRATION_OPEN, "registration_opens_at"),
    (S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED, "registration_closes_at"),
    (S.REGISTRATION_CLOSED, S.CHECK_IN, "check_in_opens_at"),
    (S.CHECK_IN, S.LIVE, "starts_at"),
)

#: States in which visitors can see a tournament that has not started yet.
UPCOMING_STATES: frozenset[TournamentStatus] = frozenset(
    {S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED, S.CHECK_IN}
)
#: States shown in the featured list.
FEATURED_STATES: frozenset[TournamentStatus] = UPCOMING_STATES | {S.LIVE}
#: States in which registration fields may still change (registration has not opened).
FIELDS_EDITABLE_STATES: frozenset[TournamentStatus] = frozenset({S.DRAFT, S.PUBLISHED})


class Visibility(StrEnum):
    """Who can find and read a tournament.

    ``public``: listed and readable by everyone. ``unlisted``: readable by anyone with the link,
    never listed. ``private``: readable only by its staff, its participants and holders of the
    invite token.
    """

    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"


class ParticipantKind(StrEnum):
    """Whether players enter alone or as teams."""

    SOLO = "solo"
    TEAM = "team"


class EntryFeeKind(StrEnum):
    """How entry is paid: ``none`` (free) or ``external`` (paid outside, proven by upload)."""

    NONE = "none"
    EXTERNAL = "external"


class PrizeDistributionKind(StrEnum):
    """Prize shares per place: ``fixed`` amounts in minor units, or whole ``percent``."""

    FIXED = "fixed"
    PERCENT = "percent"


class Region(StrEnum):
    """Where a tournament is played (for discovery; servers and time zones follow from it)."""

    GLOBAL = "global"
    NORTH_AMERICA = "north_america"
    SOUTH_AMERICA = "south_america"
    EUROPE = "europe"
    CIS = "cis"
    MENA = "mena"
    AFRICA = "africa"
    SOUTH_ASIA = "south_asia"
    SOUTHEAST_ASIA = "southeast_asia"
    EAST_ASIA = "east_asia"
    OCEANIA = "oceania"


class StaffRole(StrEnum):
    """A role a user other than the owner holds on a tournament."""

    CO_ORGANIZER = "co_organizer"
    MODERATOR = "moderator"


class FieldKind(StrEnum):
    """The kinds of custom registration fields and the answers they take."""

    TEXT = "text"
    NUMBER = "number"
    DROPDOWN = "dropdown"
    URL = "url"
    TOGGLE = "toggle"
    DATE = "date"
    MEDIA = "media"


class TemplateScope(StrEnum):
    """Who can see and use a tournament template.

    ``private``: its creator. ``organization``: its creator and the co-organizers of the
    creator's tournaments (the platform's notion of an organizing team). ``global``: every
    signed-in user; only platform staff create these.
    """

    PRIVATE = "private"
    ORGANIZATION = "organization"
    GLOBAL = "global"


# Event names published on the stream ``tournament:<id>`` (data: ids, numbers, state names).
TOURNAMENT_CREATED = "tournament.created"
TOURNAMENT_UPDATED = "tournament.updated"
TOURNAMENT_DELETED = "tournament.deleted"
TOURNAMENT_STAFF_ADDED = "tournament.staff_added"
TOURNAMENT_STAFF_REMOVED = "tournament.staff_removed"
TOURNAMENT_INVITE_ROTATED = "tournament.invite_rotated"
TOURNAMENT_FIELDS_UPDATED = "tournament.registration_fields_updated"
# Every lifecycle transition publishes ``tournament.<new status>``: tournament.published,
# tournament.registration_open, tournament.registration_closed, tournament.check_in,
# tournament.live, tournament.completed, tournament.cancelled.
TOURNAMENT_STATUS_EVENTS: dict[TournamentStatus, str] = {
    status: f"tournament.{status.value}" for status in TournamentStatus if status is not S.DRAFT
}

# Event names published on the stream ``tournament_template:<id>``.
TEMPLATE_CREATED = "tournament_template.created"
TEMPLATE_UPDATED = "tournament_template.updated"
TEMPLATE_DELETED = "tournament_template.deleted"
TEMPLATE_USED = "tournament_template.used"


def tournament_stream(tournament_id: int) -> str:
    """The event stream of one tournament."""
    return f"tournament:{tournament_id}"


def template_stream(template_id: int) -> str:
    """The event stream of one tournament template."""
    return f"tournament_template:{template_id}"


class Actor(Protocol):
    """Whoever performs an action: a signed-in user (model instance or accounts ``UserRef``).

    Anonymous visitors satisfy it too (``is_authenticated`` false) for read checks.
    """

    @property
    def id(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...


@dataclass(frozen=True)
class TournamentRef:
    """A tournament as other apps see it: ids, lifecycle and the rules registration needs.

    ``check_in_opens_at`` is ``starts_at`` minus the check-in window; check-in closes at
    ``starts_at``. Amounts are integer minor units; ``currency`` is the entry fee's ISO 4217
    code (empty when entry is free). ``waitlist_promotion_on_close``: when check-in closes and
    no-shows are dropped, promote the waitlist into the freed places.
    """

    id: int
    slug: str
    name: str
    game_id: int
    status: TournamentStatus
    participant_kind: ParticipantKind
    team_size: int
    capacity: int
    entry_fee_kind: EntryFeeKind
    entry_fee_amount: int
    currency: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    check_in_opens_at: datetime
    starts_at: datetime
    visibility: Visibility
    organizer_id: int
    waitlist_promotion_on_close: bool

    @property
    def has_entry_fee(self) -> bool:
        return self.entry_fee_kind is not EntryFeeKind.NONE


@dataclass(frozen=True)
class TournamentCard:
    """A tournament as listings and page headers show it: public facts only (no invite token,
    no staff). Amounts are integer minor units of their currency (empty when free/none)."""

    id: int
    slug: str
    name: str
    game_id: int
    game_slug: str
    game_name: str
    status: TournamentStatus
    visibility: Visibility
    region: Region
    format: str
    participant_kind: ParticipantKind
    team_size: int
    capacity: int
    starts_at: datetime
    prize_pool: int
    prize_currency: str
    entry_fee_kind: EntryFeeKind
    entry_fee_amount: int
    entry_fee_currency: str
    official: bool
    featured: bool


@dataclass(frozen=True)
class TournamentDetail(TournamentCard):
    """Everything a tournament's public page shows: the card, the texts, the schedule, the
    stage plan as ``(name, format)`` pairs and the prize shares per place (``prize_places``,
    fixed minor units or whole percent as ``prize_distribution_kind`` says; empty: none)."""

    description: str
    rules: str
    stages: tuple[tuple[str, str], ...]
    prize_distribution_kind: str
    prize_places: tuple[int, ...]
    registration_opens_at: datetime
    registration_closes_at: datetime
    check_in_opens_at: datetime
    live_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    organizer_id: int


@dataclass(frozen=True)
class FieldSpec:
    """One custom registration field of a tournament.

    ``min``/``max`` bound a number (numbers) or a date (ISO ``YYYY-MM-DD`` strings);
    ``choices`` lists a dropdown's options; ``max_length`` bounds a text answer. A required
    toggle must be switched on (consent to rules, for example).
    """

    key: str
    label: str
    kind: FieldKind
    required: bool
    help_text: str = ""
    min: int | float | str | None = None
    max: int | float | str | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    position: int = 0


@dataclass(frozen=True)
class DemoTournaments:
    """What ``seed_demo`` left in place: the demo tournaments' slugs and how many it created."""

    slugs: tuple[str, ...]
    created: int
    template_id: int | None
    ids: tuple[int, ...] = ()


# ISO 4217 codes of currencies in circulation (funds and precious metals left out).
_CURRENCY_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
"""
CURRENCY_CODES: frozenset[str] = frozenset(_CURRENCY_CODES.split())
