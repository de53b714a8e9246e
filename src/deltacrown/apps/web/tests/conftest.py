"""Web page tests: each test starts with an empty cache.

Rendered tabs are cached under a tournament's id and event-stream head; test databases reuse
ids from one test to the next, so a tab cached by one test must not be served to another.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()
