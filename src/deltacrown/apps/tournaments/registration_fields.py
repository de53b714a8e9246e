"""Tournaments app, services layer: custom registration fields — their definitions and answers.

An organizer defines fields (``RegistrationFieldIn``: text, number, dropdown, url, toggle, date,
media, each with the options of its kind); ``registration_field_specs`` checks a list of them
into ``FieldSpec`` values. ``answers_check`` checks a registration's answers against those
specs: pure functions, so the registrations app gets the same rules through
``api.answers_validate`` as the tests exercise here. Answers come from JSON: numbers may also
arrive as numeric strings from form posts, toggles as booleans only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from pydantic import BaseModel, ConfigDict, Field, field_validator

from deltacrown.apps.tournaments.data import FieldKind, FieldSpec
from deltacrown.kernel.errors import ValidationFailed, field_error

MAX_FIELDS = 30
MAX_CHOICES = 100
TEXT_DEFAULT_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 5000
_SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def single_line(value: str) -> str:
    """``value`` stripped; refused unless it is one line of printable text."""
    value = value.strip()
    if _SINGLE_LINE_CONTROL.search(value):
        raise ValueError("must be one line of printable text")
    return value


# --- definitions -------------------------------------------------------------------------------


class RegistrationFieldIn(BaseModel):
    """A custom registration question."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(..., pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["discord"])
    label: str = Field(..., min_length=1, max_length=100)
    kind: FieldKind
    required: bool = False
    help_text: str = Field("", max_length=300)
    min: int | float | str | None = Field(None, description="number: lowest; date: earliest")
    max: int | float | str | None = Field(None, description="number: highest; date: latest")
    choices: list[str] | None = Field(None, max_length=MAX_CHOICES, description="dropdown")
    max_length: int | None = Field(None, ge=1, le=TEXT_MAX_LENGTH, description="text")

    _label = field_validator("label", "help_text")(single_line)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else None
    except ValueError:
        return None


def registration_field_specs(
    specs: list[RegistrationFieldIn], errors: list[dict[str, str]]
) -> tuple[FieldSpec, ...]:
    """Check each field's options for its kind; append problems to ``errors``."""
    out: list[FieldSpec] = []
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        where = f"registration_fields.{index}"
        found: list[dict[str, str]] = []
        if spec.key in seen:
            found.append(field_error(f"{where}.key", "duplicate", "Keys must be unique."))
        seen.add(spec.key)
        allowed = _FIELD_OPTIONS[spec.kind]
        for option in ("min", "max", "choices", "max_length"):
            if option not in allowed and getattr(spec, option) is not None:
                found.append(
                    field_error(
                        f"{where}.{option}",
                        "not_applicable",
                        f"A {spec.kind.value} field has no {option}.",
                    )
                )
        low = high = None
        if spec.kind is FieldKind.NUMBER:
            low, high = _bounds(spec, where, _number, "a number", found)
        elif spec.kind is FieldKind.DATE:
            low, high = _bounds(spec, where, _iso_date, "a date (YYYY-MM-DD)", found)
        choices: tuple[str, ...] = ()
        if spec.kind is FieldKind.DROPDOWN:
            choices = tuple(c.strip() for c in spec.choices or ())
            if not choices:
                found.append(field_error(f"{where}.choices", "required", "List the choices."))
            elif len(set(choices)) != len(choices) or any(
                not c or len(c) > 100 or _SINGLE_LINE_CONTROL.search(c) for c in choices
            ):
                found.append(
                    field_error(
                        f"{where}.choices",
                        "invalid",
                        "Choices are distinct, non-empty lines of at most 100 characters.",
                    )
                )
        max_length = None
        if spec.kind is FieldKind.TEXT:
            max_length = spec.max_length or TEXT_DEFAULT_MAX_LENGTH
        errors.extend(found)
        out.append(
            FieldSpec(
                key=spec.key,
                label=spec.label,
                kind=spec.kind,
                required=spec.required,
                help_text=spec.help_text,
                min=low,
                max=high,
                choices=choices,
                max_length=max_length,
                position=index,
            )
        )
    return tuple(out)


_FIELD_OPTIONS: dict[FieldKind, frozenset[str]] = {
    FieldKind.TEXT: frozenset({"max_length"}),
    FieldKind.NUMBER: frozenset({"min", "max"}),
    FieldKind.DROPDOWN: frozenset({"choices"}),
    FieldKind.URL: frozenset(),
    FieldKind.TOGGLE: frozenset(),
    FieldKind.DATE: frozenset({"min", "max"}),
    FieldKind.MEDIA: frozenset(),
}


def _bounds(
    spec: RegistrationFieldIn,
    where: str,
    parse: Any,
    expected: str,
    found: list[dict[str, str]],
) -> tuple[Any, Any]:
    bounds = []
    for option in ("min", "max"):
        raw = getattr(spec, option)
        value = None if raw is None else parse(raw)
        if raw is not None and value is None:
            found.append(field_error(f"{where}.{option}", "invalid_type", f"Use {expected}."))
        bounds.append(value)
    low, high = bounds
    if low is not None and high is not None and low > high:
        found.append(field_error(f"{where}.max", "below_min", "max must not be below min."))
    return low, high


