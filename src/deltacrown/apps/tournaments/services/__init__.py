"""Tournaments app, services layer: every write to tournaments, their staff, fields and templates.

Split by concept (tournaments and staff, the lifecycle, registration fields, templates, demo
content); this package re-exports the services so callers write ``services.tournament_create``.
Logs and events carry ids only.
"""

from __future__ import annotations

from deltacrown.apps.tournaments.services.demo import demo_seed
from deltacrown.apps.tournaments.services.fields import answers_validate, registration_fields_set
from deltacrown.apps.tournaments.services.lifecycle import (
    allowed_transitions,
    tournament_complete,
    tournament_transition,
    tournaments_advance_scheduled,
)
from deltacrown.apps.tournaments.services.templates import (
    template_create,
    template_delete,
    template_update,
    tournament_create_from_template,
)
from deltacrown.apps.tournaments.services.tournaments import (
    tournament_create,
    tournament_delete,
    tournament_invite_rotate,
    tournament_staff_add,
    tournament_staff_remove,
    tournament_update,
)

__all__ = [
    "allowed_transitions",
    "answers_validate",
    "demo_seed",
    "registration_fields_set",
    "template_create",
    "template_delete",
    "template_update",
    "tournament_complete",
    "tournament_create",
    "tournament_create_from_template",
    "tournament_delete",
    "tournament_invite_rotate",
    "tournament_staff_add",
    "tournament_staff_remove",
    "tournament_transition",
    "tournament_update",
    "tournaments_advance_scheduled",
]
