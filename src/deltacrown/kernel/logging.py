"""Kernel layer: structured logging (structlog) and the per-request access log.

One pipeline renders every log line, whether it comes from structlog (``get_logger``) or from the
standard library (Django, uvicorn, Huey): JSON lines by default, a readable console format for
humans. Inside a request each line carries the request id, the user id and the resolved route
pattern, so the lines of one request can be found together. Logs hold ids only: a last processor
masks values whose key looks like personal data or a secret, as a safety net for careless calls.

``configure_logging`` is called by ``KernelConfig.ready()`` from the LOG_LEVEL and LOG_FORMAT
settings; ``AccessLogMiddleware`` writes one line per HTTP request.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

import structlog
from django.http import HttpRequest, HttpResponse
from structlog.typing import EventDict, Processor, WrappedLogger

from deltacrown.kernel import context
from deltacrown.kernel.metrics import route_label

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("json", "console")
REDACTED = "[redacted]"

# Requests an orchestrator or scraper makes every few seconds: logged at DEBUG so they do not
# drown the access log at the default INFO level.
PROBE_ROUTES = frozenset({"healthz", "readyz", "metrics"})

# A key is sensitive when one of its words (split on separators and camelCase) is listed here, or
# when the whole key, separators removed, is listed in _SENSITIVE_KEYS.
_SENSITIVE_WORDS = frozenset(
    {
        "email",
        "username",
        "ip",
        "password",
        "passwd",
        "token",
        "secret",
        "authorization",
        "cookie",
    }
)
_SENSITIVE_KEYS = frozenset(
    {
        "remoteaddr",
        "ipaddress",
        "ipaddr",
        "clientaddr",
        "emailaddress",
        "xforwardedfor",
        "xrealip",
        "accesstoken",
        "refreshtoken",
        "apikey",
    }
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Marks the handler this module installs, so reconfiguring replaces it and leaves handlers that
# others attached (pytest's capture handler, an operator's extra handler) alone.
_HANDLER_MARK = "_deltacrown_handler"
_configured: tuple[str, str, int] | None = None

logger = structlog.get_logger("deltacrown.access")


# Log keys come from a small, fixed vocabulary: remembering the verdicts keeps this off the
# hot path of every line.
@functools.lru_cache(maxsize=2048)
def is_sensitive_key(key: str) -> bool:
    """True when a log key names personal data or a secret (email, username, IP, token, ...)."""
    lowered = _CAMEL.sub("_", key).lower()
    words = set(_WORD_SPLIT.split(lowered))
    if words & _SENSITIVE_WORDS:
        return True
    return _WORD_SPLIT.sub("", lowered) in _SENSITIVE_KEYS


def _mask(value: Any, depth: int) -> Any:
    if depth > 3 or not isinstance(value, Mapping):
        return value
    return {
        key: REDACTED if isinstance(key, str) and is_sensitive_key(key) else _mask(item, depth + 1)
        for key, item in value.items()
    }


def mask_sensitive(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Processor: replace the values of sensitive keys (also in nested dicts) by ``[redacted]``."""
    for key in list(event_dict):
        if key == "event":
            continue
        if is_sensitive_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _mask(event_dict[key], 1)
    return event_dict


