"""Browser tests: a real ``deltacrown serve`` with the demo, driven by Debian's chromium.

The server runs on the embedded defaults (SQLite, in-process channel layer and task queue) in
a throwaway var/ directory, with the demo seeded and its self-playing cup switched off
(``DEMO_LIVE=0``) so that every change the tests see is one they made. Chromium is Debian's
(``/usr/bin/chromium``, installed by ``make test-browser``), started by Playwright with the
flags below; Playwright's own browser downloads are never used.

Screenshots go to ``var/screenshots/`` (``make screenshots`` copies the README's to
``docs/screenshots/``). Every page is checked with axe-core (shipped by the pinned
``axe-playwright-python`` package) against WCAG 2.1 A and AA.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import axe_playwright_python
import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[6]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PLAYER_PASSWORD = "demo-player-pass-1"
ADMIN = ("admin", "deltacrown-admin")
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """The running platform: its base URL and API helpers for what the tests set up."""

    base: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str, password: str = PLAYER_PASSWORD) -> str:
        if username not in self.tokens:
            response = httpx.post(
                f"{self.base}/api/v1/auth/token",
                json={"username": username, "password": password},
            )
            response.raise_for_status()
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def api(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> Any:
        headers = {}
        if user is not None:
            password = ADMIN[1] if user == ADMIN[0] else PLAYER_PASSWORD
            headers["Authorization"] = f"Bearer {self.token(user, password)}"
        response = httpx.request(method, f"{self.base}/api/v1{path}", headers=headers, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


def _environment(var: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "deltacrown.config.settings",
            "DELTACROWN_VAR_DIR": str(var),
            "DEMO_LIVE": "0",
            "LOG_LEVEL": "WARNING",
            # The tests sign in a dozen times from one address within a minute.
            "LOGIN_RATE_PER_IP": "1000/minute",
            "LOGIN_RATE_PER_ACCOUNT": "100/minute",
            "REALTIME_CONNECTIONS_PER_IP": "100",
        }
    )
    return env


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """``deltacrown serve`` with the demo, on a free loopback port, for the whole session."""
    var = Path(tempfile.mkdtemp(prefix="deltacrown-browser-"))
    env = _environment(var)
    deltacrown = str(BIN / "deltacrown")
    subprocess.run([deltacrown, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [deltacrown, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    port = _free_port()
    log = (var / "serve.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [deltacrown, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (var / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        yield Server(base=base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Pages:
    """Browser contexts (desktop or mobile, light or dark) opened by one test, closed after."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []

    def open(
        self,
        path: str,
        *,
        viewport: dict[str, int] = DESKTOP,
        scheme: str = "light",
        context: BrowserContext | None = None,
        poll_ms: int | None = None,
    ) -> Page:
        if context is None:
            context = self.browser.new_context(
                viewport=viewport, color_scheme=scheme, base_url=self.server.base
            )
            self.contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.page_errors = errors  # type: ignore[attr-defined]
        if poll_ms is not None:
            page.add_init_script(f"window.dcPollMs = {int(poll_ms)};")
        page.goto(path)
        return page

    def sign_in(self, username: str, *, viewport: dict[str, int] = DESKTOP) -> Page:
        """A new context signed in through the sign-in page, as a player does it."""
        page = self.open("/signin/?next=/me/matches/", viewport=viewport)
        page.get_by_label("Username or email").fill(username)
        page.get_by_label("Password").fill(PLAYER_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/me/matches/")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, server: Server) -> Iterator[Pages]:
    opened = Pages(browser, server)
    yield opened
    opened.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``var/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
    ]
