"""Kernel layer: typed feature flags, declared in one place, read from settings and environment.

Every flag is declared below with its type (bool, int or str), default and meaning. A value comes
from, in rising precedence: the default, ``settings.FEATURE_FLAGS[name]``, and the environment
variable ``FLAG_<NAME>``. Values are read and validated once at start-up (``KernelConfig.ready``),
so a malformed value stops the process with a message naming the variable instead of surfacing
on some later request. Use ``flags.is_enabled(flags.SIGNUP_ENABLED)`` or ``flags.get(...)``.

Flags change behaviour without a release; they are not per-user switches and not a place for
secrets (``GET /api/v1/admin/flags`` shows every value to platform admins).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from deltacrown.kernel.errors import NotFound, ServiceUnavailable
from deltacrown.kernel.http import problem_response
from deltacrown.kernel.permissions import is_platform_admin

FlagValue = bool | int | str
Source = Literal["default", "settings", "env"]
ENV_PREFIX = "FLAG_"

_TYPES: dict[type, str] = {bool: "bool", int: "int", str: "str"}
_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

logger = structlog.get_logger("deltacrown.flags")


def _is_of_type(value: Any, kind: type) -> bool:
    # bool is a subclass of int: True must not pass as an int flag, nor 1 as a bool flag.
    return type(value) is kind


class FlagConfigError(ImproperlyConfigured):
    """A feature flag is given a value of the wrong type, or an undeclared flag is configured."""


@dataclass(frozen=True)
class Flag:
    """The declaration of one feature flag."""

    name: str
    type: type
    default: FlagValue
    description: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"flag name {self.name!r} must be UPPER_SNAKE_CASE")
        if self.type not in _TYPES:
            raise ValueError(f"flag {self.name} has unsupported type {self.type!r}")
        if not _is_of_type(self.default, self.type):
            raise ValueError(f"flag {self.name}: default {self.default!r} is not {self.type_name}")

    @property
    def type_name(self) -> str:
        return _TYPES[self.type]

    @property
    def env_var(self) -> str:
        return f"{ENV_PREFIX}{self.name}"


@dataclass(frozen=True)
class FlagState:
    """A flag's current value and where it came from."""

    name: str
    type: str
    value: FlagValue
    default: FlagValue
    source: Source
    description: str


# --- Declarations: every flag the platform reads -----------------------------------------------
SIGNUP_ENABLED = Flag(
    "SIGNUP_ENABLED",
    bool,
    True,
    "New accounts may be created by signing up; when off, only administrators create accounts.",
)
API_DOCS_PUBLIC = Flag(
    "API_DOCS_PUBLIC",
    bool,
    True,
    "The interactive API docs and the OpenAPI schema are served to everyone; when off, only to "
    "platform administrators signed in to the site.",
)
MAINTENANCE_MODE = Flag(
    "MAINTENANCE_MODE",
    bool,
    False,
    "Mutating API requests (POST, PUT, PATCH, DELETE) are refused with 503 `maintenance`; reads "
    "and the Django admin keep working.",
)

REGISTRY: dict[str, Flag] = {
    flag.name: flag for flag in (SIGNUP_ENABLED, API_DOCS_PUBLIC, MAINTENANCE_MODE)
}


def parse_env_value(flag: Flag, raw: str) -> FlagValue:
    """Parse the text of ``FLAG_<NAME>`` as the flag's type, or raise ``FlagConfigError``."""
    text = raw.strip()
    if flag.type is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        expected = "a boolean (1/0, true/false, yes/no, on/off)"
    elif flag.type is int:
        try:
            return int(text)
        except ValueError:
            expected = "an integer"
    else:
        return raw
    raise FlagConfigError(f"{flag.env_var} must be {expected}, got {raw!r}")


def resolve(environ: Mapping[str, str], configured: Mapping[str, Any]) -> dict[str, FlagState]:
    """Every declared flag's state given an environment and a FEATURE_FLAGS mapping."""
    unknown = sorted(set(configured) - set(REGISTRY))
    if unknown:
        raise FlagConfigError(
            f"FEATURE_FLAGS names undeclared flags: {', '.join(unknown)} "
            f"(declared: {', '.join(sorted(REGISTRY))})"
        )
    states: dict[str, FlagState] = {}
    for name, flag in REGISTRY.items():
        value: FlagValue = flag.default
        source: Source = "default"
        if name in configured:
            value = configured[name]
            if not _is_of_type(value, flag.type):
                raise FlagConfigError(
                    f"FEATURE_FLAGS[{name!r}] must be {flag.type_name}, got {value!r}"
                )
            source = "settings"
        if flag.env_var in environ:
            value = parse_env_value(flag, environ[flag.env_var])
            source = "env"
        states[name] = FlagState(
            name=name,
            type=flag.type_name,
            value=value,
            default=flag.default,
            source=source,
            description=flag.description,
        )
    return states


_states: dict[str, FlagState] | None = None


def load() -> dict[str, FlagState]:
    """Read and validate every flag from settings and the environment (raises on bad values)."""
    global _states
    states = resolve(os.environ, getattr(settings, "FEATURE_FLAGS", None) or {})
    _states = states
    strays = sorted(
        key
        for key in os.environ
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :] not in REGISTRY
    )
    if strays:
        # A typo in a variable name would otherwise silently leave the flag at its default.
        logger.warning("unknown_flag_variables", variables=strays)
    return states


reload = load


@receiver(setting_changed)
def _reload_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "FEATURE_FLAGS":
        load()


def _states_now() -> dict[str, FlagState]:
    return _states if _states is not None else load()


def _name_of(flag: Flag | str) -> str:
    name = flag.name if isinstance(flag, Flag) else flag
    if name not in REGISTRY:
        raise KeyError(f"no feature flag named {name!r}")
    return name


def get(flag: Flag | str) -> FlagValue:
    """The current value of ``flag`` (a declared ``Flag`` or its name)."""
    return _states_now()[_name_of(flag)].value


def is_enabled(flag: Flag | str) -> bool:
    """The value of a bool flag; asking this of an int or str flag is a programming error."""
    name = _name_of(flag)
    if REGISTRY[name].type is not bool:
        raise TypeError(f"feature flag {name} is {REGISTRY[name].type_name}, not bool")
    return bool(_states_now()[name].value)


def all() -> list[FlagState]:  # shadows the builtin on purpose: callers write flags.all()
    """Every declared flag with its value, default and source, by name."""
    return sorted(_states_now().values(), key=lambda state: state.name)


# --- Behaviour owned by the kernel -------------------------------------------------------------


class UnderMaintenance(ServiceUnavailable):
    """The platform is in maintenance mode and accepts no changes; reading still works."""

    code = "maintenance"
    title = "Under maintenance"


MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class MaintenanceModeMiddleware:
    """While MAINTENANCE_MODE is on, answer mutating requests under /api/ with 503 ``maintenance``.

    Nobody is exempt: the flag is switched by configuration, not through the API, and operators
    keep the Django admin (outside /api/) for urgent fixes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in MUTATING_METHODS
            and request.path.startswith("/api/")
            and is_enabled(MAINTENANCE_MODE)
        ):
            return problem_response(
                UnderMaintenance("The platform is under maintenance; try again later."), request
            )
        return self.get_response(request)


def api_docs_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate the API docs views: served to all while API_DOCS_PUBLIC, else to admins only.

    Others get 404, not 403: a private deployment does not advertise that docs exist.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_enabled(API_DOCS_PUBLIC) and not is_platform_admin(
            getattr(request, "user", None)
        ):
            return problem_response(NotFound("No such API endpoint."), request)
        return view(request, *args, **kwargs)

    return guarded
