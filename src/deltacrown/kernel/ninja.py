"""Kernel layer: wiring Django Ninja APIs to the platform's conventions.

``install_error_handlers`` makes every failure of an API answer in problem+json with a stable
code: domain errors, request validation, authentication, unknown objects, framework HTTP errors,
and unexpected exceptions (a 500 that reveals nothing and is logged with the request id).
``ORJSONRenderer`` serialises responses with orjson on the hot path.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer

from deltacrown.kernel import errors
from deltacrown.kernel.http import problem_response

logger = logging.getLogger("deltacrown.api")

# Stable codes for the HTTP errors the framework itself raises (e.g. an unparsable body).
_HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

_LOCATION_PREFIXES = ("body", "payload", "query", "path", "form", "header", "cookie", "file")


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Ninja/pydantic errors as problem ``errors`` entries: {field, code, message}."""
    out = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in _LOCATION_PREFIXES]
        out.append(
            {
                "field": ".".join(loc) or "body",
                "code": str(err.get("type", "invalid")),
                "message": str(err.get("msg", "Invalid value")),
            }
        )
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    """Render every error raised under ``api`` as problem+json."""

    @api.exception_handler(errors.DomainError)
    def _domain_error(request: HttpRequest, exc: errors.DomainError) -> HttpResponse:
        return problem_response(exc, request)

    @api.exception_handler(ValidationError)
    def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem_response(
            errors.ValidationFailed(
                "The request has invalid fields.", errors=validation_errors(exc)
            ),
            request,
        )

    @api.exception_handler(AuthenticationError)
    def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        error = errors.NotAuthenticated(
            "Valid credentials are required.", headers={"WWW-Authenticate": "Bearer"}
        )
        return problem_response(error, request)

    @api.exception_handler(AuthorizationError)
    def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem_response(errors.PermissionDenied(), request)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(errors.NotFound(), request)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        code = _HTTP_ERROR_CODES.get(status, "bad_request" if status < 500 else "internal_error")
        message = str(exc.message)
        error = errors.DomainError(message, code=code, http_status=status, title=message)
        return problem_response(error, request)

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error")
        return problem_response(errors.InternalError(), request)
