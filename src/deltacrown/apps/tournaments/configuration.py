"""Tournaments app, services layer: a tournament's configuration, its shape and its rules.

A configuration is the JSON object an organizer sends to create a tournament (and what a
template stores, and what an edit is merged into): game, name, stage plan, capacity, fees,
prizes, schedule, visibility and registration fields. ``config_clean`` turns such an object into
a ``CleanConfig`` ready to store, or raises one 422 listing every problem with its field path
(``schedule.starts_at``, ``stage_plan.0.options.groups``). The stage plan is checked by the
competition engine's own format rules, so a plan that validates here is one the engine can run.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from deltacrown.apps.games import api as games
from deltacrown.apps.games.data import GameRef
from deltacrown.apps.tournaments.data import (
    CURRENCY_CODES,
    EntryFeeKind,
    FieldSpec,
    ParticipantKind,
    PrizeDistributionKind,
    Region,
    Visibility,
)
from deltacrown.apps.tournaments.registration_fields import (
    MAX_FIELDS,
    RegistrationFieldIn,
    registration_field_specs,
    single_line,
)
from deltacrown.engine import Format, InvalidConfiguration, StageConfig
from deltacrown.engine.formats import rules_for
from deltacrown.kernel.errors import NotFound, ValidationFailed, field_error

NAME_MAX = 100
DESCRIPTION_MAX = 10_000
RULES_MAX = 20_000
CAPACITY_MIN = 2
CAPACITY_MAX = 4096
MAX_STAGES = 5
MAX_PLACES = 64
MAX_AMOUNT = 10**13  # minor units: far above any real prize, far below 64-bit overflow
CHECK_IN_MIN_MINUTES = 5
CHECK_IN_MAX_MINUTES = 24 * 60
# Engine options are small numbers and short lists; the bounds keep validation cheap.
_OPTION_INT_BOUND = 1_000_000
_OPTION_LIST_MAX = 128

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- shape ------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value.strip()


class TournamentEntryFeeIn(_Strict):
    """The entry fee: none, or paid outside the platform (``amount`` in minor units)."""

    kind: EntryFeeKind = EntryFeeKind.NONE
    amount: int = Field(0, ge=0, le=MAX_AMOUNT, description="Minor units (cents)")
    currency: str = Field("", max_length=3, description="ISO 4217 code, e.g. EUR")


class TournamentPrizeDistributionIn(_Strict):
    """Prize per place, 1st first: fixed amounts (minor units) or whole percentages."""

    kind: PrizeDistributionKind
    places: list[int] = Field(..., min_length=1, max_length=MAX_PLACES)


class TournamentPrizeIn(_Strict):
    """The prize pool (minor units) and how it is split between places."""

    pool: int = Field(0, ge=0, le=MAX_AMOUNT, description="Minor units (cents)")
    currency: str = Field("", max_length=3, description="ISO 4217 code, e.g. USD")
    distribution: TournamentPrizeDistributionIn | None = None


class TournamentScheduleIn(_Strict):
    """Registration window, check-in window (minutes before start) and start."""

    registration_opens_at: AwareDatetime
    registration_closes_at: AwareDatetime
    check_in_opens_before: int = Field(
        30,
        ge=CHECK_IN_MIN_MINUTES,
        le=CHECK_IN_MAX_MINUTES,
        description="Minutes before starts_at when check-in opens; it closes at starts_at",
    )
    starts_at: AwareDatetime


#: Round names a best-of plan may use besides ``<bracket or group>:<round>``.
BEST_OF_ROUND_NAMES = (
    "final",
    "semi_final",
    "quarter_final",
    "grand_final",
    "third_place",
    "losers_final",
)
BEST_OF_MAX = 9
_BEST_OF_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[1-9][0-9]{0,2}$")


class StageBestOfIn(_Strict):
    """Match length (best of N) for a stage: ``default`` for every round, and ``rounds`` for
    exceptions by name (``final``, ``semi_final``, ``quarter_final``: rounds of the winners
    bracket counted from its end; ``grand_final``, ``third_place``, ``losers_final``) or by
    ``<bracket or group>:<round>`` (``winners:2``, ``losers:5``, ``swiss:4``, ``group-1:3``)."""

    default: int | None = Field(None, ge=1, le=BEST_OF_MAX)
    rounds: dict[str, int] = Field(default_factory=dict)

    @field_validator("rounds")
    @classmethod
    def _rounds(cls, value: dict[str, int]) -> dict[str, int]:
        for key, best_of in value.items():
            if key not in BEST_OF_ROUND_NAMES and not _BEST_OF_KEY.match(key):
                raise ValueError(
                    f"Unknown round {key!r}: use {', '.join(BEST_OF_ROUND_NAMES)} or "
                    "<bracket or group>:<round>."
                )
            if isinstance(best_of, bool) or not 1 <= best_of <= BEST_OF_MAX:
                raise ValueError(f"Best-of for {key!r} must be 1 to {BEST_OF_MAX}.")
        return value


class TournamentStageIn(_Strict):
    """One stage: an engine format and its options.

    ``participants`` is how many enter a stage after the first (the first takes the capacity).
    """

    name: str = Field("", max_length=64)
    format: str = Field(..., max_length=32, examples=["single_elimination"])
    options: dict[str, Any] = Field(default_factory=dict)
    participants: int | None = Field(None, ge=2, le=CAPACITY_MAX)
    best_of: StageBestOfIn | None = Field(
        None, description="Match length of this stage; defaults to the game's best-of"
    )

    _name = field_validator("name")(single_line)


class TournamentConfig(_Strict):
    """Everything an organizer decides about a tournament (the create request)."""

    game: str = Field(..., min_length=1, max_length=64, description="Game slug")
    name: str = Field(..., min_length=1, max_length=NAME_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    rules: str = Field("", max_length=RULES_MAX)
    region: Region = Region.GLOBAL
    capacity: int = Field(..., ge=CAPACITY_MIN, le=CAPACITY_MAX)
    participant_kind: ParticipantKind
    team_size: int | None = Field(
        None, ge=1, le=100, description="Players per team; defaults to the game's team size"
    )
    stage_plan: list[TournamentStageIn] = Field(..., min_length=1, max_length=MAX_STAGES)
    entry_fee: TournamentEntryFeeIn = Field(default_factory=TournamentEntryFeeIn)
    prize: TournamentPrizeIn = Field(default_factory=TournamentPrizeIn)
    schedule: TournamentScheduleIn
    visibility: Visibility = Visibility.PUBLIC
    waitlist_promotion_on_close: bool = False
    registration_fields: list[RegistrationFieldIn] = Field(
        default_factory=list, max_length=MAX_FIELDS
    )

    _name = field_validator("name")(single_line)
    _text = field_validator("description", "rules")(_text)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be blank")
        return value


def pydantic_errors(exc: PydanticValidationError, prefix: str = "") -> list[dict[str, str]]:
    """Pydantic's errors as problem ``errors`` entries with dotted field paths."""
    out = []
    for err in exc.errors():
        path = ".".join(str(part) for part in err.get("loc", ()))
        field = ".".join(p for p in (prefix, path) if p) or prefix or "body"
        out.append(field_error(field, str(err.get("type", "invalid")), str(err.get("msg", ""))))
    return out


