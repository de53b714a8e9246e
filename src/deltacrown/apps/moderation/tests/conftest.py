"""Moderation test wiring: every test starts and ends with an empty sanction cache, and evidence
files go to a throwaway directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deltacrown.apps.moderation import sanction_cache


@pytest.fixture(autouse=True)
def _empty_sanction_cache() -> Iterator[None]:
    # Ids are reused after a test's transaction rolls back: an entry cached for user 7 in one
    # test must not describe another test's user 7.
    sanction_cache.clear()
    yield
    sanction_cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
