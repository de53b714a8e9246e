"""Accounts app, data layer: the frozen value objects and enums other apps may use.

No Django import here: these types cross app boundaries (``api`` returns them) and are safe to
use in the pure engine, tasks and WebSocket consumers alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Event names published by the accounts app (data: ids only).
USER_REGISTERED = "user.registered"


class AuthMethod(StrEnum):
    """How the caller of a request proved who they are."""

    ACCESS_TOKEN = "access_token"  # noqa: S105 - a method name, not a secret
    PERSONAL_TOKEN = "personal_token"  # noqa: S105 - a method name, not a secret
    SESSION = "session"


class TokenScope(StrEnum):
    """What a personal API token may do: ``read`` (safe methods) and ``write`` (the rest)."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class UserRef:
    """A user as other apps see it: ids and public profile, never a model instance.

    ``username`` and ``email`` are for the owner's own views and for mail; they never go into
    logs, events or public pages (use ``public_name`` there).
    """

    id: int
    username: str
    email: str
    display_name: str
    country: str
    is_active: bool
    is_staff: bool
    is_superuser: bool

    @property
    def public_name(self) -> str:
        """The name shown to other people: the display name, or a neutral handle."""
        return self.display_name or f"player-{self.id}"

    @property
    def is_authenticated(self) -> bool:
        """Always true, so kernel permission helpers accept a ``UserRef`` like a signed-in user."""
        return True

    @property
    def is_platform_admin(self) -> bool:
        return self.is_staff or self.is_superuser


@dataclass(frozen=True)
class TokenPair:
    """A freshly issued access token and the refresh token that can renew it once."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds until the access token expires
    refresh_expires_in: int  # seconds until the refresh token expires
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


@dataclass(frozen=True)
class PersonalTokenInfo:
    """A personal API token as its owner sees it in listings (never the secret)."""

    id: int
    name: str
    prefix: str
    scopes: tuple[TokenScope, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


# ISO 3166-1 alpha-2 codes officially assigned, plus XK (Kosovo), which the standard reserves for
# user assignment and which international sports bodies use.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS XK YE YT ZA ZM ZW
"""
COUNTRY_CODES: frozenset[str] = frozenset(_COUNTRY_CODES.split())
