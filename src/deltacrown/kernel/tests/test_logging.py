"""Structured logs: one JSON line per record, request context on every line, no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.test import AsyncClient
from django.urls import path

from deltacrown.kernel.logging import REDACTED, configure_logging, get_logger, is_sensitive_key


def _thing(request: HttpRequest, thing_id: int) -> JsonResponse:
    get_logger("deltacrown.tests").info(
        "thing_viewed", thing_id=thing_id, email="ada@example.com", client_ip="203.0.113.9"
    )
    logging.getLogger("deltacrown.tests.stdlib").warning("stdlib line for %s", thing_id)
    return JsonResponse({"id": thing_id})


def _whoami(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"authenticated": request.user.is_authenticated})


def _healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("things/<int:thing_id>", _thing),
    path("whoami", _whoami),
    path("healthz", _healthz),
]

pytestmark = pytest.mark.urls(__name__)

LogLines = Callable[[], list[dict[str, Any]]]


def _capture(level: str, fmt: str = "json") -> tuple[io.StringIO, LogLines]:
    stream = io.StringIO()
    configure_logging(level=level, fmt=fmt, stream=stream)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    return stream, lines


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    configure_logging(level=settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)


@pytest.fixture
def log_lines(restore_logging: None) -> LogLines:
    return _capture("INFO")[1]


def _access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "deltacrown.access"]


def test_access_line_names_the_route_pattern_not_the_raw_path(client, log_lines):
    response = client.get("/things/4711", HTTP_X_REQUEST_ID="req-access-0001")

    assert response.status_code == 200
    [access] = _access_lines(log_lines())
    assert access["event"] == "request"
    assert access["level"] == "info"
    assert access["method"] == "GET"
    assert access["route"] == "things/<int:thing_id>"
    assert access["status"] == 200
    assert isinstance(access["duration_ms"], float)
    assert access["request_id"] == "req-access-0001"
    assert access["user_id"] is None
    assert "timestamp" in access
    assert "4711" not in json.dumps(access)


def test_every_line_inside_a_request_carries_request_id_and_route(client, log_lines):
    client.get("/things/7", HTTP_X_REQUEST_ID="req-context-0001")

    lines = log_lines()
    viewed = next(line for line in lines if line["event"] == "thing_viewed")
    stdlib = next(line for line in lines if line["logger"] == "deltacrown.tests.stdlib")
    for line in (viewed, stdlib):
        assert line["request_id"] == "req-context-0001"
        assert line["route"] == "things/<int:thing_id>"
        assert "user_id" in line
    assert stdlib["event"] == "stdlib line for 7"
    assert stdlib["level"] == "warning"


def test_route_is_unbound_once_the_request_ends(client, log_lines):
    client.get("/things/7")
    get_logger("deltacrown.tests").info("after_request")

    after = next(line for line in log_lines() if line["event"] == "after_request")
    assert "route" not in after
    assert "request_id" not in after


def test_sensitive_fields_are_masked_even_when_a_caller_logs_them(client, log_lines):
    client.get("/things/7")

    raw = json.dumps(log_lines())
    assert "ada@example.com" not in raw
    assert "203.0.113.9" not in raw
    viewed = next(line for line in log_lines() if line["event"] == "thing_viewed")
    assert viewed["email"] == REDACTED
    assert viewed["client_ip"] == REDACTED
    assert viewed["thing_id"] == 7


@pytest.mark.django_db
def test_access_line_carries_the_signed_in_user_id_and_never_their_name(client, log_lines):
    user = get_user_model().objects.create_user(
        username="grace", email="grace@example.com", password="a-long-password-1"
    )
    client.force_login(user)

    client.get("/whoami", REMOTE_ADDR="198.51.100.23")

    [access] = _access_lines(log_lines())
    assert access["user_id"] == user.pk
    raw = json.dumps(access)
    assert "grace" not in raw
    assert "198.51.100.23" not in raw


def test_unmatched_paths_are_logged_as_unmatched(client, log_lines):
    client.get("/no/such/page/123")

    [access] = _access_lines(log_lines())
    assert access["route"] == "unmatched"
    assert access["status"] == 404


def test_probes_are_logged_at_debug_only(client, restore_logging):
    _, info_lines = _capture("INFO")
    client.get("/healthz")
    assert _access_lines(info_lines()) == []

    _, debug_lines = _capture("DEBUG")
    client.get("/healthz")
    [access] = _access_lines(debug_lines())
    assert access["level"] == "debug"
    assert access["route"] == "healthz"


def test_stdlib_loggers_of_servers_and_workers_render_as_json(log_lines):
    logging.getLogger("uvicorn.error").error("worker %s crashed", 3)
    logging.getLogger("huey").info("task finished")
    logging.getLogger("uvicorn.access").info('198.51.100.7:5123 - "GET /things/7" 200')

    lines = log_lines()
    [uvicorn] = [line for line in lines if line["logger"] == "uvicorn.error"]
    assert uvicorn["event"] == "worker 3 crashed"
    assert uvicorn["level"] == "error"
    # Exactly once: run_huey adds its own plain-text handler only to a "huey" logger without one.
    assert [line["event"] for line in lines if line["logger"] == "huey"] == ["task finished"]
    assert logging.getLogger("huey").handlers
    # uvicorn's access log (client address, raw path) is replaced by the platform's own.
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]


def test_exceptions_are_rendered_into_the_json_line(log_lines):
    try:
        raise ValueError("bad bracket")
    except ValueError:
        get_logger("deltacrown.tests").exception("bracket_failed")

    [line] = [line for line in log_lines() if line["event"] == "bracket_failed"]
    assert "ValueError: bad bracket" in line["exception"]


def test_sql_is_never_logged_even_at_debug(restore_logging):
    _capture("DEBUG")
    assert not logging.getLogger("django.db.backends").isEnabledFor(logging.DEBUG)


def test_console_format_is_for_humans(restore_logging):
    stream, _ = _capture("INFO", fmt="console")
    get_logger("deltacrown.tests").info("bracket_built", matches=15)

    output = stream.getvalue()
    assert "bracket_built" in output
    assert "matches=15" in output
    assert not output.lstrip().startswith("{")


def test_configuring_twice_installs_one_handler(restore_logging):
    configure_logging(level="INFO", fmt="json")
    configure_logging(level="INFO", fmt="json")
    configure_logging(level="WARNING", fmt="console")

    ours = [h for h in logging.getLogger().handlers if getattr(h, "_deltacrown_handler", False)]
    assert len(ours) == 1
    assert logging.getLogger().level == logging.WARNING


@pytest.mark.parametrize(
    ("level", "fmt", "message"),
    [("LOUD", "json", "LOG_LEVEL"), ("INFO", "xml", "LOG_FORMAT")],
)
def test_unknown_level_or_format_is_refused(level, fmt, message):
    with pytest.raises(ValueError, match=message):
        configure_logging(level=level, fmt=fmt)


@pytest.mark.parametrize(
    "key",
    [
        "email",
        "user_email",
        "userEmail",
        "username",
        "ip",
        "client_ip",
        "remote_addr",
        "REMOTE_ADDR",
        "ip_address",
        "x_forwarded_for",
        "password",
        "new_password",
        "token",
        "access_token",
        "refreshToken",
        "api_key",
    ],
)
def test_keys_naming_personal_data_or_secrets_are_sensitive(key):
    assert is_sensitive_key(key)


@pytest.mark.parametrize(
    "key",
    ["user_id", "tournament_id", "zip", "description", "membership", "shipping", "route"],
)
def test_ordinary_keys_are_not_sensitive(key):
    assert not is_sensitive_key(key)


def test_access_log_and_route_binding_work_under_asgi(log_lines):
    # uvicorn serves through Django's ASGI handler, where middleware hooks run in other contexts.
    response = async_to_sync(AsyncClient().get)(
        "/things/11", headers={"X-Request-ID": "req-asgi-0001"}
    )
    get_logger("deltacrown.tests").info("after_asgi_request")

    assert response.status_code == 200
    lines = log_lines()
    viewed = next(line for line in lines if line["event"] == "thing_viewed")
    [access] = _access_lines(lines)
    assert viewed["route"] == access["route"] == "things/<int:thing_id>"
    assert viewed["request_id"] == access["request_id"] == "req-asgi-0001"
    after = next(line for line in lines if line["event"] == "after_asgi_request")
    assert "route" not in after


def test_websocket_handshake_lines_with_address_and_token_are_never_logged(log_lines):
    uvicorn = logging.getLogger("uvicorn.error")
    uvicorn.info('%s - "WebSocket %s" [accepted]', "198.51.100.7:5123", "/ws/t/1/?token=eyJ")
    uvicorn.info("connection open")

    events = [line["event"] for line in log_lines() if line["logger"] == "uvicorn.error"]
    assert events == ["connection open"]
