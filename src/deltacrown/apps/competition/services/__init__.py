"""Competition app, services layer: every write of stages, matches, results and disputes.

Split by concept: ``generation`` (stages from the checked-in participants), ``progression``
(results and withdrawals through the engine), ``results`` (submission, confirmation,
overrides, forfeits, auto-confirmation), ``matches`` (schedule, details, start, live score,
cancel, reset), ``disputes`` and ``completion`` (placements and the tournament's end);
``bridge`` stores what the engine returns, ``claims`` checks what a result says; ``demo``
plays the demo tournaments (the live cup, the league, the battle royale, the Swiss stage).
"""

from __future__ import annotations

from deltacrown.apps.competition.services.completion import (
    tournament_finish,
    tournaments_finish_due,
)
from deltacrown.apps.competition.services.demo import demo_seed
from deltacrown.apps.competition.services.disputes import (
    dispute_comment,
    dispute_get_for,
    dispute_open,
    dispute_resolve,
    evidence_read,
)
from deltacrown.apps.competition.services.generation import stage_generate
from deltacrown.apps.competition.services.matches import (
    match_cancel,
    match_reset,
    match_score_update,
    match_start,
    match_update,
    matches_schedule,
)
from deltacrown.apps.competition.services.progression import participant_withdraw
from deltacrown.apps.competition.services.results import (
    match_forfeit,
    result_confirm,
    result_override,
    result_submit,
    results_auto_confirm,
)

__all__ = [
    "demo_seed",
    "dispute_comment",
    "dispute_get_for",
    "dispute_open",
    "dispute_resolve",
    "evidence_read",
    "match_cancel",
    "match_forfeit",
    "match_reset",
    "match_score_update",
    "match_start",
    "match_update",
    "matches_schedule",
    "participant_withdraw",
    "result_confirm",
    "result_override",
    "result_submit",
    "results_auto_confirm",
    "stage_generate",
    "tournament_finish",
    "tournaments_finish_due",
]
