"""Moderation app, selectors layer: the enforcement gates — "may this user act here, now?".

``decide`` is the policy the app plugs into ``kernel.gates`` at start-up, so the registrations,
teams, competition and realtime apps enforce sanctions without importing this app. It reads
the flags (``MODERATION_ENFORCEMENT_ENABLED`` and one per surface, from settings on every
call), the user's sanction windows (``sanction_cache``) and the matrix (``policy``).

When the sanctions cannot be read (the database is down) the action's failure policy applies:
live streams fail open, everything that writes fails closed with 503
``moderation_unavailable``. Refusals and failures are logged and counted with the action, the
reason code and the sanction id only: never who was refused.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from deltacrown.apps.moderation import metrics, sanction_cache, selectors
from deltacrown.apps.moderation.data import (
    BlockedBy,
    EffectivePolicy,
    ModerationAction,
    SanctionKind,
)
from deltacrown.apps.moderation.errors import ModerationUnavailable
from deltacrown.apps.moderation.policy import (
    ON_FAILURE,
    REASON_CODES,
    SURFACE_OF,
    OnFailure,
    Window,
    blocking_window,
)
from deltacrown.kernel import clock
from deltacrown.kernel.gates import ALLOW, Decision

logger = logging.getLogger("deltacrown.moderation")

MASTER_FLAG = "MODERATION_ENFORCEMENT_ENABLED"
_FLAG_OF: dict[str, str | None] = {
    action: None if surface is None else f"MODERATION_ENFORCEMENT_{surface.value}"
    for action, surface in SURFACE_OF.items()
}


def enforced(action: ModerationAction | str) -> bool:
    """Whether the flags enforce sanctions on ``action`` right now (master and surface on)."""
    if not getattr(settings, MASTER_FLAG, True):
        return False
    flag = _FLAG_OF[action]
    return flag is None or bool(getattr(settings, flag, True))


def user_id_of(user: Any) -> int:
    """The id of ``user``: an id, or anything with an ``id`` (a ``UserRef``, a user)."""
    if isinstance(user, int) and not isinstance(user, bool):
        return user
    user_id = getattr(user, "id", None)
    if user_id is None:
        raise TypeError("user must be a user id or an object with an id")
    return int(user_id)


def _windows(user_id: int, at: datetime | None) -> tuple[tuple[Window, ...], datetime]:
    """The windows that decide questions about ``at`` (now when None), and that instant."""
    now = clock.now()
    if at is None or at >= now:
        return sanction_cache.windows(user_id, now), at or now
    # A question about the past: revoked sanctions counted until their revocation.
    metrics.cache_read("bypass")
    return selectors.sanction_windows_at(user_id=user_id, at=at), at


def decide(user_id: int, action: Any, tournament_id: int | None) -> Decision:
    """The gate: allowed, or refused with ``banned``/``suspended``/``muted`` and the sanction.

    Raises ``ModerationUnavailable`` (503) when the sanctions cannot be read and ``action``
    fails closed; allows (counted as ``failed_open``) when it fails open.
    """
    action = ModerationAction(action)
    if not enforced(action):
        metrics.gate_checked(action, "disabled")
        return ALLOW
    try:
        windows, at = _windows(user_id, None)
    except DatabaseError as exc:
        return _failed(action, exc)
    window = blocking_window(windows, action, tournament_id, clock.to_epoch_us(at))
    if window is None:
        metrics.gate_checked(action, "allowed")
        return ALLOW
    metrics.gate_checked(action, "blocked")
    reason = REASON_CODES[window.kind]
    logger.debug(
        "moderation gate refused %s: %s (sanction %s)",
        action.value,
        reason,
        window.sanction_id,
        extra={"action": action.value, "reason_code": reason, "sanction_id": window.sanction_id},
    )
    return Decision(allowed=False, reason_code=reason, sanction_id=window.sanction_id)


def _failed(action: ModerationAction, exc: Exception) -> Decision:
    policy = ON_FAILURE[action]
    logger.warning(
        "moderation gate could not read sanctions for %s (%s): failing %s",
        action.value,
        type(exc).__name__,
        policy.value,
        extra={"action": action.value, "on_failure": policy.value},
    )
    if policy is OnFailure.OPEN:
        metrics.gate_checked(action, "failed_open")
        return ALLOW
    metrics.gate_checked(action, "failed_closed")
    raise ModerationUnavailable() from exc


def check(user: Any, action: ModerationAction | str, tournament: int | None = None) -> Decision:
    """``decide`` for a user or user id (the moderation app's own doors use it too)."""
    return decide(user_id_of(user), action, tournament)


def is_sanctioned(
    user: Any,
    kind: SanctionKind | str | None = None,
    tournament: int | None = None,
    at: datetime | None = None,
) -> bool:
    """Whether a sanction (of ``kind``, when given) is in effect on the user at ``at`` (now
    when None) that applies in ``tournament`` (a global one, or one of that tournament; with
    no tournament, global sanctions only). Flags do not matter here."""
    windows, moment = _windows(user_id_of(user), at)
    at_us = clock.to_epoch_us(moment)
    wanted = None if kind is None else SanctionKind(kind).value
    for window in windows:
        if wanted is not None and window.kind != wanted:
            continue
        if window.tournament_id is not None and window.tournament_id != tournament:
            continue
        if window.starts_us <= at_us and (window.ends_us is None or at_us < window.ends_us):
            return True
    return False


def effective_policy(
    user: Any, at: datetime | None = None, *, tournament: int | None = None
) -> EffectivePolicy:
    """Which actions sanctions block for the user at ``at`` (now when None) in ``tournament``
    (global sanctions only when None), each with the sanction behind it; and which actions the
    flags enforce now."""
    user_id = user_id_of(user)
    windows, moment = _windows(user_id, at)
    at_us = clock.to_epoch_us(moment)
    blocked: dict[ModerationAction, BlockedBy] = {}
    for action in ModerationAction:
        window = blocking_window(windows, action, tournament, at_us)
        if window is not None:
            blocked[action] = BlockedBy(
                sanction_id=window.sanction_id,
                kind=SanctionKind(window.kind),
                reason_code=REASON_CODES[window.kind],
            )
    return EffectivePolicy(
        user_id=user_id,
        at=moment,
        tournament_id=tournament,
        blocked=blocked,
        enforced=frozenset(a for a in ModerationAction if enforced(a)),
    )
