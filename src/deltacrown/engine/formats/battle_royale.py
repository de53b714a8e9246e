"""Engine layer, formats: battle royale / free-for-all in lobbies.

Each of the M rounds splits the participants into the fewest lobbies of at most L players
(sizes differ by at most one). Seeds are laid out snake-wise in a grid with one column per
lobby; in round r (counting from 0) row j moves j*r columns to the right, so the rows slide
past each other and lobbies mix from round to round (with a prime number of lobbies, two
players share a lobby in at most one round unless they start in the same row). A lobby result is
the finishing order plus kills; points per placement and per kill come from the configuration.
Ids: ``BR<round>.<lobby>``, group ``lobby``. Every lobby can be played from the start.
"""

from __future__ import annotations

import dataclasses

from deltacrown.engine.errors import InvalidResult, MatchNotReady
from deltacrown.engine.formats.base import Rules, require
from deltacrown.engine.model import LobbyResult, Match, MatchStatus, Result, StageConfig
from deltacrown.engine.progression import Work

DEFAULT_ROUNDS = 3


def lobby_rounds(count: int, lobby_size: int, rounds: int) -> list[list[list[int]]]:
    """For each round, each lobby's seed positions (0-based, ascending)."""
    lobbies = -(-count // lobby_size)
    placed = []
    for index in range(count):
        row, column = divmod(index, lobbies)
        placed.append((row, column if row % 2 == 0 else lobbies - 1 - column))
    schedule = []
    for rnd in range(rounds):
        members: list[list[int]] = [[] for _ in range(lobbies)]
        for index, (row, column) in enumerate(placed):
            members[(column + row * rnd) % lobbies].append(index)
        schedule.append(members)
    return schedule


class BattleRoyale(Rules):
    """Lobbies of up to L over M rounds; placement points plus kill points."""

    def validate(self, config: StageConfig, count: int) -> None:
        require(count >= 2, "A battle royale needs at least 2 participants.", participants=count)
        require(config.lobby_size >= 2, "Lobbies hold at least 2 participants.")
        rounds = config.rounds or DEFAULT_ROUNDS
        require(1 <= rounds <= 100, "Play 1 to 100 rounds.", rounds=rounds)
        require(
            all(isinstance(p, int) and p >= 0 for p in config.placement_points)
            and list(config.placement_points) == sorted(config.placement_points, reverse=True),
            "Placement points are whole numbers of zero or more, never more for a worse place.",
        )
        require(
            isinstance(config.kill_points, int) and config.kill_points >= 0,
            "Kill points are a whole number of zero or more.",
        )

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        schedule = lobby_rounds(
            len(participants), config.lobby_size, config.rounds or DEFAULT_ROUNDS
        )
        matches = [
            Match(
                id=f"BR{rnd}.{number}",
                group="lobby",
                round=rnd,
                number=number,
                participants=tuple(participants[i] for i in members),
                status=MatchStatus.READY,
            )
            for rnd, lobbies in enumerate(schedule, start=1)
            for number, members in enumerate(lobbies, start=1)
        ]
        return matches, ()

    def record(self, work: Work, match: Match, result: Result | LobbyResult) -> None:
        if match.status not in (MatchStatus.READY, MatchStatus.COMPLETED):
            raise MatchNotReady(
                f"{match.id} is {match.status.value}: it cannot take a result.", match=match.id
            )
        if not isinstance(result, LobbyResult):
            raise InvalidResult(f"{match.id} is a lobby: give the placements (a LobbyResult).")
        placements = tuple(result.placements)
        kills = tuple(result.kills)
        if sorted(placements) != sorted(match.present):
            raise InvalidResult(
                f"The placements must list every participant of {match.id} exactly once.",
                match=match.id,
            )
        if kills and (
            len(kills) != len(placements)
            or any(isinstance(k, bool) or not isinstance(k, int) or k < 0 for k in kills)
        ):
            raise InvalidResult("Give one kill count (0 or more) per placed participant.")
        new = dataclasses.replace(
            match,
            status=MatchStatus.COMPLETED,
            result=LobbyResult(placements=placements, kills=kills),
        )
        if new != match:
            work.put(new)

    def withdraw(self, work: Work, participant: str) -> None:
        for match in list(work.matches.values()):
            if match.status is not MatchStatus.READY or participant not in match.participants:
                continue
            remaining = tuple(p for p in match.participants if p != participant)
            status = MatchStatus.READY if remaining else MatchStatus.VOID
            work.put(dataclasses.replace(match, participants=remaining, status=status))
