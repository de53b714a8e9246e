"""Engine layer, text rendering: a stage and its standings as readable plain text.

Used by the command line without ``--json``. Open slots say where their participant will come
from ("winner W1.2", "group-1 #2"), so a bracket can be read before anything is played.
"""

from __future__ import annotations

from collections.abc import Callable

from deltacrown.engine.model import (
    LobbyResult,
    Match,
    MatchStatus,
    Outcome,
    Result,
    Source,
    SourceKind,
    Stage,
)
from deltacrown.engine.standings import Standings

Name = Callable[[str], str]
TITLES = {
    "single_elimination": "Single elimination",
    "double_elimination": "Double elimination",
    "round_robin": "Round robin",
    "swiss": "Swiss",
    "groups_playoffs": "Groups then playoffs",
    "battle_royale": "Battle royale",
}
# The standings numbers worth a column, per kind of table, in order.
COLUMNS = (
    "points",
    "wins",
    "draws",
    "losses",
    "score_difference",
    "buchholz",
    "sonneborn_berger",
    "kills",
    "round_wins",
    "group_rank",
)


def _source_text(stage: Stage, source: Source) -> str:
    kind = source.kind
    if kind is SourceKind.BYE:
        return "BYE"
    if kind is SourceKind.SEED:
        return f"seed {source.number}"
    if kind is SourceKind.QUALIFIER:
        return f"{source.group} #{source.number}"
    if kind is SourceKind.RESET:
        return f"{source.match} side {source.number}"
    feeder = stage.matches[source.match or ""]
    if feeder.decided:
        return "BYE"  # decided and still nobody: the feeder had nobody to hand on
    return f"{kind.value} {source.match}"


def _slot(stage: Stage, match: Match, slot: int, name: Name) -> str:
    participant = match.participants[slot]
    if participant is not None:
        return name(participant)
    if match.decided or not match.sources:
        return "BYE"
    return _source_text(stage, match.sources[slot])


def _outcome(match: Match, name: Name) -> str:
    result = match.result
    if isinstance(result, LobbyResult):
        return "placements: " + ", ".join(name(p) for p in result.placements)
    if not isinstance(result, Result):
        return ""
    scores = "-".join(str(s) for s in result.scores) if result.scores else ""
    if result.outcome is Outcome.DRAW:
        return f"draw {scores}".strip()
    if result.outcome is Outcome.DOUBLE_FORFEIT:
        return "double forfeit"
    text = f"{name(result.winner or '')} wins"
    if result.outcome is Outcome.FORFEIT:
        text += " by forfeit"
    return f"{text} {scores}".strip()


def match_line(stage: Stage, match: Match, name: Name = str) -> str:
    """One match on one line: id, status, participants (or where they come from), outcome."""
    if match.group == "lobby":
        who = ", ".join(name(p) for p in match.present) or "(empty)"
    elif len(match.participants) == 1:
        who = f"{_slot(stage, match, 0, name)} (bye)"
    else:
        who = " v ".join(_slot(stage, match, i, name) for i in range(len(match.participants)))
    outcome = _outcome(match, name) if match.status is MatchStatus.COMPLETED else ""
    line = f"    {match.id:<10} {match.status.value:<10} {who}"
    return f"{line}   {outcome}" if outcome else line


def render_stage(stage: Stage, table: Standings, name: Name = str) -> str:
    """The whole stage (matches by group and round) followed by the standings."""
    title = TITLES.get(stage.format.value, stage.format.value)
    seeding = stage.seeding.get("method", "natural")
    lines = [f"{title}: {len(stage.participants)} participants, seeding {seeding}"]
    group = None
    rnd = None
    for match in stage.matches.values():
        if match.group != group:
            group, rnd = match.group, None
            lines += ["", group]
        if match.round != rnd:
            rnd = match.round
            lines.append(f"  round {rnd}")
        lines.append(match_line(stage, match, name))
    lines += ["", render_standings(table, name)]
    return "\n".join(lines) + "\n"


def render_standings(table: Standings, name: Name = str) -> str:
    """The standings as a table: rank, participant, status, the main numbers, the reason."""
    shown = [c for c in COLUMNS if any(c in row.stats for row in table.rows)]
    header = f"  {'rank':>4}  {'participant':<12} {'status':<12}"
    header += "".join(f" {c.replace('_', ' ')[:10]:>10}" for c in shown)
    header += "  decided by"
    lines = [f"Standings ({'final' if table.final else 'live'})", header]
    for index, row in enumerate(table.rows):
        line = f"  {row.rank:>4}  {name(row.participant):<12} {row.status.value:<12}"
        line += "".join(f" {row.stats.get(c, ''):>10}" for c in shown)
        reason = row.decided_by or ("tied" if index else "")
        lines.append(f"{line}  {reason}".rstrip())
    return "\n".join(lines)
