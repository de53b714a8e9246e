"""Moderation app, policy (pure Python): what each kind of sanction blocks, which flag covers
each action, what a gate does when it cannot read the sanctions, and the evaluation of a
user's sanction windows at an instant.

docs/moderation.md shows these tables; tests assert every cell against them. Windows are plain
tuples of integers so the hot path (a gate check on a cache hit) allocates nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from deltacrown.apps.moderation.data import (
    REASON_CODE_OF_KIND,
    ModerationAction,
    SanctionKind,
    Surface,
)

A = ModerationAction

#: Which actions each kind of sanction blocks. A ban blocks every door; a suspension takes the
#: player out of competition and live streams but lets them buy; a mute silences (messages,
#: abuse reports) and stops purchases, but the player may still watch and compete.
BLOCKS: dict[str, frozenset[str]] = {
    SanctionKind.BAN.value: frozenset(a.value for a in ModerationAction),
    SanctionKind.SUSPEND.value: frozenset(
        {
            A.WS_CONNECT.value,
            A.WS_MESSAGE.value,
            A.REGISTRATION_CREATE.value,
            A.CHECKIN.value,
            A.RESULT_REPORT.value,
            A.TEAM_INVITE.value,
        }
    ),
    SanctionKind.MUTE.value: frozenset(
        {A.WS_MESSAGE.value, A.PURCHASE.value, A.REPORT_CREATE.value}
    ),
}

#: When several sanctions block an action, the refusal names the most severe one.
SEVERITY: dict[str, int] = {
    SanctionKind.BAN.value: 3,
    SanctionKind.SUSPEND.value: 2,
    SanctionKind.MUTE.value: 1,
}

REASON_CODES: dict[str, str] = {kind.value: code for kind, code in REASON_CODE_OF_KIND.items()}

#: The per-surface flag covering each action. Check-in and team invitations belong to the
#: registration surface: both are steps of entering a tournament. Filing abuse reports is the
#: moderation app's own door and follows the master flag only.
SURFACE_OF: dict[str, Surface | None] = {
    A.WS_CONNECT.value: Surface.WS,
    A.WS_MESSAGE.value: Surface.WS,
    A.REGISTRATION_CREATE.value: Surface.REGISTRATION,
    A.CHECKIN.value: Surface.REGISTRATION,
    A.TEAM_INVITE.value: Surface.REGISTRATION,
    A.RESULT_REPORT.value: Surface.MATCHES,
    A.PURCHASE.value: Surface.PURCHASE,
    A.REPORT_CREATE.value: None,
}


class OnFailure(StrEnum):
    """What a gate answers when it cannot read the sanctions (the database is down)."""

    #: Allow, and count it (``deltacrown_moderation_gate_checks_total{outcome="failed_open"}``):
    #: watching a live stream must not depend on the moderation tables.
    OPEN = "open"
    #: Refuse with 503 ``moderation_unavailable`` (retry later): the action writes to the same
    #: database anyway, and letting a banned player in is worse than a retry.
    CLOSED = "closed"


ON_FAILURE: dict[str, OnFailure] = {
    A.WS_CONNECT.value: OnFailure.OPEN,
    A.WS_MESSAGE.value: OnFailure.OPEN,
    A.REGISTRATION_CREATE.value: OnFailure.CLOSED,
    A.CHECKIN.value: OnFailure.CLOSED,
    A.RESULT_REPORT.value: OnFailure.CLOSED,
    A.TEAM_INVITE.value: OnFailure.CLOSED,
    A.PURCHASE.value: OnFailure.CLOSED,
    A.REPORT_CREATE.value: OnFailure.CLOSED,
}


class Window(NamedTuple):
    """One sanction as the gates see it: when it is in effect, where, and what it blocks."""

    sanction_id: int
    kind: str
    tournament_id: int | None
    starts_us: int  # microseconds since the epoch, inclusive
    ends_us: int | None  # exclusive; None: until revoked


def blocks(kind: SanctionKind | str, action: ModerationAction | str) -> bool:
    """Whether a sanction of ``kind`` blocks ``action`` (its time and scope aside)."""
    return str(action) in BLOCKS[str(kind)]


def blocking_window(
    windows: Iterable[Window], action: str, tournament_id: int | None, at_us: int
) -> Window | None:
    """The sanction among ``windows`` that blocks ``action`` at ``at_us``, or None.

    A global sanction applies everywhere; a tournament's sanction only to questions asked
    about that tournament (a question without a tournament, such as a team invitation, is
    answered by global sanctions alone). The most severe kind wins, then global over scoped,
    then the oldest sanction, so the answer does not depend on the order of ``windows``.
    """
    best: Window | None = None
    best_rank: tuple[int, int, int] | None = None
    for window in windows:
        if action not in BLOCKS[window.kind]:
            continue
        if window.tournament_id is not None and window.tournament_id != tournament_id:
            continue
        if at_us < window.starts_us or (window.ends_us is not None and at_us >= window.ends_us):
            continue
        rank = (-SEVERITY[window.kind], 0 if window.tournament_id is None else 1, window[0])
        if best_rank is None or rank < best_rank:
            best, best_rank = window, rank
    return best
