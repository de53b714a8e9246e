"""Developer tooling: run a command against private, throwaway PostgreSQL and Redis servers.

    python scripts/with_services.py [--timeout SECONDS] -- <command> [args...]

Used by ``make test-services``. Starts a PostgreSQL cluster (initdb in a temporary directory,
loopback only, durability switched off for speed) and a redis-server (no persistence, loopback
only), each on a free port, creates the ``deltacrown`` database, and runs the command with
DATABASE_URL and REDIS_URL pointing at them. Whatever happens (the command fails, Ctrl-C,
SIGTERM), both servers are stopped and the temporary directory removed. The exit status is the
command's own, unchanged (pytest's 5, "no tests collected", stays 5); 125 means the services
could not be started, 127 that the command was not found.

Missing binaries are installed from Debian's packages (``postgresql``, ``redis-server``) with
apt-get. As root, PostgreSQL runs as the ``postgres`` system user, which it requires.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import IO

EXIT_SERVICES_FAILED = 125
EXIT_COMMAND_NOT_FOUND = 127
DATABASE_NAME = "deltacrown"
PREFERRED_PG_BINDIR = "/usr/lib/postgresql/15/bin"
# No locale: the cluster behaves the same on every machine, whatever locales it has installed.
INITDB_OPTIONS = ("--encoding=UTF8", "--no-locale", "--no-sync")


def say(message: str) -> None:
    print(f"[with_services] {message}", file=sys.stderr, flush=True)


class StartupError(RuntimeError):
    """A server could not be installed or started; ``log`` is the file holding its output."""

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log


# --- Finding and installing the servers -------------------------------------------------------


def _pg_bindir() -> Path | None:
    candidates = [os.environ.get("PG_BINDIR", ""), PREFERRED_PG_BINDIR]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("postgres")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "postgres").is_file():
            return Path(candidate)
    return None


def _redis_server() -> Path | None:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    return Path(found) if found else None


def _apt_install(packages: list[str]) -> None:
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise StartupError(
                f"{', '.join(packages)} missing; install them with: "
                f"apt-get install {' '.join(packages)}"
            )
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"installing {' '.join(packages)} with apt-get")
    for command in (
        [*prefix, "apt-get", "update", "-q"],
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
    ):
        if subprocess.run(command, env=env, check=False).returncode != 0:
            raise StartupError(f"`{' '.join(command)}` failed")


def ensure_binaries() -> tuple[Path, Path]:
    """The PostgreSQL bin directory and the redis-server binary, installing what is missing."""
    missing = []
    if _pg_bindir() is None:
        missing.append("postgresql")
    if _redis_server() is None:
        missing.append("redis-server")
    if missing:
        _apt_install(missing)
    pg_bindir, redis_server = _pg_bindir(), _redis_server()
    if pg_bindir is None or redis_server is None:
        raise StartupError("PostgreSQL or redis-server is still missing after apt-get install")
    return pg_bindir, redis_server


# --- Processes --------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path | None, lines: int = 60) -> str:
    if path is None or not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) or "(empty log)"


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    *,
    what: str,
    timeout: float,
    log: Path,
) -> None:
    """Poll ``ready`` until it holds; fail early if ``process`` exits, or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"{what} exited during start-up (status {process.returncode})", log)
        if ready():
            return
        time.sleep(0.1)
    raise StartupError(f"{what} was not ready within {timeout:.0f}s", log)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes] | None, sig: int, what: str, grace: float) -> None:
    """Send ``sig`` and wait; kill the process's whole group if it outlives ``grace``."""
    if process is None or process.poll() is not None:
        return
    try:
        process.send_signal(sig)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        say(f"{what} did not stop within {grace:.0f}s; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Services:
    """A private PostgreSQL and Redis living in one temporary directory."""

    def __init__(self, pg_bindir: Path, redis_server: Path, timeout: float) -> None:
        self.pg_bindir = pg_bindir
        self.redis_server = redis_server
        self.timeout = timeout
        self.base = Path(tempfile.mkdtemp(prefix="deltacrown-services-"))
        self.as_root = os.geteuid() == 0
        self.postgres: subprocess.Popen[bytes] | None = None
        self.redis: subprocess.Popen[bytes] | None = None
        self.pg_port = 0
        self.redis_port = 0
        self._logs: list[IO[bytes]] = []

    # PostgreSQL refuses to run as root, so as root its commands run as the postgres user.
    def _pg(self, tool: str, *args: str) -> list[str]:
        command = [str(self.pg_bindir / tool), *args]
        if self.as_root:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _log(self, name: str) -> tuple[Path, IO[bytes]]:
        path = self.base / name
        handle = path.open("wb")
        self._logs.append(handle)
        return path, handle

    def start_postgres(self) -> None:
        pg_root = self.base / "postgres"
        data, sockets = pg_root / "data", pg_root / "sockets"
        sockets.mkdir(parents=True)
        if self.as_root:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise StartupError("running as root needs a `postgres` system user") from exc
            self.base.chmod(0o711)  # the postgres user must reach its own directory inside
            for path in (pg_root, sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
        log_path, log = self._log("postgres.log")
        initdb = self._pg(
            "initdb", f"--pgdata={data}", "--username=postgres", "--auth=trust", *INITDB_OPTIONS
        )
        if subprocess.run(initdb, cwd=pg_root, stdout=log, stderr=log, check=False).returncode:
            raise StartupError("initdb failed", log_path)

        self.pg_port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.pg_port),
            "unix_socket_directories": str(sockets),
            # Throwaway data: durability buys nothing and costs most of a test run's time.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "wal_level": "minimal",
            "max_wal_senders": "0",
            "max_connections": "200",
            "log_min_messages": "warning",
        }
        options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        self.postgres = subprocess.Popen(
            self._pg("postgres", "-D", str(data), *options),
            cwd=pg_root,
            stdout=log,
            stderr=log,
            start_new_session=True,  # Ctrl-C reaches the command, not the server under it
        )
        address = ["--host=127.0.0.1", f"--port={self.pg_port}", "--username=postgres"]
        pg_isready = [str(self.pg_bindir / "pg_isready"), "--quiet", "--timeout=1", *address]
        wait_until(
            lambda: subprocess.run(pg_isready, check=False).returncode == 0,
            self.postgres,
            what="PostgreSQL",
            timeout=self.timeout,
            log=log_path,
        )
        createdb = [str(self.pg_bindir / "createdb"), *address, DATABASE_NAME]
        if subprocess.run(createdb, stdout=log, stderr=log, check=False).returncode:
            raise StartupError(f"createdb {DATABASE_NAME} failed", log_path)

    def start_redis(self) -> None:
        data = self.base / "redis"
        data.mkdir()
        log_path, log = self._log("redis.log")
        self.redis_port = free_port()
        settings = {
            "port": str(self.redis_port),
            "bind": "127.0.0.1",
            "protected-mode": "yes",
            # Throwaway data: no snapshots, no append-only file.
            "save": "",
            "appendonly": "no",
            "dir": str(data),
            "daemonize": "no",
        }
        options = [arg for key, value in settings.items() for arg in (f"--{key}", value)]
        self.redis = subprocess.Popen(
            [str(self.redis_server), *options],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        wait_until(
            lambda: _redis_answers(self.redis_port),
            self.redis,
            what="Redis",
            timeout=self.timeout,
            log=log_path,
        )

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/{DATABASE_NAME}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def start(self) -> None:
        say(f"working directory {self.base}")
        self.start_postgres()
        say(f"PostgreSQL ({self.pg_bindir}) ready: {self.database_url}")
        self.start_redis()
        say(f"Redis ({self.redis_server}) ready: {self.redis_url}")

    def stop(self) -> None:
        """Stop both servers and remove the directory; safe to call in any state."""
        # Redis shuts down on SIGTERM, PostgreSQL fast (rolling back open sessions) on SIGINT.
        _stop(self.redis, signal.SIGTERM, "Redis", grace=10)
        if self.postgres is not None and self.postgres.poll() is None:
            # The postmaster's pid heads postmaster.pid; signalling it directly skips runuser,
            # which would otherwise escalate to SIGKILL after two seconds.
            pid_file = self.base / "postgres" / "data" / "postmaster.pid"
            try:
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
                self.postgres.wait(timeout=30)
            except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
                _stop(self.postgres, signal.SIGINT, "PostgreSQL", grace=10)
        for handle in self._logs:
            handle.close()
        shutil.rmtree(self.base, ignore_errors=True)
        say("services stopped, working directory removed")


# --- Running the command ----------------------------------------------------------------------


class Terminated(Exception):
    """The runner itself received SIGTERM or SIGHUP before the command started."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run ``command`` to completion and return its exit status in shell convention."""
    try:
        child = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        say(f"command not found: {command[0]}")
        return EXIT_COMMAND_NOT_FOUND
    except PermissionError:
        say(f"command not executable: {command[0]}")
        return 126

    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    # Ctrl-C already reaches the command through the terminal's process group: the runner only
    # waits for it to finish. SIGTERM and SIGHUP, sent to the runner alone, are passed on.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGHUP, forward)
    status = child.wait()
    return status if status >= 0 else 128 - status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a command against private PostgreSQL and Redis servers.",
        usage="%(prog)s [--timeout SECONDS] -- command [args...]",
    )
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds each server may take to start"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run is required after --")

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.getsignal(signum) for signum in handled}
    signal.signal(signal.SIGTERM, _raise_terminated)
    signal.signal(signal.SIGHUP, _raise_terminated)
    services: Services | None = None
    try:
        pg_bindir, redis_server = ensure_binaries()
        services = Services(pg_bindir, redis_server, args.timeout)
        services.start()
        env = {**os.environ, "DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url}
        say(f"running: {' '.join(command)}")
        status = run_command(command, env)
        say(f"command exited with status {status}")
        return status
    except StartupError as exc:
        say(f"could not start the services: {exc}")
        if exc.log is not None:
            say(f"last lines of {exc.log.name}:\n{_tail(exc.log)}")
        return EXIT_SERVICES_FAILED
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Terminated as exc:
        say("terminated")
        return 128 + exc.signum
    finally:
        # Nothing may interrupt the clean-up: a second Ctrl-C would leave servers running.
        for signum in handled:
            signal.signal(signum, signal.SIG_IGN)
        try:
            if services is not None:
                services.stop()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