def field_spec_to_dict(spec: FieldSpec) -> dict[str, Any]:
    """A field spec in the request shape (for templates and responses)."""
    data = asdict(spec)
    data.pop("position")
    data["kind"] = spec.kind.value
    data["choices"] = list(spec.choices) if spec.kind is FieldKind.DROPDOWN else None
    return data


# --- answers -----------------------------------------------------------------------------------

URL_MAX_LENGTH = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# An upload reference names a stored object: path segments of safe characters, no "..".
_MEDIA_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
_MEDIA_MAX_LENGTH = 255
_url_validator = URLValidator(schemes=["http", "https"])


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def answers_check(
    specs: Sequence[FieldSpec], answers: Mapping[str, Any], *, prefix: str = "answers"
) -> dict[str, Any]:
    """The answers normalised (every field's key present), or one 422 naming each bad answer.

    Unknown keys are refused. An optional field left out (or given null or an empty string)
    is None, except a toggle, which is False; a required toggle must be true.
    """
    if not isinstance(answers, Mapping):
        raise ValidationFailed(
            "Answers must be an object.",
            errors=[field_error(prefix, "invalid_type", "Send the answers as an object.")],
        )
    errors: list[dict[str, str]] = []
    known = {spec.key for spec in specs}
    for key in answers:
        if key not in known:
            errors.append(
                field_error(
                    f"{prefix}.{key}", "unknown_field", "This tournament has no such field."
                )
            )
    out: dict[str, Any] = {}
    for spec in specs:
        field = f"{prefix}.{spec.key}"
        raw = answers.get(spec.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.kind is FieldKind.TOGGLE and not spec.required:
                out[spec.key] = False
            elif spec.required:
                errors.append(field_error(field, "required", f"{spec.label} is required."))
            else:
                out[spec.key] = None
            continue
        try:
            out[spec.key] = _CHECKS[spec.kind](spec, raw)
        except _Invalid as invalid:
            errors.append(field_error(field, invalid.code, invalid.message))
    if errors:
        raise ValidationFailed("Some registration answers are not valid.", errors=errors)
    return out


def _answer_text(spec: FieldSpec, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid("invalid_type", "Answer with text.")
    value = raw.strip()
    if _CONTROL.search(value):
        raise _Invalid("invalid", "Control characters are not allowed.")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise _Invalid("too_long", f"At most {spec.max_length} characters.")
    return value


def _answer_number(spec: FieldSpec, raw: Any) -> int | float:
    value: Any = raw
    if isinstance(raw, str):
        try:
            value = float(raw.strip()) if any(c in raw for c in ".eE") else int(raw.strip())
        except ValueError:
            raise _Invalid("invalid_type", "Answer with a number.") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid("invalid_type", "Answer with a number.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid("invalid_type", "Answer with a number.")
        value = int(value) if value.is_integer() else value
    if spec.min is not None and value < spec.min:  # type: ignore[operator]
        raise _Invalid("out_of_range", f"At least {spec.min}.")
    if spec.max is not None and value > spec.max:  # type: ignore[operator]
        raise _Invalid("out_of_range", f"At most {spec.max}.")
    return value


def _answer_dropdown(spec: FieldSpec, raw: Any) -> str:
    if not isinstance(raw, str) or raw.strip() not in spec.choices:
        raise _Invalid("invalid_choice", "Pick one of the choices.")
    return raw.strip()


def _answer_url(spec: FieldSpec, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid("invalid_type", "Answer with a link.")
    value = raw.strip()
    if len(value) > URL_MAX_LENGTH:
        raise _Invalid("too_long", f"At most {URL_MAX_LENGTH} characters.")
    try:
        _url_validator(value)
    except DjangoValidationError:
        raise _Invalid("invalid_url", "Use an http:// or https:// link.") from None
    return value


def _answer_toggle(spec: FieldSpec, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise _Invalid("invalid_type", "Answer with true or false.")
    if spec.required and not raw:
        raise _Invalid("must_accept", f"{spec.label} must be switched on.")
    return raw


def _answer_date(spec: FieldSpec, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid("invalid_date", "Use a date as YYYY-MM-DD.")
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise _Invalid("invalid_date", "Use a date as YYYY-MM-DD.") from None
    text = value.isoformat()
    if len(raw.strip()) != 10:
        raise _Invalid("invalid_date", "Use a date as YYYY-MM-DD.")
    if isinstance(spec.min, str) and text < spec.min:
        raise _Invalid("out_of_range", f"On or after {spec.min}.")
    if isinstance(spec.max, str) and text > spec.max:
        raise _Invalid("out_of_range", f"On or before {spec.max}.")
    return text


def _answer_media(spec: FieldSpec, raw: Any) -> str:
    if (
        not isinstance(raw, str)
        or len(raw) > _MEDIA_MAX_LENGTH
        or ".." in raw
        or not _MEDIA_REFERENCE.match(raw)
    ):
        raise _Invalid("invalid_reference", "Give the reference of an uploaded file.")
    return raw


_CHECKS = {
    FieldKind.TEXT: _answer_text,
    FieldKind.NUMBER: _answer_number,
    FieldKind.DROPDOWN: _answer_dropdown,
    FieldKind.URL: _answer_url,
    FieldKind.TOGGLE: _answer_toggle,
    FieldKind.DATE: _answer_date,
    FieldKind.MEDIA: _answer_media,
}
