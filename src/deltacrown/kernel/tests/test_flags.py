"""Feature flags: typed values from settings and environment, the admin listing, and the flags
the kernel itself honours (maintenance mode, API docs visibility)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from deltacrown.kernel import flags
from deltacrown.kernel.flags import Flag, FlagConfigError, parse_env_value, resolve

PASSWORD = "a-long-password-1"


def _user(username: str, *, staff: bool = False):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, is_staff=staff
    )


def _state(states, name):
    return states[name].value, states[name].source


# --- Values and their sources --------------------------------------------------------------------


def test_every_flag_starts_at_its_declared_default():
    states = resolve({}, {})

    assert set(states) == {"SIGNUP_ENABLED", "API_DOCS_PUBLIC", "MAINTENANCE_MODE"}
    assert _state(states, "SIGNUP_ENABLED") == (True, "default")
    assert _state(states, "API_DOCS_PUBLIC") == (True, "default")
    assert _state(states, "MAINTENANCE_MODE") == (False, "default")


def test_settings_override_defaults_and_environment_overrides_settings():
    states = resolve(
        {"FLAG_MAINTENANCE_MODE": "on"},
        {"SIGNUP_ENABLED": False, "MAINTENANCE_MODE": False},
    )

    assert _state(states, "SIGNUP_ENABLED") == (False, "settings")
    assert _state(states, "MAINTENANCE_MODE") == (True, "env")
    assert _state(states, "API_DOCS_PUBLIC") == (True, "default")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("OFF", False)],
)
def test_boolean_environment_values_are_parsed(raw, value):
    assert parse_env_value(flags.SIGNUP_ENABLED, raw) is value


def test_integer_and_string_flags_are_parsed_by_type():
    limit = Flag("UPLOAD_LIMIT", int, 5, "test flag")
    banner = Flag("BANNER_TEXT", str, "", "test flag")

    assert parse_env_value(limit, " 12 ") == 12
    assert parse_env_value(banner, "Finals tonight") == "Finals tonight"
    with pytest.raises(FlagConfigError, match="FLAG_UPLOAD_LIMIT must be an integer"):
        parse_env_value(limit, "twelve")


@pytest.mark.parametrize("raw", ["maybe", "", "2"])
def test_malformed_boolean_in_environment_names_the_variable(raw):
    with pytest.raises(FlagConfigError, match="FLAG_SIGNUP_ENABLED must be a boolean"):
        resolve({"FLAG_SIGNUP_ENABLED": raw}, {})


def test_settings_value_of_the_wrong_type_is_refused():
    with pytest.raises(FlagConfigError, match=r"FEATURE_FLAGS\['SIGNUP_ENABLED'\] must be bool"):
        resolve({}, {"SIGNUP_ENABLED": "yes"})


def test_undeclared_flag_in_settings_is_refused():
    with pytest.raises(FlagConfigError, match="SIGNUP_ENABLD"):
        resolve({}, {"SIGNUP_ENABLD": True})


def test_declarations_are_checked():
    with pytest.raises(ValueError, match="default"):
        Flag("BROKEN", bool, 1, "an int default on a bool flag")
    with pytest.raises(ValueError, match="UPPER_SNAKE_CASE"):
        Flag("broken", bool, True, "lower-case name")


def test_flag_values_follow_settings_overrides():
    assert flags.is_enabled(flags.SIGNUP_ENABLED) is True
    with override_settings(FEATURE_FLAGS={"SIGNUP_ENABLED": False}):
        assert flags.is_enabled("SIGNUP_ENABLED") is False
        assert flags.get(flags.SIGNUP_ENABLED) is False
    assert flags.is_enabled(flags.SIGNUP_ENABLED) is True


def test_unknown_flag_names_are_programming_errors():
    with pytest.raises(KeyError, match="NO_SUCH_FLAG"):
        flags.get("NO_SUCH_FLAG")


def test_malformed_flag_variable_stops_the_platform_at_start_up():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deltacrown.config.test_settings",
        "FLAG_MAINTENANCE_MODE": "sometimes",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "FLAG_MAINTENANCE_MODE must be a boolean" in result.stderr


# --- GET /api/v1/admin/flags -----------------------------------------------------------------


@pytest.mark.django_db
def test_admins_list_every_flag_with_value_and_source(client):
    client.force_login(_user("operator", staff=True))

    with override_settings(FEATURE_FLAGS={"SIGNUP_ENABLED": False}):
        response = client.get("/api/v1/admin/flags")

    assert response.status_code == 200
    items = {item["name"]: item for item in response.json()["items"]}
    assert list(items) == sorted(items)
    assert items["SIGNUP_ENABLED"] == {
        "name": "SIGNUP_ENABLED",
        "type": "bool",
        "value": False,
        "default": True,
        "source": "settings",
        "description": flags.SIGNUP_ENABLED.description,
    }
    assert items["MAINTENANCE_MODE"]["value"] is False
    assert items["MAINTENANCE_MODE"]["source"] == "default"


@pytest.mark.django_db
def test_flags_are_hidden_from_players(client):
    client.force_login(_user("player"))

    response = client.get("/api/v1/admin/flags")

    assert response.status_code == 403
    assert response.json()["code"] == "admin_required"


@pytest.mark.django_db
def test_flags_need_credentials(client):
    response = client.get("/api/v1/admin/flags")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


# --- MAINTENANCE_MODE ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_maintenance_mode_refuses_changes_through_the_api(client):
    client.force_login(_user("operator", staff=True))

    with override_settings(FEATURE_FLAGS={"MAINTENANCE_MODE": True}):
        posted = client.post("/api/v1/anything", {"name": "x"}, content_type="application/json")
        deleted = client.delete("/api/v1/anything/1")
        read = client.get("/api/v1/admin/flags")

    for refused in (posted, deleted):
        assert refused.status_code == 503
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "maintenance"
    assert read.status_code == 200


@pytest.mark.django_db
def test_without_maintenance_mode_changes_reach_the_api(client):
    response = client.post("/api/v1/anything", {}, content_type="application/json")

    assert response.status_code != 503
    assert response.json()["code"] != "maintenance"


# --- API_DOCS_PUBLIC ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_docs_are_public_by_default(client):
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.django_db
def test_private_api_docs_are_served_to_admins_only(client):
    with override_settings(FEATURE_FLAGS={"API_DOCS_PUBLIC": False}):
        anonymous_docs = client.get("/api/v1/docs")
        anonymous_schema = client.get("/api/v1/openapi.json")
        client.force_login(_user("player"))
        player_schema = client.get("/api/v1/openapi.json")
        client.force_login(_user("operator", staff=True))
        admin_docs = client.get("/api/v1/docs")
        admin_schema = client.get("/api/v1/openapi.json")

    for hidden in (anonymous_docs, anonymous_schema, player_schema):
        assert hidden.status_code == 404
        assert hidden.json()["code"] == "not_found"
    assert admin_docs.status_code == 200
    assert admin_schema.status_code == 200
    assert "paths" in admin_schema.json()