# --- the clean result -------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanConfig:
    """A validated configuration in the form the tournament row stores it."""

    game_id: int
    name: str
    description: str
    rules: str
    region: str
    capacity: int
    participant_kind: str
    team_size: int
    stage_plan: list[dict[str, Any]]
    format: str
    entry_fee_kind: str
    entry_fee_amount: int
    entry_fee_currency: str
    prize_pool: int
    prize_currency: str
    prize_distribution: dict[str, Any] | None
    registration_opens_at: datetime
    registration_closes_at: datetime
    check_in_opens_before: int
    check_in_opens_at: datetime
    starts_at: datetime
    visibility: str
    waitlist_promotion_on_close: bool
    registration_fields: tuple[FieldSpec, ...]

    def row_values(self) -> dict[str, Any]:
        """The tournament model's field values (registration fields are rows of their own)."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name != "registration_fields"
        }


#: Which settings (API names) each stored field belongs to, for edit locks and change lists.
ROW_FIELD_SETTING: dict[str, str | None] = {
    "game_id": "game",
    "name": "name",
    "description": "description",
    "rules": "rules",
    "region": "region",
    "capacity": "capacity",
    "participant_kind": "participant_kind",
    "team_size": "team_size",
    "stage_plan": "stage_plan",
    "format": "stage_plan",
    "entry_fee_kind": "entry_fee",
    "entry_fee_amount": "entry_fee",
    "entry_fee_currency": "entry_fee",
    "prize_pool": "prize",
    "prize_currency": "prize",
    "prize_distribution": "prize",
    "registration_opens_at": "schedule.registration_opens_at",
    "registration_closes_at": "schedule.registration_closes_at",
    "check_in_opens_before": "schedule.check_in_opens_before",
    "check_in_opens_at": None,  # derived from starts_at and check_in_opens_before
    "starts_at": "schedule.starts_at",
    "visibility": "visibility",
    "waitlist_promotion_on_close": "waitlist_promotion_on_close",
}


# --- cleaning ---------------------------------------------------------------------------------


def config_clean(
    raw: Mapping[str, Any],
    *,
    now: datetime,
    future_fields: Collection[str] = ("registration_closes_at", "starts_at"),
    allow_inactive_game_id: int | None = None,
) -> CleanConfig:
    """Validate a configuration object and return it normalised, or raise one 422.

    ``future_fields`` names the schedule fields that must lie after ``now`` (on edits, only
    the ones that changed). A game that is no longer active is refused unless it is
    ``allow_inactive_game_id`` (the game an existing tournament already uses).
    """
    try:
        config = TournamentConfig.model_validate(dict(raw))
    except PydanticValidationError as exc:
        raise ValidationFailed(
            "The tournament configuration has invalid fields.", errors=pydantic_errors(exc)
        ) from None

    game = _game(config.game, allow_inactive_game_id)
    errors: list[dict[str, str]] = []
    team_size = _team_size(config, game, errors)
    stage_plan = _stage_plan(config, game, errors)
    fee_kind, fee_amount, fee_currency = _entry_fee(config.entry_fee, errors)
    prize_pool, prize_currency, distribution = _prize(config.prize, config.capacity, errors)
    check_in_opens_at = _schedule(config.schedule, now, future_fields, errors)
    field_specs = registration_field_specs(config.registration_fields, errors)
    if errors:
        raise ValidationFailed("The tournament configuration is not valid.", errors=errors)

    schedule = config.schedule
    return CleanConfig(
        game_id=game.id,
        name=config.name,
        description=config.description,
        rules=config.rules,
        region=config.region.value,
        capacity=config.capacity,
        participant_kind=config.participant_kind.value,
        team_size=team_size,
        stage_plan=stage_plan,
        format=stage_plan[0]["format"],
        entry_fee_kind=fee_kind,
        entry_fee_amount=fee_amount,
        entry_fee_currency=fee_currency,
        prize_pool=prize_pool,
        prize_currency=prize_currency,
        prize_distribution=distribution,
        registration_opens_at=schedule.registration_opens_at,
        registration_closes_at=schedule.registration_closes_at,
        check_in_opens_before=schedule.check_in_opens_before,
        check_in_opens_at=check_in_opens_at,
        starts_at=schedule.starts_at,
        visibility=config.visibility.value,
        waitlist_promotion_on_close=config.waitlist_promotion_on_close,
        registration_fields=field_specs,
    )


def _game(slug: str, allow_inactive_game_id: int | None) -> GameRef:
    try:
        game = games.game_get_by_slug(slug)
    except NotFound:
        raise ValidationFailed(
            "Unknown game.", errors=[field_error("game", "unknown_game", "No game has this slug.")]
        ) from None
    if not game.is_active and game.id != allow_inactive_game_id:
        raise ValidationFailed(
            "This game is not available for new tournaments.",
            errors=[field_error("game", "game_inactive", "This game is not active.")],
        )
    return game


def _team_size(config: TournamentConfig, game: GameRef, errors: list[dict[str, str]]) -> int:
    if config.participant_kind is ParticipantKind.SOLO:
        if config.team_size not in (None, 1):
            errors.append(field_error("team_size", "solo", "Solo tournaments have team size 1."))
        return 1
    roster_size, _substitutes = games.roster_limits(game.id)
    if roster_size < 2:
        errors.append(
            field_error(
                "participant_kind",
                "team_game_required",
                f"{game.name} is played one against one; use solo.",
            )
        )
        return 1
    team_size = config.team_size if config.team_size is not None else roster_size
    if not 2 <= team_size <= roster_size:
        errors.append(
            field_error(
                "team_size",
                "out_of_range",
                f"Teams in {game.name} have 2 to {roster_size} players.",
            )
        )
    return team_size


# Value checks for the engine's stage options (the engine itself checks their meaning).
_INT = "int"
_INT_OR_NONE = "int_or_none"
_BOOL = "bool"
_STR = "str"
_INT_LIST = "int_list"
_STR_LIST = "str_list"
_OPTION_KINDS: dict[str, str] = {
    "seed_ordering": _STR,
    "third_place": _BOOL,
    "grand_final": _STR,
    "loser_orderings": _STR_LIST,
    "cycles": _INT,
    "groups": _INT,
    "group_ordering": _STR,
    "rounds": _INT_OR_NONE,
    "allow_draws": _BOOL,
    "points": _INT_LIST,
    "group_format": _STR,
    "advance": _INT,
    "playoff_format": _STR,
    "lobby_size": _INT,
    "placement_points": _INT_LIST,
    "kill_points": _INT,
}


def _is_int(value: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -_OPTION_INT_BOUND <= value <= _OPTION_INT_BOUND
    )


def _option_ok(kind: str, value: Any) -> bool:
    if kind == _INT:
        return _is_int(value)
    if kind == _INT_OR_NONE:
        return value is None or _is_int(value)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _STR:
        return isinstance(value, str) and len(value) <= 64
    if kind in (_INT_LIST, _STR_LIST):
        item_ok = _is_int if kind == _INT_LIST else lambda v: isinstance(v, str) and len(v) <= 64
        return (
            isinstance(value, list)
            and len(value) <= _OPTION_LIST_MAX
            and all(item_ok(v) for v in value)
        )
    return True


_OPTION_MESSAGES = {
    _INT: "a whole number",
    _INT_OR_NONE: "a whole number or null",
    _BOOL: "true or false",
    _STR: "a short text",
    _INT_LIST: "a list of whole numbers",
    _STR_LIST: "a list of short texts",
}


def _stage_plan(
    config: TournamentConfig, game: GameRef, errors: list[dict[str, str]]
) -> list[dict[str, Any]]:
    option_names = {f.name for f in fields(StageConfig)} - {"format"}
    battle_royale_game = str(game.mode) == "battle_royale"
    plan: list[dict[str, Any]] = []
    entering = config.capacity
    for index, stage in enumerate(config.stage_plan):
        where = f"stage_plan.{index}"
        try:
            stage_format = Format(stage.format)
        except ValueError:
            known = ", ".join(f.value for f in Format)
            errors.append(field_error(f"{where}.format", "unknown_format", f"Use one of: {known}."))
            continue
        if (stage_format is Format.BATTLE_ROYALE) != battle_royale_game:
            errors.append(
                field_error(
                    f"{where}.format",
                    "format_not_for_game",
                    "Battle-royale games use the battle_royale format, and only they do.",
                )
            )
            continue
        if index == 0:
            if stage.participants not in (None, config.capacity):
                errors.append(
                    field_error(
                        f"{where}.participants",
                        "first_stage",
                        "The first stage takes every participant (the capacity).",
                    )
                )
                continue
        else:
            if stage.participants is None or stage.participants > entering:
                errors.append(
                    field_error(
                        f"{where}.participants",
                        "out_of_range",
                        f"Say how many of the previous stage's {entering} continue (2 or more).",
                    )
                )
                continue
            entering = stage.participants
        option_errors = []
        for name, value in stage.options.items():
            if name not in option_names:
                option_errors.append(
                    field_error(f"{where}.options.{name}", "unknown_option", "Unknown option.")
                )
            elif not _option_ok(_OPTION_KINDS.get(name, ""), value):
                expected = _OPTION_MESSAGES[_OPTION_KINDS[name]]
                option_errors.append(
                    field_error(f"{where}.options.{name}", "invalid_type", f"Use {expected}.")
                )
        if option_errors:
            errors.extend(option_errors)
            continue
        try:
            stage_config = StageConfig(format=stage_format, **stage.options)
            rules_for(stage_config.format).validate(stage_config, entering)
        except InvalidConfiguration as exc:
            # Name the option the engine complains about when it says which one it is.
            named = [exc.data.get("option"), *exc.data]
            option = next((name for name in named if name in stage.options), None)
            field = f"{where}.options.{option}" if option else where
            errors.append(field_error(field, exc.code, exc.detail))
            continue
        except (TypeError, ValueError) as exc:
            errors.append(field_error(f"{where}.options", "invalid_options", str(exc)))
            continue
        entry: dict[str, Any] = {
            "name": stage.name or f"Stage {index + 1}",
            "format": stage_format.value,
            "options": dict(stage.options),
        }
        if index > 0:
            entry["participants"] = entering
        if stage.best_of is not None:
            entry["best_of"] = stage.best_of.model_dump(exclude_none=True)
        plan.append(entry)
    return plan


def _currency(value: str, field: str, errors: list[dict[str, str]]) -> str:
    code = value.strip().upper()
    if code not in CURRENCY_CODES:
        errors.append(field_error(field, "invalid_currency", "Use an ISO 4217 code, e.g. EUR."))
    return code


def _entry_fee(fee: TournamentEntryFeeIn, errors: list[dict[str, str]]) -> tuple[str, int, str]:
    if fee.kind is EntryFeeKind.NONE:
        if fee.amount:
            errors.append(
                field_error("entry_fee.amount", "not_applicable", "A free entry has no amount.")
            )
        return EntryFeeKind.NONE.value, 0, ""
    if fee.amount < 1:
        errors.append(
            field_error("entry_fee.amount", "required", "Give the fee in minor units (cents).")
        )
    currency = _currency(fee.currency, "entry_fee.currency", errors)
    return fee.kind.value, fee.amount, currency


def _prize(
    prize: TournamentPrizeIn, capacity: int, errors: list[dict[str, str]]
) -> tuple[int, str, dict[str, Any] | None]:
    currency = ""
    if prize.pool > 0 or prize.currency:
        currency = _currency(prize.currency, "prize.currency", errors)
    distribution = prize.distribution
    if distribution is None:
        return prize.pool, currency, None
    places = distribution.places
    field = "prize.distribution.places"
    if len(places) > capacity:
        errors.append(field_error(field, "too_many_places", "More places than participants."))
    if any(amount < 1 for amount in places):
        errors.append(field_error(field, "not_positive", "Every place gets more than zero."))
    elif distribution.kind is PrizeDistributionKind.PERCENT:
        if any(share > 100 for share in places) or sum(places) > 100:
            errors.append(field_error(field, "over_100_percent", "Shares add up to over 100%."))
    elif sum(places) > prize.pool:
        errors.append(
            field_error(field, "over_pool", f"Amounts add up to more than the pool ({prize.pool}).")
        )
    return prize.pool, currency, {"kind": distribution.kind.value, "places": list(places)}


def _schedule(
    schedule: TournamentScheduleIn,
    now: datetime,
    future_fields: Collection[str],
    errors: list[dict[str, str]],
) -> datetime:
    check_in_opens_at = schedule.starts_at - timedelta(minutes=schedule.check_in_opens_before)
    if schedule.registration_closes_at <= schedule.registration_opens_at:
        errors.append(
            field_error(
                "schedule.registration_closes_at",
                "before_opening",
                "Registration must close after it opens.",
            )
        )
    if schedule.registration_closes_at > check_in_opens_at:
        errors.append(
            field_error(
                "schedule.registration_closes_at",
                "after_check_in",
                "Registration must close no later than check-in opens "
                "(starts_at minus check_in_opens_before).",
            )
        )
    for name in ("registration_opens_at", "registration_closes_at", "starts_at"):
        if name in future_fields and getattr(schedule, name) <= now:
            errors.append(field_error(f"schedule.{name}", "in_past", "Must be in the future."))
    return check_in_opens_at


# --- merging ------------------------------------------------------------------------------------


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` applied: objects merge key by key, everything else
    (lists included) is replaced by the override's value."""
    merged: dict[str, Any] = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged
