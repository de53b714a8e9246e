"""Web app, HTTP layer: the server-rendered pages for players and spectators.

Each view reads what its page shows through ``pages`` (the apps' public interfaces) and renders
a template. Pages never write: their buttons and forms call the REST API from the browser
(``static/web/app.js``), with the session cookie, the CSRF header and an Idempotency-Key.

A request from htmx (``HX-Request``) gets only the page's live region, the fragment the page
refreshes when its WebSocket stream announces a change, or on a timer when it has no stream.
Objects a visitor may not see answer 404, as in the API.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from deltacrown.apps.web import pages
from deltacrown.kernel.errors import NotFound

View = Callable[..., HttpResponse]


def _viewer(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _is_fragment(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def page(view: View) -> View:
    """GET/HEAD only; an object the visitor may not see (a ``NotFound``) is the 404 page."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc

    return wrapper


def signed_in(view: View) -> View:
    """Pages of the signed-in player: visitors are sent to sign in first, then back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _viewer(request) is None:
            return redirect(f"/signin/?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


# --- directory ----------------------------------------------------------------------------------


@page
def home(request: HttpRequest) -> HttpResponse:
    """Live, upcoming and recent tournaments; search by words, game, status and region."""
    filters = pages.Filters(
        q=request.GET.get("q", "").strip()[:200],
        game=request.GET.get("game", "")[:64],
        status=request.GET.get("status", "")[:32],
        region=request.GET.get("region", "")[:32],
    )
    context = {"directory": pages.directory(filters)}
    if _is_fragment(request):
        return render(request, "web/partials/directory.html", context)
    return render(request, "web/home.html", context)


# --- a tournament -------------------------------------------------------------------------------


@page
def tournament(request: HttpRequest, slug: str, tab: str = "overview") -> HttpResponse:
    """A tournament's page: its header and one tab (overview and rules, participants,
    bracket, standings, matches), kept live by the tournament's event stream."""
    if tab not in dict(pages.TABS):
        raise Http404("No such tab.")
    invite = request.GET.get("invite", "")[:128]
    page_data = pages.tournament_page(_viewer(request), slug, invite=invite)
    stage = None
    if tab in ("bracket", "standings"):
        try:
            stage_id: int | None = int(request.GET.get("stage", ""))
        except ValueError:
            stage_id = None
        stage = pages.current_stage(page_data, stage_id)
    context = {
        "page": page_data,
        "t": page_data.tournament,
        "tab": tab,
        "tabs": pages.TABS,
        "stage": stage,
        "query": urlencode({"invite": invite}) if invite else "",
        # The cached markup is the same for everyone: the invite goes into its match links here.
        "panel": pages.with_invite(pages.panel(page_data, tab, stage), invite),
    }
    if _is_fragment(request):
        return render(request, "web/partials/tournament_live.html", context)
    return render(request, "web/tournament.html", context)


# --- a match ------------------------------------------------------------------------------------


@page
def match(request: HttpRequest, match_id: int) -> HttpResponse:
    """A match: scoreboard with per-game scores, status, stream link and live event feed. A
    private tournament's match is shown to whoever holds the tournament's invite link."""
    invite = request.GET.get("invite", "")[:128]
    page_data = pages.match_page(_viewer(request), match_id, invite=invite)
    context = {
        "page": page_data,
        "m": page_data.match,
        "t": page_data.tournament,
        "query": urlencode({"invite": invite}) if invite else "",
    }
    if _is_fragment(request):
        return render(request, "web/partials/match_live.html", context)
    return render(request, "web/match.html", context)


# --- teams --------------------------------------------------------------------------------------


@page
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team's public page: name, game and roster (display names)."""
    viewer = _viewer(request)
    data = pages.team_page(team_id)
    is_captain = viewer is not None and viewer.id == data.team.captain_id
    return render(
        request,
        "web/team.html",
        {
            "data": data,
            "is_captain": is_captain,
            "is_member": viewer is not None and viewer.id in data.team.member_ids,
            # Invitations are private to the captain (and each invitee).
            "invitations": pages.team_invitations(team_id) if is_captain else [],
        },
    )


# --- the player's own pages ---------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: a local path only (never another site)."""
    target = request.GET.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/me/matches/"


@page
def signin(request: HttpRequest) -> HttpResponse:
    """The sign-in form (it calls ``POST /api/v1/auth/login``)."""
    if _viewer(request) is not None:
        return redirect(_next_url(request))
    return render(request, "web/signin.html", {"next": _next_url(request)})


@page
def signup(request: HttpRequest) -> HttpResponse:
    """The sign-up form (``POST /api/v1/auth/signup``, then sign-in)."""
    if _viewer(request) is not None:
        return redirect("/me/")
    return render(request, "web/signup.html", {"next": _next_url(request)})


@page
@signed_in
def profile(request: HttpRequest) -> HttpResponse:
    """The player's profile: display name, country, per-game ids, teams and invitations."""
    return render(request, "web/profile.html", {"profile": pages.profile(request.user.pk)})


@page
@signed_in
def my_matches(request: HttpRequest) -> HttpResponse:
    """The player's check-ins, next match (with its check-in or result buttons) and others."""
    context = {"data": pages.my_matches(request.user.pk)}
    if _is_fragment(request):
        return render(request, "web/partials/my_matches_live.html", context)
    return render(request, "web/my_matches.html", context)
