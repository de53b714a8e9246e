"""Kernel layer: rendering errors as RFC 9457 problem+json responses.

The one place that turns a ``DomainError`` (or an unexpected exception) into an HTTP response.
Unknown errors become a 500 problem that says nothing about internals and carries the request id
so an operator can find the logged traceback.
"""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse

from deltacrown.kernel.context import current_request_id
from deltacrown.kernel.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(error: DomainError, request: HttpRequest | None = None) -> HttpResponse:
    """Render ``error`` as problem+json with its status and headers."""
    body = error.to_problem()
    request_id = current_request_id()
    if request_id:
        body.setdefault("request_id", request_id)
    if request is not None:
        body.setdefault("instance", request.path)
    response = HttpResponse(
        orjson.dumps(body), status=error.http_status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in error.headers.items():
        response[name] = value
    return response