def add_request_context(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    """Processor: add the request id and user id of the request being served, if any."""
    request_id = context.current_request_id()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
        event_dict.setdefault("user_id", context.current_user_id())
    return event_dict


def _drop_foreign_noise(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    # Django's own loggers pass the request object as ``extra``: its repr holds the raw path and
    # adds nothing to the route and request id. uvicorn repeats each message with ANSI colours.
    if not isinstance(event_dict.get("request"), str | int | None):
        event_dict.pop("request")
    event_dict.pop("color_message", None)
    return event_dict


_LEADING_KEYS = ("timestamp", "level", "logger", "event")


def _leading_keys_first(
    logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    # A reader scanning raw lines finds when, how bad, where and what at the same place each time.
    ordered = {key: event_dict.pop(key) for key in _LEADING_KEYS if key in event_dict}
    ordered.update(event_dict)
    return ordered


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        add_request_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


def build_formatter(fmt: str) -> logging.Formatter:
    """The stdlib formatter that renders every record (structlog's or not) in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, got {fmt!r}")
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=False)
        final: list[Processor] = [
            structlog.processors.format_exc_info,
            _leading_keys_first,
            renderer,
        ]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
        final = [renderer]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            *_shared_processors(),
            structlog.stdlib.ExtraAdder(),
            _drop_foreign_noise,
            mask_sensitive,
        ],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )


def configure_logging(
    *, level: str = "INFO", fmt: str = "json", stream: TextIO | None = None
) -> None:
    """Route structlog and stdlib logging through one renderer writing to ``stream`` (stderr).

    Idempotent: calling it again with the same arguments changes nothing; other arguments replace
    the handler installed before. stderr keeps stdout free for commands whose output is data
    (``deltacrown checkpoint``, ``export_openapi``).
    """
    global _configured
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, got {level!r}")
    target = stream if stream is not None else sys.stderr
    key = (level, fmt, id(target))
    if _configured == key:
        return
    formatter = build_formatter(fmt)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            mask_sensitive,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    handler = logging.StreamHandler(target)
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _HANDLER_MARK, False):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)

    # SQL at DEBUG carries query parameters (emails among them): never logged, whatever the level.
    logging.getLogger("django.db.backends").setLevel(logging.WARNING)
    # 4xx warnings duplicate the access log (with the raw path); 5xx tracebacks are kept.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    # uvicorn's errors and lifecycle lines go through the platform's handler. Its access log
    # stays silent: it holds client addresses and raw paths, and AccessLogMiddleware replaces it.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HandshakeLineFilter) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(_HandshakeLineFilter())
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    # run_huey installs a plain-text handler on "huey" unless one exists; a null handler keeps its
    # records propagating to the root handler in the platform's format instead.
    huey_logger = logging.getLogger("huey")
    if not huey_logger.handlers:
        huey_logger.addHandler(logging.NullHandler())
    _configured = key


class _HandshakeLineFilter(logging.Filter):
    """Drops uvicorn's WebSocket handshake lines: they hold the client's address and the raw
    path, whose query string may carry an access token. The realtime app logs by ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and '"WebSocket %s"' in record.msg)


def get_logger(name: str) -> Any:
    """A structlog logger; call it with an event name and id-only keyword fields."""
    return structlog.get_logger(name)


def _user_id_of(principal: Any) -> int | None:
    if principal is None:
        return None
    if getattr(principal, "is_authenticated", False) and getattr(principal, "pk", None):
        return int(principal.pk)
    user_id = getattr(principal, "user_id", None)
    return int(user_id) if isinstance(user_id, int) else None


def _request_user_id(request: HttpRequest) -> int | None:
    user_id = context.current_user_id()
    if user_id is not None:
        return user_id
    user_id = _user_id_of(getattr(request, "auth", None))
    if user_id is not None:
        return user_id
    return _user_id_of(getattr(request, "user", None))


class AccessLogMiddleware:
    """Write one ``request`` line per HTTP request and bind its route for the lines in between.

    The line holds method, route pattern, status, duration_ms, request_id and user_id; never the
    raw path, the client address or any credential. Probes (healthz, readyz, metrics) are logged
    at DEBUG, server errors at ERROR, everything else at INFO. Must come after
    ``RequestContextMiddleware``, whose request id it reports.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            self._log(request, response.status_code, duration_ms)
        finally:
            # Unbind rather than reset a token: under ASGI, process_view runs in a copy of this
            # context, where a token made there cannot be used.
            structlog.contextvars.unbind_contextvars("route")
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        # The route is known once the URL resolved: bind it so the view's own lines carry it.
        structlog.contextvars.bind_contextvars(route=route_label(request))

    def _log(self, request: HttpRequest, status: int, duration_ms: float) -> None:
        route = route_label(request)
        if status >= 500:
            log = logger.error
        elif route in PROBE_ROUTES:
            log = logger.debug
        else:
            log = logger.info
        log(
            "request",
            method=request.method,
            route=route,
            status=status,
            duration_ms=duration_ms,
            request_id=context.current_request_id(),
            user_id=_request_user_id(request),
        )
