"""Configuration layer: the HTTP API object (Django Ninja) under /api/v1/.

Mounts every app's router, sets the default authentication (JWT access token, personal API token
or session with CSRF) and installs the one error handler that renders problem+json.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer

from deltacrown.apps.accounts.api import API_AUTH
from deltacrown.apps.accounts.endpoints import router as accounts_router
from deltacrown.kernel import errors
from deltacrown.kernel.endpoints import router as kernel_router
from deltacrown.kernel.http import problem_response

logger = logging.getLogger("deltacrown.api")


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


api = NinjaAPI(
    title="DeltaCrown API",
    version="1",
    description=(
        "Esports tournament platform. Errors are RFC 9457 problem+json with a stable `code`."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    renderer=ORJSONRenderer(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors:
        loc = [
            str(part)
            for part in err.get("loc", ())
            if part not in ("body", "payload", "query", "path")
        ]
        out.append(
            {
                "field": ".".join(loc) or "body",
                "code": str(err.get("type", "invalid")),
                "message": str(err.get("msg", "Invalid value")),
            }
        )
    return out


@api.exception_handler(errors.DomainError)
def _domain_error(request: HttpRequest, exc: errors.DomainError) -> HttpResponse:
    return problem_response(exc, request)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        errors.ValidationFailed("The request has invalid fields.", errors=_validation_errors(exc)),
        request,
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(errors.NotAuthenticated("Valid credentials are required."), request)


@api.exception_handler(AuthorizationError)
def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(errors.PermissionDenied(), request)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(errors.NotFound(), request)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    error = errors.DomainError(str(exc.message), code=f"http_{exc.status_code}")
    error.http_status = exc.status_code
    error.title = str(exc.message)
    return problem_response(error, request)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error", extra={"route": request.path})
    error = errors.DomainError("An unexpected error occurred.", code="internal_error")
    error.http_status = 500
    error.title = "Internal server error"
    return problem_response(error, request)


api.add_router("/", accounts_router)
api.add_router("/admin/", kernel_router)
