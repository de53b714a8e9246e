"""Engine layer, formats: a group stage (round robin or Swiss) feeding an elimination bracket.

Seeds are dealt into groups by the group ordering; the top ``advance`` of each group go to the
playoffs (single or double elimination, ids prefixed ``P-``). Playoff slots are fixed when the
stage is built, as "rank k of group g", and are filled as soon as that group is finished, so one
group can move on while another is still playing. Qualification follows the group's sporting
ranking (see ``standings.group_ranking``). The playoff seeds are laid out across groups: with
the standard bracket, a group winner meets a runner-up of another group (A1 v B2, B1 v A2, ...).
"""

from __future__ import annotations

from collections.abc import Sequence

from deltacrown.engine.formats.base import Rules, require
from deltacrown.engine.formats.double_elim import build_double, validate_double
from deltacrown.engine.formats.elimination import knocked_out
from deltacrown.engine.formats.round_robin import (
    build_groups,
    group_label,
    schedule_group,
    validate_groups,
    validate_points,
)
from deltacrown.engine.formats.single_elim import build_single, validate_single
from deltacrown.engine.formats.swiss import advance_group, next_round, validate_swiss
from deltacrown.engine.model import Format, Match, Source, SourceKind, StageConfig
from deltacrown.engine.progression import Work
from deltacrown.engine.seeding import next_power_of_two
from deltacrown.engine.standings import group_ranking

PLAYOFFS = "playoffs"


def playoff_entries(groups: int, advance: int) -> list[Source]:
    """The source of each playoff seed: all group winners first, then the runners-up, ...

    Seed ``s`` meets seed ``size + 1 - s`` in a standard bracket; each such opponent is chosen
    from the partner group (A with B, C with D, ...; with an odd number of groups, the next
    group), else from any other group, so first-round matches cross groups.
    """
    count = groups * advance
    size = next_power_of_two(count)
    left = {tier: list(range(groups)) for tier in range(1, advance + 1)}
    placed: list[tuple[int, int] | None] = [None] * count

    def tier_of(seed: int) -> int:
        return (seed - 1) // groups + 1

    def partner(group: int) -> int:
        if groups % 2 == 0:
            return group ^ 1
        return (group + 1) % groups

    for seed in range(1, count + 1):
        if placed[seed - 1] is None:
            tier = tier_of(seed)
            placed[seed - 1] = (left[tier].pop(0), tier)
        opponent = size + 1 - seed
        if seed < opponent <= count and placed[opponent - 1] is None:
            own = placed[seed - 1][0]  # type: ignore[index]
            options = left[tier_of(opponent)]
            wanted = partner(own)
            choice = (
                wanted if wanted in options else next((g for g in options if g != own), options[0])
            )
            options.remove(choice)
            placed[opponent - 1] = (choice, tier_of(opponent))
    return [
        Source(SourceKind.QUALIFIER, group=group_label(group + 1), number=tier)
        for group, tier in placed  # type: ignore[misc]
    ]


def _group_sizes(config: StageConfig, count: int) -> list[int]:
    return [len(g) for g in build_groups(config, [str(i) for i in range(count)])]


