"""docs/errors.md lists every problem code the platform can answer with."""

from __future__ import annotations

import re
from pathlib import Path

import deltacrown.kernel.ninja as api_wiring

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "src" / "deltacrown" / "kernel", ROOT / "src" / "deltacrown" / "apps"]
CODE = re.compile(r"""\bcode\s*=\s*["']([a-z][a-z0-9_]*)["']""")


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for base in SOURCES:
        for path in base.rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            codes.update(CODE.findall(path.read_text()))
    codes.update(api_wiring._HTTP_ERROR_CODES.values())
    return codes


def test_every_problem_code_is_in_the_catalogue():
    catalogue = (ROOT / "docs" / "errors.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", catalogue, flags=re.MULTILINE))
    found = _codes_in_source()
    assert len(found) > 30  # the scan itself works
    assert sorted(found - documented) == []


def test_catalogue_names_no_code_the_platform_never_uses():
    catalogue = (ROOT / "docs" / "errors.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", catalogue, flags=re.MULTILINE))
    assert sorted(documented - _codes_in_source()) == []
