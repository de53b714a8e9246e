"""Kernel layer: validation of per-game player ids stored on a user's profile.

The accounts app stores the ids; the games app, which sits above it, knows each game's rules and
registers a validator here. Until one is registered, only the shape is checked by accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# Given {game slug: player id}, return field errors ({field, code, message}); empty when valid.
Validator = Callable[[Mapping[str, str]], list[dict[str, str]]]

_validator: Validator | None = None


def register_validator(validator: Validator | None) -> Validator | None:
    """Install the game-aware validator; returns the previous one (None removes it)."""
    global _validator  # one process-wide hook, installed by the games app at start-up
    previous, _validator = _validator, validator
    return previous


def validate(game_ids: Mapping[str, str]) -> list[dict[str, str]]:
    """Field errors for ``game_ids`` according to the registered validator (none if absent)."""
    validator = _validator
    return validator(game_ids) if validator is not None else []
