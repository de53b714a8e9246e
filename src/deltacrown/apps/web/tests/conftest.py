"""Web page tests: each test starts with an empty cache; modules built on the demo seed it once.

Rendered tabs are cached under a tournament's id and event-stream head; test databases reuse
ids from one test to the next, so a tab cached by one test must not be served to another.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import transaction

from deltacrown.apps.web import demo


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture(scope="module")
def demo_summary(django_db_setup, django_db_blocker) -> Iterator[demo.DemoSummary]:
    """The demo, seeded once for a whole module and rolled back after its last test.

    Seeding replays several tournaments through the real services, which takes seconds. Each
    test's own transaction (pytest-django's) nests in this one as a savepoint, so whatever a
    test changes is undone before the next one starts from the same demo. A test that commits
    (``transaction=True``) cannot run inside it: such tests seed for themselves in a module that
    does not use this fixture.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        summary = demo.seed()
        yield summary
        transaction.set_rollback(True)
