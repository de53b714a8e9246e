"""Engine layer, formats: the rules object of each competition format."""

from __future__ import annotations

from functools import cache

from deltacrown.engine.formats.base import Rules
from deltacrown.engine.model import Format


@cache
def _registry() -> dict[Format, Rules]:
    # Built on first use so that importing one format module (the standings import the
    # elimination helpers) does not import every format, some of which use the standings.
    from deltacrown.engine.formats.battle_royale import BattleRoyale
    from deltacrown.engine.formats.double_elim import DoubleElimination
    from deltacrown.engine.formats.groups_playoffs import GroupsPlayoffs
    from deltacrown.engine.formats.round_robin import RoundRobin
    from deltacrown.engine.formats.single_elim import SingleElimination
    from deltacrown.engine.formats.swiss import Swiss

    return {
        Format.SINGLE_ELIMINATION: SingleElimination(),
        Format.DOUBLE_ELIMINATION: DoubleElimination(),
        Format.ROUND_ROBIN: RoundRobin(),
        Format.SWISS: Swiss(),
        Format.GROUPS_PLAYOFFS: GroupsPlayoffs(),
        Format.BATTLE_ROYALE: BattleRoyale(),
    }


def rules_for(format: Format) -> Rules:
    """The rules of ``format``."""
    return _registry()[format if isinstance(format, Format) else Format(format)]
