"""End-to-end, HTTP: README's walkthrough (scripts/walkthrough.sh) against a real server.

Starts ``deltacrown serve`` on the embedded defaults (SQLite, in-process tasks) in a throwaway
var/ directory, runs the curl walkthrough against it — a 16-team Valorant tournament filled
through the waitlist, paid, checked in, drawn at random and played to a champion, one result
disputed on the way — and then checks what it left behind: the registrations, the final
placements, the tournament's event log, and that every hash chain still verifies.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "walkthrough.sh"
# The platform's own processes, not the test suite's: they read everything from the environment.
DROPPED_ENV = ("DATABASE_URL", "REDIS_URL", "SQLITE_TEST_NAME", "DJANGO_SETTINGS_MODULE")
PARTICIPANT = re.compile(
    r"^\s*(?P<seed>\d+)\. (?P<name>.+) \(team (?P<team>\d+), registration (?P<registration>\d+)\)"
    r"(?P<promoted> - promoted from the waitlist)?$"
)
PODIUM = re.compile(r"^  (?P<place>\d)\. (?P<name>.+) \(participant (?P<participant>\d+)\)$")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _platform_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(
        DELTACROWN_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="deltacrown.config.settings",
        LOG_LEVEL="WARNING",
        # The walkthrough signs up about 90 accounts from one address.
        SIGNUP_RATE_PER_IP="1000/hour",
    )
    return env


def _deltacrown(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deltacrown", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    pytest.fail(f"the server did not become ready within 60 s:\n{log.read_text()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A migrated, empty platform served on a free loopback port: (base URL, its environment)."""
    env = _platform_env(tmp_path / "var")
    migrated = _deltacrown(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "deltacrown", "serve", "--host", "127.0.0.1", f"--port={port}"],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, process, log)
        yield base, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def test_walkthrough_takes_a_team_tournament_from_sign_up_through_a_dispute_to_a_champion(
    server,
):
    base, env = server
    curl = shutil.which("curl")
    if curl is None:
        pytest.fail("curl is not installed: the README walkthrough needs curl (apt install curl)")
    run_id = secrets.token_hex(3)

    walk = subprocess.run(
        ["bash", str(SCRIPT)],
        env={**env, "BASE": base, "RUN_ID": run_id},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=420,
    )
    assert walk.returncode == 0, f"{walk.stdout}\n{walk.stderr}"

    lines = walk.stdout.splitlines()
    participants = [match for line in lines if (match := PARTICIPANT.match(line))]
    assert [int(p["seed"]) for p in participants] == list(range(1, 17))
    assert len({p["team"] for p in participants}) == 16
    names = [p["name"] for p in participants]
    # Teams 3 and 7 withdrew; 17 and 18 came in from the waitlist, last by arrival.
    assert names == [f"Walkthrough {run_id} {n:02d}" for n in range(1, 19) if n not in (3, 7)]
    assert [p["name"] for p in participants if p["promoted"]] == [
        f"Walkthrough {run_id} 17",
        f"Walkthrough {run_id} 18",
    ]
    assert "16 teams checked in" in lines
    first_round = [
        line for line in lines if re.match(r"^\s+W1\.\d+  .+ vs .+ \(best of 3\)$", line)
    ]
    assert len(first_round) == 8
    assert any(re.match(r"^\s+W1\.\d+  disputed: ", line) for line in lines)
    assert any(re.match(r"^\s+W1\.\d+  the organizer ruled for ", line) for line in lines)
    champion_lines = [line for line in lines if line.startswith("Champion: ")]
    assert len(champion_lines) == 1
    champion_name = champion_lines[0].removeprefix("Champion: ")
    podium = [match for line in lines if (match := PODIUM.match(line))]
    assert [int(p["place"]) for p in podium] == [1, 2, 3, 4]
    assert podium[0]["name"] == champion_name
    assert {p["name"] for p in podium} <= set(names)
    tournament_line = lines[-1]
    assert tournament_line.startswith("tournament id: ")
    tournament_id = int(tournament_line.removeprefix("tournament id: "))

    # What the organizer sees through the API afterwards.
    api = f"{base}/api/v1"
    signed_in = httpx.post(
        f"{api}/auth/token",
        json={"username": f"wt{run_id}_organizer", "password": f"walkthrough-passphrase-{run_id}"},
    )
    assert signed_in.status_code == 200, signed_in.text
    organizer = _auth(signed_in.json()["access_token"])
    tournament = httpx.get(f"{api}/tournaments/{tournament_id}", headers=organizer)
    assert tournament.status_code == 200, tournament.text
    assert tournament.json()["status"] == "completed"
    page = httpx.get(
        f"{api}/tournaments/{tournament_id}/registrations?limit=100", headers=organizer
    )
    assert page.status_code == 200, page.text
    registrations = page.json()["items"]
    assert Counter(item["state"] for item in registrations) == {"confirmed": 16, "cancelled": 2}
    confirmed = [item for item in registrations if item["state"] == "confirmed"]
    assert all(item["checked_in"] for item in confirmed)
    assert all(item["payment"]["state"] == "verified" for item in confirmed)
    assert sum(item["promoted_at"] is not None for item in confirmed) == 2

    # The final placements, as anyone reads them: single elimination with a third-place match
    # ranks 1 to 4, then the quarter-final losers share 5th and the first-round losers 9th.
    results = httpx.get(f"{api}/tournaments/{tournament_id}/results")
    assert results.status_code == 200, results.text
    final = results.json()
    assert final["completed_at"] is not None
    assert final["requires_review"] is False
    placements = final["placements"]
    assert [item["place"] for item in placements] == [1, 2, 3, 4] + [5] * 4 + [9] * 8
    assert placements[0]["name"] == champion_name
    assert [
        (item["place"], item["name"], str(item["participant_id"])) for item in placements[:4]
    ] == [(int(p["place"]), p["name"], p["participant"]) for p in podium]
    assert sorted(item["name"] for item in placements) == sorted(names)

    # The tournament's event log, read through the kernel's event API in the server's database.
    read = _deltacrown(
        env,
        "shell",
        "-c",
        "import json; from deltacrown.kernel import events; "
        f"print(json.dumps([[e.name, e.data] for e in events.events_after("
        f"'tournament:{tournament_id}', 0)]))",
    )
    assert read.returncode == 0, read.stderr
    log = json.loads(read.stdout.strip().splitlines()[-1])
    counts = Counter(name for name, _ in log)
    assert counts["registration.created"] == 18
    assert counts["registration.cancelled"] == 2
    assert counts["registration.promoted"] == 2
    assert counts["payment.verified"] == 16
    assert counts["checkin.checked_in"] == 16
    assert counts["registration.dropped"] == 0
    closed = [data for name, data in log if name == "checkin.closed"]
    assert len(closed) == 1
    assert closed[0]["checked_in"] == 16
    assert closed[0]["dropped"] == 0
    promoted = [data for name, data in log if name == "registration.promoted"]
    assert all(data["at_close"] is False for data in promoted)
    assert counts["stage.generated"] == 1
    generated = next(data for name, data in log if name == "stage.generated")
    assert generated["rng_seed"] == 2026
    assert generated["participant_count"] == 16
    # 8 + 4 + 2 matches, the final and the third-place match (the stage plan asks for one).
    assert counts["match.completed"] == 16
    assert counts["match.disputed"] == 1
    resolved = [data for name, data in log if name == "dispute.resolved"]
    assert [data["resolution"] for data in resolved] == ["result"]
    # The disputed match stands as the organizer ruled: the side in slot 1 won 2-1, and the
    # dispute's thread kept the screenshot.
    disputed = next(data for name, data in log if name == "match.disputed")
    match = httpx.get(f"{api}/matches/{disputed['match_id']}").json()
    assert match["status"] == "completed"
    assert match["scores"] == [1, 2]
    assert match["winner_id"] == match["slots"][1]["participant_id"] == disputed["participant_id"]
    dispute = httpx.get(f"{api}/disputes/{disputed['dispute_id']}", headers=organizer)
    assert dispute.status_code == 200, dispute.text
    assert dispute.json()["status"] == "resolved"
    assert [(c["role"], c["has_evidence"]) for c in dispute.json()["comments"]] == [
        ("participant", True)
    ]
    assert counts["tournament.completed"] == 1
    completed = next(data for name, data in log if name == "tournament.completed")
    assert [item["place"] for item in completed["placements"]][:4] == [1, 2, 3, 4]
    # The tournament was completed last, after the final's result.
    assert log[-1][0] == "tournament.completed"

    integrity = _deltacrown(env, "verify-integrity")
    assert integrity.returncode == 0, f"{integrity.stdout}\n{integrity.stderr}"
