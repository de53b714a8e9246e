"""Kernel layer: per-request context (request id, user id, route) in context variables.

Context variables follow the request across sync and async code (asgiref copies them into
worker threads), so logs, audit entries and metrics can read them without threading the request
object through every call.
"""

from __future__ import annotations

from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_user_id: ContextVar[int | None] = ContextVar("user_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    return _request_id.get()


def current_user_id() -> int | None:
    """The authenticated user's id for the request being served, if known."""
    return _user_id.get()


def set_request_id(value: str | None) -> object:
    return _request_id.set(value)


def set_user_id(value: int | None) -> object:
    return _user_id.set(value)


def reset(request_token: object, user_token: object) -> None:
    _request_id.reset(request_token)  # type: ignore[arg-type]
    _user_id.reset(user_token)  # type: ignore[arg-type]
