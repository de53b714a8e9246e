"""Configuration layer: the HTTP API object (Django Ninja) under /api/v1/.

Mounts every app's router, sets the default authentication (JWT access token, personal API token
or session with CSRF) and installs the handlers that render every error as problem+json.
"""

from __future__ import annotations

from ninja import NinjaAPI

from deltacrown.apps.accounts.api import API_AUTH
from deltacrown.apps.accounts.endpoints import router as accounts_router
from deltacrown.apps.competition.endpoints import router as competition_router
from deltacrown.apps.games.endpoints import router as games_router
from deltacrown.apps.moderation.endpoints import router as moderation_router
from deltacrown.apps.realtime.endpoints import router as realtime_router
from deltacrown.apps.registrations.endpoints import router as registrations_router
from deltacrown.apps.teams.endpoints import router as teams_router
from deltacrown.apps.tournaments.endpoints import router as tournaments_router
from deltacrown.kernel.endpoints import router as kernel_router
from deltacrown.kernel.flags import api_docs_guard
from deltacrown.kernel.ninja import ORJSONRenderer, install_error_handlers

api = NinjaAPI(
    title="DeltaCrown API",
    version="1",
    description=(
        "Esports tournament platform. Errors are RFC 9457 problem+json with a stable `code`; "
        "mutating requests honour `Idempotency-Key`; lists use cursor pagination."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    renderer=ORJSONRenderer(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=api_docs_guard,  # the API_DOCS_PUBLIC flag
)
install_error_handlers(api)

api.add_router("/", accounts_router)
api.add_router("/admin/", kernel_router)
api.add_router("/games", games_router)  # no trailing slash: the list is /games
api.add_router("/teams", teams_router)  # no trailing slash: the list is /teams
api.add_router("/tournaments", tournaments_router)  # no trailing slash: the list is /tournaments
# Full paths inside: /tournaments/{id}/registrations, /registrations/{id}, /me/registrations.
api.add_router("/", registrations_router)
# Full paths inside: /tournaments/{id}/stages|matches|disputes|results, /stages/{id},
# /matches/{id}, /disputes/{id}.
api.add_router("/", competition_router)
# Full path inside: /tournaments/{id}/events (the verifiable event stream).
api.add_router("/", realtime_router)
# Full paths inside: /moderation/... (moderators), /me/sanctions and /me/reports (a user's own).
api.add_router("/", moderation_router)
