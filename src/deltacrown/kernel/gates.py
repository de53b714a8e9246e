"""Kernel layer: enforcement gates — one question asked at every door, "may this user act?".

Lower apps (registrations, teams, competition, realtime) ask ``check(user_id, action, ...)``
before they act; the moderation app, which sits above them, answers by registering a policy
with ``register_policy``. Until a policy is registered every action is allowed. This keeps the
layering intact: no lower app imports moderation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from deltacrown.kernel.errors import PermissionDenied


class Action(StrEnum):
    """The surfaces a sanction can close."""

    WS_CONNECT = "ws.connect"
    WS_MESSAGE = "ws.message"
    REGISTRATION_CREATE = "registration.create"
    CHECKIN = "checkin"
    RESULT_REPORT = "result.report"
    TEAM_INVITE = "team.invite"
    PURCHASE = "purchase"


@dataclass(frozen=True)
class Decision:
    """The answer of a gate: allowed, or refused with a reason code and the sanction behind it."""

    allowed: bool
    reason_code: str | None = None
    sanction_id: int | None = None

    def __post_init__(self) -> None:
        if not self.allowed and not self.reason_code:
            raise ValueError("a refusal must name its reason code (it becomes the problem code)")


ALLOW = Decision(allowed=True)

Policy = Callable[[int, Action, int | None], Decision]

_lock = threading.Lock()
_policy: Policy | None = None
_standing_stream: Callable[[int], str] | None = None


def register_policy(policy: Policy | None) -> Policy | None:
    """Install the policy that answers every gate; returns the previous one (None removes it)."""
    global _policy  # one process-wide policy, installed at start-up by the moderation app
    with _lock:
        previous, _policy = _policy, policy
    return previous


def register_standing_stream(stream_of: Callable[[int], str] | None) -> None:
    """Name the event stream whose events mean that a user's standing may have changed (a
    sanction created or revoked): whoever holds a door open for that user (a live connection)
    follows it and asks its gate again at once. None: no such stream."""
    global _standing_stream  # process-wide, installed at start-up with the policy
    with _lock:
        _standing_stream = stream_of


def standing_stream(user_id: int) -> str | None:
    """The stream to follow for changes of ``user_id``'s standing, or None."""
    stream_of = _standing_stream
    return stream_of(user_id) if stream_of is not None else None


def check(user_id: int, action: Action | str, *, tournament_id: int | None = None) -> Decision:
    """May ``user_id`` perform ``action`` (in ``tournament_id``, when the action is scoped)?"""
    action = Action(action)  # an unknown action is a programming error, with or without policy
    policy = _policy
    if policy is None:
        return ALLOW
    return policy(user_id, action, tournament_id)


def require(user_id: int, action: Action | str, *, tournament_id: int | None = None) -> None:
    """Raise 403 with the decision's reason code (e.g. ``banned``) when the gate refuses."""
    decision = check(user_id, action, tournament_id=tournament_id)
    if not decision.allowed:
        raise PermissionDenied(
            "This action is blocked for your account.",
            code=decision.reason_code,
            sanction_id=decision.sanction_id,
        )