class GroupsPlayoffs(Rules):
    """Groups (round robin or Swiss), then the top K of each group in an elimination bracket."""

    def validate(self, config: StageConfig, count: int) -> None:
        require(
            config.group_format in (Format.ROUND_ROBIN, Format.SWISS),
            "The group stage is a round robin or a Swiss.",
            option="group_format",
        )
        require(
            config.playoff_format in (Format.SINGLE_ELIMINATION, Format.DOUBLE_ELIMINATION),
            "The playoffs are a single or a double elimination.",
            option="playoff_format",
        )
        validate_groups(config, count)
        sizes = _group_sizes(config, count)
        if config.group_format is Format.SWISS:
            validate_swiss(config, sizes)
        else:
            require(1 <= config.cycles <= 4, "Play 1 to 4 cycles.", cycles=config.cycles)
            validate_points(config)
        require(
            1 <= config.advance <= min(sizes),
            f"Between 1 and {min(sizes)} participants per group can advance.",
            advance=config.advance,
        )
        qualifiers = config.advance * config.groups
        if config.playoff_format is Format.DOUBLE_ELIMINATION:
            validate_double(qualifiers, config)
        else:
            validate_single(qualifiers, config)

    def build(
        self, config: StageConfig, participants: tuple[str, ...]
    ) -> tuple[list[Match], tuple[tuple[str, ...], ...]]:
        groups = build_groups(config, participants)
        seeds = {p: i + 1 for i, p in enumerate(participants)}
        matches: list[Match] = []
        for number, members in enumerate(groups, start=1):
            label, prefix = group_label(number), f"G{number}-"
            if config.group_format is Format.SWISS:
                matches += next_round(
                    [],
                    members,
                    withdrawn=frozenset(),
                    seeds=seeds,
                    points=config.points,
                    label=label,
                    prefix=prefix,
                )
            else:
                matches += schedule_group(members, label=label, prefix=prefix, cycles=config.cycles)
        entries = playoff_entries(len(groups), config.advance)
        if config.playoff_format is Format.DOUBLE_ELIMINATION:
            matches += build_double(
                entries,
                ordering=config.seed_ordering,
                loser_orderings=config.loser_orderings,
                grand_final=config.grand_final,
                prefix="P-",
                group=PLAYOFFS,
            )
        else:
            matches += build_single(
                entries,
                ordering=config.seed_ordering,
                third_place=config.third_place,
                prefix="P-",
                group=PLAYOFFS,
            )
        return matches, groups

    def allows_draw(self, config: StageConfig, match: Match) -> bool:
        return match.group != PLAYOFFS and config.allow_draws

    def knocked_out(self, work: Work, match: Match) -> tuple[str, ...]:
        if match.group != PLAYOFFS:
            return ()
        return knocked_out(match, has_reset=bool(work.dependents.get(match.id)))

    def after_decided(self, work: Work, old: Match, new: Match) -> None:
        if new.group == PLAYOFFS:
            return
        number = int(new.group.rsplit("-", 1)[1])
        members = work.stage.groups[number - 1]
        if work.config.group_format is Format.SWISS:
            advance_group(work, new, members=members, prefix=f"G{number}-")
        self._settle_group(work, new.group, members)

    def _ranking(self, work: Work, label: str, members: Sequence[str], *, start: bool) -> list[str]:
        matches = work.stage.matches if start else work.matches
        return group_ranking(
            work.config,
            work.config.group_format,
            (m for m in matches.values() if m.group == label),
            members,
            work.stage._seeds,
        )

    def _settle_group(self, work: Work, label: str, members: Sequence[str]) -> None:
        """Re-rank a group whose results changed; if it is finished, (re)fill its playoff slots
        and note who is out."""
        advance = work.config.advance
        key = ("out", label)
        if key not in work.memo:
            was_finished = work.stage._open_groups.get(label, 0) == 0
            before = self._ranking(work, label, members, start=True) if was_finished else []
            work.memo[key] = set(before[advance:])
        work.memo.pop(("ranking", label), None)
        finished = work.open_groups.get(label, 0) == 0
        ranking = self._ranking(work, label, members, start=False) if finished else []
        work.memo[("ranking", label)] = ranking
        old_out: set[str] = work.memo[key]  # type: ignore[assignment]
        new_out = set(ranking[advance:])
        for participant in sorted(new_out - old_out):
            work.eliminate(participant)
        for participant in sorted(old_out - new_out):
            work.reinstate(participant)
        work.memo[key] = new_out
        for target in work.dependents.get(label, ()):
            work.refresh(target)

    def qualifier(self, work: Work, group: str, rank: int) -> tuple[bool, str | None]:
        if work.open_groups.get(group, 0):
            return False, None
        ranking = work.memo.get(("ranking", group))
        if ranking is None:
            number = int(group.rsplit("-", 1)[1])
            ranking = self._ranking(work, group, work.stage.groups[number - 1], start=False)
            work.memo[("ranking", group)] = ranking
        ranked: list[str] = ranking  # type: ignore[assignment]
        return True, ranked[rank - 1] if rank <= len(ranked) else None
