"""scripts/with_services.py: private PostgreSQL and Redis around a command, always cleaned up."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent
RUNNER = [sys.executable, str(ROOT / "scripts" / "with_services.py")]

PROBE = """
import os, sys
import psycopg, redis
with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
    assert conn.execute("SELECT 1").fetchone() == (1,)
    assert conn.execute("SHOW fsync").fetchone() == ("off",)
assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
print("URLS", os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
sys.exit(int(sys.argv[1]))
"""


def _workdir(stderr: str) -> Path:
    match = re.search(r"working directory (\S+)", stderr)
    assert match, stderr
    return Path(match.group(1))


def _refuses(url: str) -> bool:
    host, port = re.search(r"//(?:\w+@)?([\d.]+):(\d+)", url).groups()
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return True
    return False


def _run(*command: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RUNNER, "--", *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize("status", [0, 5])
def test_command_reaches_both_servers_and_its_status_is_passed_through(status):
    result = _run(sys.executable, "-c", PROBE, str(status))

    assert result.returncode == status, result.stderr
    _, database_url, redis_url = result.stdout.split()
    assert database_url.startswith("postgres://postgres@127.0.0.1:")
    assert database_url.endswith("/deltacrown")
    assert redis_url.startswith("redis://127.0.0.1:")
    assert not _workdir(result.stderr).exists()
    assert _refuses(database_url)
    assert _refuses(redis_url)


def test_missing_command_is_reported_and_services_are_cleaned_up():
    result = _run("no-such-command-anywhere")

    assert result.returncode == 127
    assert "command not found" in result.stderr
    assert not _workdir(result.stderr).exists()


def test_sigterm_stops_the_command_and_both_servers(tmp_path):
    urls_file = tmp_path / "urls"
    waiter = (
        "import os, sys, time\n"
        "open(sys.argv[1], 'w').write(os.environ['DATABASE_URL'] + ' ' + os.environ['REDIS_URL'])\n"
        "time.sleep(120)\n"
    )
    runner = subprocess.Popen(
        [*RUNNER, "--", sys.executable, "-c", waiter, str(urls_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (urls_file.exists() and urls_file.read_text()) and time.monotonic() < deadline:
        assert runner.poll() is None, runner.communicate()[1]
        time.sleep(0.1)

    runner.send_signal(signal.SIGTERM)
    _, stderr = runner.communicate(timeout=60)

    assert runner.returncode == 128 + signal.SIGTERM
    database_url, redis_url = urls_file.read_text().split()
    assert _refuses(database_url)
    assert _refuses(redis_url)
    assert not _workdir(stderr).exists()


def test_server_start_up_failure_shows_its_log_and_runs_nothing():
    # Stand-in binaries that behave like a PostgreSQL whose server dies at start-up. The
    # directory is world-readable because, as root, they run as the postgres user.
    fake = Path(tempfile.mkdtemp(prefix="fake-pg-"))
    try:
        fake.chmod(0o755)
        scripts = {
            "initdb": "#!/bin/sh\nexit 0\n",
            "postgres": "#!/bin/sh\necho 'FATAL:  could not map anonymous shared memory'\nexit 1\n",
            "pg_isready": "#!/bin/sh\nexit 2\n",
            "createdb": "#!/bin/sh\nexit 0\n",
        }
        for name, body in scripts.items():
            path = fake / name
            path.write_text(body)
            path.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        marker = fake / "command-ran"

        result = subprocess.run(
            [*RUNNER, "--timeout", "20", "--", "touch", str(marker)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "PG_BINDIR": str(fake)},
        )

        assert result.returncode == 125
        assert "PostgreSQL exited during start-up" in result.stderr
        assert "could not map anonymous shared memory" in result.stderr
        assert not marker.exists()
        assert not _workdir(result.stderr).exists()
    finally:
        for path in fake.iterdir():
            path.unlink()
        fake.rmdir()
