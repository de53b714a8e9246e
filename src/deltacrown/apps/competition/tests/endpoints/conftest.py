"""Competition endpoint test wiring: evidence goes to a throwaway directory, and time stands
still while the tournament is being played."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deltacrown.apps.competition.tests.factories import frozen_play
from deltacrown.kernel import clock


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _playing_time() -> Iterator[clock.FrozenClock]:
    with frozen_play() as frozen:
        yield frozen
