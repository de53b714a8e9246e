"""Registrations test wiring: proofs go to a throwaway directory, and time stands still in the
middle of the registration window unless a test moves it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deltacrown.apps.registrations.tests.factories import DURING_REGISTRATION
from deltacrown.kernel import clock


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _registration_time() -> Iterator[clock.FrozenClock]:
    with clock.frozen(DURING_REGISTRATION) as frozen:
        yield frozen
