"""Kernel layer: typed domain errors that know their HTTP status and stable code.

Services raise these; one handler (``deltacrown.kernel.http``) renders them as RFC 9457
problem+json, and WebSocket consumers send the same payload in an ``error`` frame. Every
``code`` is listed in docs/errors.md; codes are stable API, never renamed.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A failure the caller can understand and act on."""

    code: str = "error"
    http_status: int = 400
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        http_status: int | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **data: Any,
    ) -> None:
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        if title is not None:
            self.title = title
        self.detail = detail or self.title
        self.errors = errors
        self.headers = dict(headers or {})
        self.data = data
        super().__init__(self.detail)

    def to_problem(self) -> dict[str, Any]:
        """The RFC 9457 body for this error (extension members: ``code``, ``errors``, data)."""
        body: dict[str, Any] = {
            "type": f"https://deltacrown.dev/problems/{self.code}",
            "title": self.title,
            "status": self.http_status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        for key, value in self.data.items():
            body.setdefault(key, value)
        return body


class BadRequest(DomainError):
    """The request is malformed in a way that is not a field validation error."""

    code = "bad_request"
    http_status = 400
    title = "Bad request"


class NotAuthenticated(DomainError):
    """The request needs credentials and carried none, or carried unusable ones."""

    code = "not_authenticated"
    http_status = 401
    title = "Authentication required"


class PermissionDenied(DomainError):
    """The caller is known but may not perform this action."""

    code = "permission_denied"
    http_status = 403
    title = "Forbidden"


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it exists."""

    code = "not_found"
    http_status = 404
    title = "Not found"


class MethodNotAllowed(DomainError):
    """The route exists but does not accept this HTTP method."""

    code = "method_not_allowed"
    http_status = 405
    title = "Method not allowed"


class Conflict(DomainError):
    """The object's current state does not allow this action."""

    code = "conflict"
    http_status = 409
    title = "Conflict"


class Gone(DomainError):
    """The object existed but is permanently unavailable."""

    code = "gone"
    http_status = 410
    title = "Gone"


class PayloadTooLarge(DomainError):
    """The request body is larger than the platform accepts."""

    code = "payload_too_large"
    http_status = 413
    title = "Payload too large"


class ValidationFailed(DomainError):
    """One or more fields are invalid; ``errors`` lists them as {field, code, message}."""

    code = "validation_failed"
    http_status = 422
    title = "Validation failed"


class RateLimited(DomainError):
    """Too many requests; retry after ``retry_after`` seconds."""

    code = "rate_limited"
    http_status = 429
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        retry_after = max(1, int(retry_after))
        headers = {"Retry-After": str(retry_after), **kwargs.pop("headers", {})}
        super().__init__(detail, headers=headers, retry_after=retry_after, **kwargs)


class InternalError(DomainError):
    """An unexpected failure; the problem reveals nothing and carries the request id."""

    code = "internal_error"
    http_status = 500
    title = "Internal server error"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or "An unexpected error occurred.", **kwargs)


class ServiceUnavailable(DomainError):
    """A dependency the request needs (database, Redis, task queue) is not answering."""

    code = "service_unavailable"
    http_status = 503
    title = "Service unavailable"


def field_error(field: str, code: str, message: str) -> dict[str, str]:
    """One entry of ``ValidationFailed.errors``."""
    return {"field": field, "code": code, "message": message}
