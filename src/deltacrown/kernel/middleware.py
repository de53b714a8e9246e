"""Kernel layer: request-context middleware.

Gives every request an id (a client-supplied ``X-Request-ID`` is kept when it is a short, safe
token; otherwise a new one is made), exposes it in the response, and keeps it in a context
variable for logs and audit entries for the duration of the request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from deltacrown.kernel import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def _request_id_from(request: HttpRequest) -> str:
    supplied = request.headers.get("X-Request-ID", "")
    if _SAFE_ID.match(supplied):
        return supplied
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Bind a request id (and later the user id) to the request's context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        request_token = context.set_request_id(request_id)
        user_token = context.set_user_id(None)
        try:
            response = self.get_response(request)
        finally:
            context.reset(request_token, user_token)
        response["X-Request-ID"] = request_id
        return response
