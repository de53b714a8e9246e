"""Moderation app, services layer: every write to sanctions and abuse reports.

Split by concept (sanctions, reports, the demo); this package re-exports the services so
callers write ``services.sanction_create(...)``. Every service takes the acting user, runs in
one transaction, checks who may act, writes, audits and publishes its events. Logs carry ids
only.
"""

from __future__ import annotations

from deltacrown.apps.moderation.services.demo import demo_seed
from deltacrown.apps.moderation.services.reports import (
    UNSET,
    evidence_read,
    report_file,
    report_note_add,
    report_transition,
    report_update,
)
from deltacrown.apps.moderation.services.sanctions import (
    require_may_moderate,
    sanction_create,
    sanction_revoke,
)

__all__ = [
    "UNSET",
    "demo_seed",
    "evidence_read",
    "report_file",
    "report_note_add",
    "report_transition",
    "report_update",
    "require_may_moderate",
    "sanction_create",
    "sanction_revoke",
]
