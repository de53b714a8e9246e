"""Tournaments app, services layer: a tournament's custom registration fields.

Organizers replace the whole list at once; the list is frozen once registration opens, so every
registration of a tournament answers the same questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from deltacrown.apps.tournaments import errors, selectors
from deltacrown.apps.tournaments.configuration import pydantic_errors
from deltacrown.apps.tournaments.data import (
    FIELDS_EDITABLE_STATES,
    TOURNAMENT_FIELDS_UPDATED,
    Actor,
    FieldSpec,
)
from deltacrown.apps.tournaments.models import RegistrationField, Tournament
from deltacrown.apps.tournaments.registration_fields import (
    MAX_FIELDS,
    RegistrationFieldIn,
    answers_check,
    registration_field_specs,
)
from deltacrown.apps.tournaments.services.common import (
    actor_id,
    lock_tournament,
    record,
    require_organizer,
)
from deltacrown.kernel import clock
from deltacrown.kernel.errors import ValidationFailed, field_error

_FIELD_LIST = TypeAdapter(list[RegistrationFieldIn])


def registration_fields_set(
    *, actor: Actor, tournament_id: int, fields: Sequence[Mapping[str, Any]]
) -> list[FieldSpec]:
    """Replace the tournament's registration fields (organizers, until registration opens).

    422 names each invalid field option (``registration_fields.<i>.<option>``); 409
    ``registration_fields_locked`` once registration has opened.
    """
    if len(fields) > MAX_FIELDS:
        raise ValidationFailed(
            errors=[field_error("registration_fields", "too_many", f"At most {MAX_FIELDS} fields.")]
        )
    try:
        parsed = _FIELD_LIST.validate_python([dict(f) for f in fields])
    except (PydanticValidationError, TypeError, ValueError) as exc:
        found = (
            pydantic_errors(exc, "registration_fields")
            if isinstance(exc, PydanticValidationError)
            else [field_error("registration_fields", "invalid_type", "Send a list of objects.")]
        )
        raise ValidationFailed("Some registration fields are not valid.", errors=found) from None
    found: list[dict[str, str]] = []
    specs = registration_field_specs(parsed, found)
    if found:
        raise ValidationFailed("Some registration fields are not valid.", errors=found)
    who = actor_id(actor)
    with transaction.atomic():
        tournament = lock_tournament(tournament_id)
        require_organizer(tournament, actor)
        if tournament.status not in FIELDS_EDITABLE_STATES:
            raise errors.RegistrationFieldsLocked(
                "Registration fields cannot change once registration has opened."
            )
        fields_store(tournament, specs)
        tournament.updated_at = clock.now()
        tournament.save(update_fields=["updated_at"])
        record(tournament, TOURNAMENT_FIELDS_UPDATED, {"count": len(specs)}, actor=who)
    return list(specs)


def fields_store(tournament: Tournament, specs: Sequence[FieldSpec]) -> None:
    """Make ``specs`` the tournament's only registration fields (inside the caller's
    transaction)."""
    RegistrationField.objects.filter(tournament=tournament).delete()
    RegistrationField.objects.bulk_create(
        [
            RegistrationField(
                tournament=tournament,
                key=spec.key,
                label=spec.label,
                kind=spec.kind.value,
                required=spec.required,
                help_text=spec.help_text,
                options=field_options(spec),
                position=spec.position,
            )
            for spec in specs
        ]
    )


def field_options(spec: FieldSpec) -> dict[str, Any]:
    """The stored ``options`` of a field: only the bounds its kind uses."""
    options = {
        "min": spec.min,
        "max": spec.max,
        "choices": list(spec.choices) if spec.choices else None,
        "max_length": spec.max_length,
    }
    return {key: value for key, value in options.items() if value is not None}


def answers_validate(*, tournament_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Registration answers checked against the tournament's fields and normalised.

    422 with ``answers.<key>`` field errors; 404 if the tournament does not exist.
    """
    selectors.tournament_row(tournament_id=tournament_id)
    return answers_check(selectors.registration_field_specs(tournament_id=tournament_id), answers)
