"""Every environment variable the platform reads is documented, in README.md and in full."""

from __future__ import annotations

import re
from pathlib import Path

from deltacrown.kernel import flags

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(
    r"""(?:env_(?:str|bool|int|list)\(|os\.environ\.get\(|os\.environ\[)\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "deltacrown").rglob("*.py"):
        if "tests" in path.parts or path.name == "test_settings.py":
            continue  # the test suite's own knobs are not platform configuration
        names.update(READS.findall(path.read_text()))
    names.update(f"FLAG_{state.name}" for state in flags.all())
    return names


def _documented(path: Path) -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", path.read_text(), flags=re.MULTILINE))


def test_every_variable_is_in_the_readme_and_the_configuration_reference():
    read = _variables_read()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FLAG_SIGNUP_ENABLED"} <= read
    assert sorted(read - _documented(ROOT / "README.md")) == []
    assert sorted(read - _documented(ROOT / "docs" / "configuration.md")) == []
