"""The pages in a real browser: look, accessibility, keyboard, and live updates end to end.

Players sign in through the sign-in page, check in and report results with the pages' own
buttons (which call the REST API); pages opened by others update without reloading, from the
tournament's and the match's WebSocket streams, and by polling when there is no stream.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from deltacrown.apps.web.tests.browser.conftest import (
    ADMIN,
    DESKTOP,
    MOBILE,
    Pages,
    Server,
    axe_violations,
    screenshot,
)

pytestmark = pytest.mark.browser

LIVE_CUP = "efootball-sprint-cup"
CHECKING_IN = "efootball-night-cup"
JS_BUDGET = 150 * 1024
UPDATE_TIMEOUT = 10_000  # ms: a live update normally shows within a second


def _tournament(server: Server, slug: str) -> dict[str, Any]:
    return server.api("GET", f"/tournaments/by-slug/{slug}")


def _usernames(server: Server) -> dict[int, str]:
    """Demo player ids to usernames (the demo's players sign in to say who they are)."""
    names = [
        "aurora", "blitz", "cobra", "drift", "ember", "falcon", "glacier", "havoc",
        "ion", "jinx", "kestrel", "lumen", "mirage", "nova", "onyx", "pulse",
    ]  # fmt: skip
    return {server.api("GET", "/me", user=name)["id"]: name for name in names}


def _player_of(server: Server, tournament_id: int) -> dict[int, str]:
    """Participant id to the username of the player who acts for it."""
    users = _usernames(server)
    participants = server.api("GET", f"/tournaments/{tournament_id}/participants")
    return {p["id"]: users[p["user_id"]] for p in participants}


# --- look and accessibility ---------------------------------------------------------------------


def _first_match(server: Server) -> int:
    cup = _tournament(server, LIVE_CUP)
    page = server.api("GET", f"/tournaments/{cup['id']}/matches?status=live")
    return page["items"][0]["id"]


def _script_sizes(page: Page) -> list[int]:
    """The sizes of the scripts the page loads, as they arrive."""
    sizes: list[int] = []

    def count(response: Any) -> None:
        if response.request.resource_type == "script":
            sizes.append(len(response.body()))

    page.on("response", count)
    return sizes


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", "/"),
        ("tournament", f"/tournaments/{CHECKING_IN}/"),
        ("participants", f"/tournaments/{CHECKING_IN}/participants/"),
        ("bracket", f"/tournaments/{LIVE_CUP}/bracket/"),
        ("standings", f"/tournaments/{LIVE_CUP}/standings/"),
        ("matches", f"/tournaments/{LIVE_CUP}/matches/"),
        ("match", "MATCH"),
        ("signin", "/signin/"),
        ("signup", "/signup/"),
    ],
)
def test_pages_are_accessible_and_light_at_both_widths_in_both_themes(
    pages: Pages, server: Server, name: str, path: str
):
    if path == "MATCH":
        path = f"/matches/{_first_match(server)}/"
    for width, viewport, scheme in (("desktop", DESKTOP, "light"), ("mobile", MOBILE, "dark")):
        page = pages.open("about:blank", viewport=viewport, scheme=scheme)
        scripts = _script_sizes(page)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"{name}-{width}")
        assert axe_violations(page) == [], f"{name} ({width}, {scheme})"
        assert sum(scripts) <= JS_BUDGET, f"{name}: {sum(scripts)} bytes of JavaScript"
        for landmark in ("banner", "main", "contentinfo"):
            expect(page.get_by_role(landmark)).to_have_count(1)
        # Nothing is wider than the screen: mobile readers never scroll sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} ({width}) is {overflow}px too wide"
        assert page.page_errors == []  # type: ignore[attr-defined]


