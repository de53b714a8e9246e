"""Engine layer, serialization: a stage as plain JSON-ready data and back, without loss.

``stage_to_dict`` / ``stage_from_dict`` convert to and from dicts of strings, numbers, lists
and nulls (the schema is documented in docs/engine.md, version ``deltacrown.stage/1``);
``stage_to_json`` / ``stage_from_json`` add the JSON text step. Loading checks the data's shape
and its references (match ids, links, participants) and raises ``InvalidStageData`` rather than
returning a stage that would fail later. Match ``winner`` and ``loser`` are written for the
convenience of readers and recomputed on loading.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from deltacrown.engine.errors import EngineError, InvalidStageData
from deltacrown.engine.model import (
    Link,
    LobbyResult,
    Match,
    MatchStatus,
    Outcome,
    Result,
    Source,
    SourceKind,
    Stage,
    StageConfig,
)

SCHEMA = "deltacrown.stage/1"
_CONFIG_FIELDS = tuple(f.name for f in fields(StageConfig))


def _source_to_dict(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": source.kind.value}
    for name in ("match", "group", "number"):
        value = getattr(source, name)
        if value is not None:
            data[name] = value
    return data


def _link_to_dict(link: Link | None) -> dict[str, Any] | None:
    return None if link is None else {"match": link.match, "slot": link.slot}


def _result_to_dict(result: Result | LobbyResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    if isinstance(result, LobbyResult):
        return {"type": "lobby", "placements": list(result.placements), "kills": list(result.kills)}
    return {
        "type": "match",
        "outcome": result.outcome.value if result.outcome else None,
        "winner": result.winner,
        "loser": result.loser,
        "scores": list(result.scores) if result.scores is not None else None,
        "auto": result.auto,
    }


def match_to_dict(match: Match) -> dict[str, Any]:
    """One match as plain data (the ``matches`` entries of the stage schema)."""
    return {
        "id": match.id,
        "group": match.group,
        "bracket": match.bracket,
        "round": match.round,
        "number": match.number,
        "status": match.status.value,
        "participants": list(match.participants),
        "sources": [_source_to_dict(s) for s in match.sources],
        "winner_to": _link_to_dict(match.winner_to),
        "loser_to": _link_to_dict(match.loser_to),
        "result": _result_to_dict(match.result),
        "winner": match.winner,
        "loser": match.loser,
    }


def config_to_dict(config: StageConfig) -> dict[str, Any]:
    """The configuration as plain data."""
    data: dict[str, Any] = {}
    for name in _CONFIG_FIELDS:
        value = getattr(config, name)
        data[name] = list(value) if isinstance(value, tuple) else value
    return data


def stage_to_dict(stage: Stage) -> dict[str, Any]:
    """The whole stage as plain, JSON-ready data."""
    return {
        "schema": SCHEMA,
        "config": config_to_dict(stage.config),
        "participants": list(stage.participants),
        "groups": [list(g) for g in stage.groups],
        "seeding": dict(stage.seeding),
        "withdrawn": dict(stage.withdrawn),
        "matches": [match_to_dict(m) for m in stage.matches.values()],
    }


def stage_to_json(stage: Stage, *, indent: int | None = None) -> str:
    """The stage as JSON text."""
    return json.dumps(stage_to_dict(stage), indent=indent, ensure_ascii=False)


# --- loading ----------------------------------------------------------------------------------


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidStageData(message)


def _str(value: Any, what: str) -> str:
    _expect(isinstance(value, str), f"{what} must be a string.")
    return value


def _int(value: Any, what: str) -> int:
    _expect(isinstance(value, int) and not isinstance(value, bool), f"{what} must be an integer.")
    return value


def _opt_str(value: Any, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _source_from(data: Any, where: str) -> Source:
    _expect(isinstance(data, Mapping), f"{where}: a source must be an object.")
    kind = SourceKind(_str(data.get("kind"), f"{where}: source kind"))
    number = data.get("number")
    return Source(
        kind=kind,
        match=_opt_str(data.get("match"), f"{where}: source match"),
        group=_opt_str(data.get("group"), f"{where}: source group"),
        number=None if number is None else _int(number, f"{where}: source number"),
    )


def _link_from(data: Any, where: str) -> Link | None:
    if data is None:
        return None
    _expect(isinstance(data, Mapping), f"{where}: a link must be an object or null.")
    return Link(_str(data.get("match"), f"{where}: link match"), _int(data.get("slot"), where))


def _result_from(data: Any, where: str) -> Result | LobbyResult | None:
    if data is None:
        return None
    _expect(isinstance(data, Mapping), f"{where}: a result must be an object or null.")
    if data.get("type") == "lobby":
        placements = tuple(_str(p, f"{where}: placement") for p in data.get("placements", ()))
        kills = tuple(_int(k, f"{where}: kills") for k in data.get("kills", ()))
        return LobbyResult(placements, kills)
    _expect(data.get("type") == "match", f"{where}: unknown result type.")
    scores = data.get("scores")
    outcome = data.get("outcome")
    return Result(
        outcome=None if outcome is None else Outcome(outcome),
        winner=_opt_str(data.get("winner"), f"{where}: winner"),
        loser=_opt_str(data.get("loser"), f"{where}: loser"),
        scores=None if scores is None else tuple(_int(s, f"{where}: score") for s in scores),
        auto=bool(data.get("auto", False)),
    )


def _match_from(data: Any) -> Match:
    _expect(isinstance(data, Mapping), "Every match must be an object.")
    match_id = _str(data.get("id"), "Match id")
    where = f"match {match_id}"
    participants = data.get("participants")
    _expect(isinstance(participants, list), f"{where}: participants must be a list.")
    sources = data.get("sources", [])
    _expect(isinstance(sources, list), f"{where}: sources must be a list.")
    return Match(
        id=match_id,
        group=_str(data.get("group"), f"{where}: group"),
        bracket=_str(data.get("bracket", ""), f"{where}: bracket"),
        round=_int(data.get("round"), f"{where}: round"),
        number=_int(data.get("number"), f"{where}: number"),
        status=MatchStatus(_str(data.get("status"), f"{where}: status")),
        participants=tuple(_opt_str(p, f"{where}: participant") for p in participants),
        sources=tuple(_source_from(s, where) for s in sources),
        winner_to=_link_from(data.get("winner_to"), where),
        loser_to=_link_from(data.get("loser_to"), where),
        result=_result_from(data.get("result"), where),
    )


def _check_references(stage: Stage) -> None:
    known = set(stage.participants)
    _expect(len(known) == len(stage.participants), "A participant is listed twice.")
    groups = {f"group-{n}" for n in range(1, len(stage.groups) + 1)}
    for group in stage.groups:
        _expect(set(group) <= known, "A group lists an unknown participant.")
    for participant, status in stage.withdrawn.items():
        _expect(participant in known, "An unknown participant is marked withdrawn.")
        _expect(status in ("withdrawn", "disqualified"), "Unknown withdrawal status.")
    for match in stage.matches.values():
        where = f"match {match.id}"
        for participant in match.participants:
            _expect(participant is None or participant in known, f"{where}: unknown participant.")
        for link in (match.winner_to, match.loser_to):
            _expect(
                link is None or link.match in stage.matches, f"{where}: link to an unknown match."
            )
        for source in match.sources:
            if source.match is not None:
                _expect(source.match in stage.matches, f"{where}: source is an unknown match.")
            if source.kind is SourceKind.QUALIFIER:
                _expect(source.group in groups, f"{where}: source is an unknown group.")
            if source.kind is SourceKind.SEED:
                _expect(
                    source.number is not None and 1 <= source.number <= len(known),
                    f"{where}: seed out of range.",
                )
        if isinstance(match.result, LobbyResult):
            _expect(
                sorted(match.result.placements) == sorted(match.present),
                f"{where}: placements do not match the lobby.",
            )
        elif isinstance(match.result, Result):
            for named in (match.result.winner, match.result.loser):
                _expect(named is None or named in match.participants, f"{where}: bad result.")
        _expect(
            (match.result is not None) == (match.status is MatchStatus.COMPLETED),
            f"{where}: a result is present exactly when the match is completed.",
        )


def stage_from_dict(data: Mapping[str, Any]) -> Stage:
    """Load a stage written by ``stage_to_dict`` (raises ``InvalidStageData`` if it is not)."""
    try:
        _expect(isinstance(data, Mapping), "A stage must be an object.")
        _expect(data.get("schema") == SCHEMA, f"Unknown stage schema (expected {SCHEMA}).")
        config_data = data.get("config")
        _expect(isinstance(config_data, Mapping), "The configuration must be an object.")
        unknown = set(config_data) - set(_CONFIG_FIELDS)
        _expect(not unknown, f"Unknown configuration options: {', '.join(sorted(unknown))}.")
        config = StageConfig(**config_data)
        participants = data.get("participants")
        _expect(isinstance(participants, list), "Participants must be a list.")
        matches = data.get("matches")
        _expect(isinstance(matches, list), "Matches must be a list.")
        loaded = [_match_from(m) for m in matches]
        table = {m.id: m for m in loaded}
        _expect(len(table) == len(loaded), "Two matches have the same id.")
        stage = Stage(
            config=config,
            participants=tuple(_str(p, "Participant") for p in participants),
            matches=table,
            groups=tuple(
                tuple(_str(p, "Group member") for p in group) for group in data.get("groups", [])
            ),
            withdrawn={
                _str(p, "Participant"): _str(s, "Status")
                for p, s in dict(data.get("withdrawn", {})).items()
            },
            seeding=dict(data.get("seeding", {})),
        )
        _check_references(stage)
    except InvalidStageData:
        raise
    except (EngineError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidStageData(f"Malformed stage data: {exc}") from None
    return stage


def stage_from_json(text: str | bytes) -> Stage:
    """Load a stage from JSON text written by ``stage_to_json``."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidStageData(f"Not valid JSON: {exc}") from None
    return stage_from_dict(data)
