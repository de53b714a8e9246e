"""The ``deltacrown`` command line: help, aliases, and the commands a newcomer runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deltacrown import cli

KEEP = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k in KEEP}
    env["DELTACROWN_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "deltacrown.config.settings"
    return subprocess.run(
        [sys.executable, "-m", "deltacrown", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_help_lists_the_operator_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "worker", "migrate", "demo", "createadmin", "checkpoint"):
        assert f"  {command}" in out
    assert "verify-integrity" in out
    assert "bracket" in out


def test_verify_integrity_is_an_alias_of_the_management_command(monkeypatch):
    seen = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.append(argv)
    )
    cli.main(["verify-integrity", "--json"])
    assert seen == [["deltacrown", "verify_integrity", "--json"]]


@pytest.mark.parametrize("command", ["serve", "worker", "createadmin", "checkpoint", "demo"])
def test_every_listed_command_exists(tmp_path, command):
    out = _run(tmp_path, command, "--help")
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout


def test_migrate_creates_the_sqlite_database_under_var(tmp_path):
    out = _run(tmp_path, "migrate", "--no-input")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "var" / "deltacrown.sqlite3").exists()
    again = _run(tmp_path, "migrate", "--no-input")
    assert again.returncode == 0
    assert "No migrations to apply" in again.stdout


def test_worker_passes_its_options_to_the_consumer(monkeypatch):
    from django.core.management import call_command

    from deltacrown.kernel.management.commands import worker

    calls = []
    monkeypatch.setattr(worker, "call_command", lambda *a, **kw: calls.append((a, kw)))
    call_command("worker", "--workers", "3", "--no-periodic")
    call_command("worker")
    assert calls == [
        (("run_huey",), {"workers": 3, "worker_type": "thread", "periodic": False}),
        (("run_huey",), {"workers": 2, "worker_type": "thread", "periodic": True}),
    ]


def test_bracket_runs_the_engine_without_a_database(tmp_path):
    import json

    out = _run(tmp_path, "bracket", "--format", "double_elimination", "--participants", "6")
    assert out.returncode == 0, out.stderr
    assert "losers" in out.stdout
    simulated = _run(
        tmp_path,
        "bracket",
        "--format=single_elimination",
        "--participants=5",
        "--simulate",
        "--json",
        "--rng-seed=7",
    )
    result = json.loads(simulated.stdout)
    assert len([m for m in result["matches"] if not m["bye"]]) == 4  # N - 1 games played
    assert sorted(row["participant"] for row in result["standings"]) == [1, 2, 3, 4, 5]
    assert not (tmp_path / "var").exists()  # the engine never touched Django or the database
