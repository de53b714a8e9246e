"""Test-suite wiring shared by every app's tests."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture(autouse=True)
def _seeded_game_catalogue(request: pytest.FixtureRequest) -> None:
    """Give transactional tests the games the data migration seeds.

    A transactional test (``django_db(transaction=True)``, the race tests on PostgreSQL) ends by
    flushing every table, seeded rows included, so the tests that run after it would find no
    games. Re-running the migration's own seeding function (it skips existing games) restores
    the catalogue exactly as a fresh database has it.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    seeding = importlib.import_module("deltacrown.apps.games.migrations.0002_seed_games")
    seeding.seed(apps, None)