def test_keyboard_users_skip_to_the_content_and_reach_the_tabs(pages: Pages):
    page = pages.open(f"/tournaments/{LIVE_CUP}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Bracket":
            break
    else:
        pytest.fail("the Bracket tab cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tournaments/{LIVE_CUP}/bracket/")
    expect(page.get_by_role("heading", name="Winners bracket")).to_be_visible()


def test_searching_the_directory_updates_the_list_as_one_types(pages: Pages):
    page = pages.open("/")
    directory = page.locator("#directory")
    expect(directory.get_by_role("heading", name="eFootball Sprint Cup")).to_be_visible()
    page.get_by_label("Search").fill("valorant")
    expect(directory.get_by_role("heading", name="eFootball Sprint Cup")).to_have_count(0)
    expect(directory.get_by_role("heading", name="DeltaCrown Valorant Open")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=valorant"))
    page.get_by_label("Status").select_option("check_in")
    expect(directory.get_by_role("heading", name="Check in tournaments")).to_be_visible()
    assert page.page_errors == []  # type: ignore[attr-defined]


def test_the_theme_switch_is_remembered(pages: Pages):
    page = pages.open("/", scheme="light")
    toggle = page.get_by_role("button", name="Dark mode")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("button", name="Dark mode")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-dark-desktop")


# --- players act, other pages follow ------------------------------------------------------------


def _waiting_to_check_in(server: Server) -> tuple[int, str]:
    """A registration of the checking-in cup that has not checked in, and its player."""
    cup = _tournament(server, CHECKING_IN)
    items = server.api("GET", f"/tournaments/{cup['id']}/registrations?limit=100", user=ADMIN[0])[
        "items"
    ]
    waiting = next(r for r in items if r["state"] == "confirmed" and not r["checked_in"])
    return waiting["id"], _usernames(server)[waiting["user_id"]]


def test_a_player_checks_in_and_an_open_participants_page_follows_live(
    pages: Pages, server: Server
):
    registration_id, username = _waiting_to_check_in(server)
    spectator = pages.open(f"/tournaments/{CHECKING_IN}/participants/")
    expect(spectator.locator("#conn")).to_have_text("Live")
    checked_before = spectator.get_by_role("cell", name="Checked in", exact=True).count()

    player = pages.sign_in(username)
    expect(player.get_by_role("heading", name="Check in")).to_be_visible()
    player.get_by_role("button", name="Check in", exact=True).click()
    expect(player.locator(".badge", has_text="Checked in")).to_be_visible()
    screenshot(player, "my-matches-desktop")

    expect(spectator.get_by_role("cell", name="Checked in", exact=True)).to_have_count(
        checked_before + 1, timeout=UPDATE_TIMEOUT
    )
    assert spectator.page_errors == []  # type: ignore[attr-defined]
    # The player's own tournament page says so too, with their row marked.
    own = pages.open(f"/tournaments/{CHECKING_IN}/participants/", context=player.context)
    expect(own.get_by_text("You are checked in")).to_be_visible()
    registration = server.api("GET", f"/registrations/{registration_id}", user=ADMIN[0])
    assert registration["checked_in"] is True


def test_a_reported_and_confirmed_result_updates_the_open_bracket_and_match_pages(
    pages: Pages, server: Server
):
    cup = _tournament(server, LIVE_CUP)
    match = server.api("GET", f"/tournaments/{cup['id']}/matches?status=ready")["items"][0]
    players = _player_of(server, cup["id"])
    home, away = (players[slot["participant_id"]] for slot in match["slots"])
    winner = match["slots"][0]["name"]

    bracket = pages.open(f"/tournaments/{LIVE_CUP}/bracket/")
    expect(bracket.locator("#conn")).to_have_text("Live")
    card = bracket.locator(f'.bm[data-m="{match["id"]}"]')
    expect(card).to_have_class(re.compile(r"\bst-ready\b"))
    watching = pages.open(f"/matches/{match['id']}/", viewport=MOBILE)
    expect(watching.locator("#conn")).to_have_text("Live")

    reporter = pages.sign_in(home)
    expect(reporter.get_by_role("heading", name="Next match")).to_be_visible()
    reporter.get_by_label(match["slots"][0]["name"], exact=True).fill("2")
    reporter.get_by_label(match["slots"][1]["name"], exact=True).fill("0")
    reporter.get_by_role("button", name="Report result").click()
    expect(reporter.get_by_text("You reported the result")).to_be_visible()
    expect(card).to_have_class(re.compile(r"\bst-pending_result\b"), timeout=UPDATE_TIMEOUT)

    confirmer = pages.sign_in(away, viewport=MOBILE)
    confirmer.get_by_role("button", name="Confirm result").click()
    expect(confirmer.get_by_role("button", name="Confirm result")).to_have_count(0)
    recent = confirmer.get_by_role("region", name="Recent results")
    played = re.compile(rf"Match {match['key']}: .*completed")
    expect(recent.get_by_role("link", name=played)).to_be_visible()

    expect(card).to_have_class(re.compile(r"\bst-completed\b"), timeout=UPDATE_TIMEOUT)
    expect(card.locator(".bm-win .bm-name")).to_have_text(winner)
    expect(watching.locator(".scoreboard [data-s='0']")).to_have_text("2", timeout=UPDATE_TIMEOUT)
    expect(watching.get_by_text(f"Result confirmed 2\N{EN DASH}0: {winner} wins")).to_be_visible()
    screenshot(bracket, "bracket-after-result-desktop")
    screenshot(watching, "match-after-result-mobile")
    for page in (bracket, watching, reporter, confirmer):
        assert page.page_errors == []  # type: ignore[attr-defined]


def _live_match(server: Server) -> dict[str, Any]:
    cup = _tournament(server, LIVE_CUP)
    return server.api("GET", f"/tournaments/{cup['id']}/matches?status=live")["items"][0]


def _post_score(server: Server, match: dict[str, Any], seq: int, scores: list[int]) -> None:
    server.api(
        "POST", f"/matches/{match['id']}/score", user=ADMIN[0], json={"seq": seq, "scores": scores}
    )


def test_live_scores_arrive_and_a_dropped_connection_resumes_without_missing_any(
    pages: Pages, server: Server
):
    match = _live_match(server)
    seq = match["score_seq"]
    page = pages.open(f"/matches/{match['id']}/")
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    expect(page.locator("#conn")).to_have_text("Live")
    bracket = pages.open(f"/tournaments/{LIVE_CUP}/bracket/")
    expect(bracket.locator("#conn")).to_have_text("Live")

    _post_score(server, match, seq + 1, [5, 4])
    board = page.locator(".scoreboard")
    expect(board.locator("[data-s='0']")).to_have_text("5", timeout=UPDATE_TIMEOUT)
    expect(board.locator("[data-s='1']")).to_have_text("4")
    card = bracket.locator(f'.bm[data-m="{match["id"]}"]')
    expect(card.locator("[data-s='0']")).to_have_text("5", timeout=UPDATE_TIMEOUT)

    # The connection drops; a score is posted before the page reconnects.
    page.evaluate("window.dcLive.retry = 1500; window.dcLive.socket.close()")
    expect(page.locator("#conn")).to_have_text("Reconnecting…")
    _post_score(server, match, seq + 2, [6, 4])
    expect(page.locator("#conn")).to_have_text("Live", timeout=UPDATE_TIMEOUT)
    expect(board.locator("[data-s='0']")).to_have_text("6", timeout=UPDATE_TIMEOUT)
    # It resumed from the last event it had instead of starting over.
    assert any("last_seq=" in url for url in sockets), sockets
    assert page.page_errors == []  # type: ignore[attr-defined]


def test_without_a_websocket_the_page_polls_and_says_so(pages: Pages, server: Server):
    match = _live_match(server)
    context = pages.browser.new_context(viewport=DESKTOP, base_url=server.base)
    pages.contexts.append(context)
    # Every stream refuses the page (as a private tournament refuses anonymous visitors).
    context.route_web_socket(re.compile(r".*/ws/.*"), lambda ws: ws.close(code=4001))
    page: Page = pages.open(f"/matches/{match['id']}/", context=context, poll_ms=1000)
    expect(page.locator("#conn")).to_have_text(re.compile(r"Updates every \d+ s"))
    _post_score(server, match, match["score_seq"] + 1, [9, 8])
    expect(page.locator(".scoreboard [data-s='0']")).to_have_text("9", timeout=UPDATE_TIMEOUT)
