"""Accounts test wiring: every test starts with empty rate-limit counters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deltacrown.apps.accounts import api


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    api.rate_limits_reset()
    yield
    api.rate_limits_reset()
