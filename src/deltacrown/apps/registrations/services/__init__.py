"""Registrations app, services layer: every write to registrations, payments and check-in.

Split by concept (registering and the waitlist, entry-fee payments, check-in, the demo); this
package re-exports the services so callers write ``services.registration_create(...)``. Logs
carry ids only: never usernames, emails or client addresses.
"""

from __future__ import annotations

from deltacrown.apps.registrations.services.checkin import (
    BulkCheckIn,
    checkin_bulk,
    checkin_check_in,
    checkin_close,
    checkin_close_due,
    checkin_undo,
)
from deltacrown.apps.registrations.services.demo import demo_seed
from deltacrown.apps.registrations.services.payments import (
    payment_proof_submit,
    payment_refund,
    payment_reject,
    payment_verify,
)
from deltacrown.apps.registrations.services.registrations import (
    registration_cancel,
    registration_create,
    team_registrations_withdraw,
    waitlist_fill,
)

__all__ = [
    "BulkCheckIn",
    "checkin_bulk",
    "checkin_check_in",
    "checkin_close",
    "checkin_close_due",
    "checkin_undo",
    "demo_seed",
    "payment_proof_submit",
    "payment_refund",
    "payment_reject",
    "payment_verify",
    "registration_cancel",
    "registration_create",
    "team_registrations_withdraw",
    "waitlist_fill",
]
