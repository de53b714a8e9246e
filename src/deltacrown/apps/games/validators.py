"""Games app, pure rules: the registry of player-id validators, one per kind of in-game id.

Each validator is a pure function that takes what a player typed and returns the normal form
of their id, or raises ``PlayerIdError`` with a message that tells them what to type instead.
A game's config names its validator by key (``player_id_kind``). The normal form is stable, so
two spellings of one account (a Riot tag in lower case, a SteamID in another notation) compare
equal once normalised. No Django import: the rules are usable anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

MAX_LENGTH = 64  # what the profile stores; every format below fits well within it


class PlayerIdError(ValueError):
    """The value is not a valid id of this kind; ``str(error)`` says what a valid one is."""


@dataclass(frozen=True)
class PlayerIdFormat:
    """One kind of in-game id: how to describe it to a player and how to normalise it."""

    kind: str
    label: str
    example: str
    description: str
    normalize: Callable[[str], str]


# --- shared helpers -------------------------------------------------------------------------


def _text(value: object) -> str:
    """The value as trimmed NFC text without control characters, or ``PlayerIdError``."""
    if not isinstance(value, str):
        raise PlayerIdError("The in-game id must be text.")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise PlayerIdError("The in-game id is empty.")
    if len(text) > MAX_LENGTH:
        raise PlayerIdError(f"The in-game id may be at most {MAX_LENGTH} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise PlayerIdError("The in-game id may not contain control characters.")
    return text


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def _digits(value: object, *, minimum: int, maximum: int, what: str) -> str:
    text = _text(value)
    if not re.fullmatch(rf"[0-9]{{{minimum},{maximum}}}", text):
        raise PlayerIdError(f"{what} is {minimum} to {maximum} digits (0-9), nothing else.")
    return text


# --- Riot ID (Valorant) ---------------------------------------------------------------------

_RIOT_TAG = re.compile(r"[^\W_]{3,5}")  # letters and digits of any script, no underscore


def riot_id(value: object) -> str:
    """``name#TAG``: a 3-16 character name, ``#``, a 3-5 character tag of letters and digits.

    Spaces around ``#`` and runs of spaces in the name are dropped; the tag is upper-cased (Riot
    matches tags without regard to case).
    """
    text = _text(value)
    message = "A Riot ID is name#TAG: a 3-16 character name, '#', then a 3-5 letter/digit tag."
    if text.count("#") != 1:
        raise PlayerIdError(message)
    name, tag = (part.strip() for part in text.split("#"))
    name = _collapse_spaces(name)
    if not 3 <= len(name) <= 16 or not _RIOT_TAG.fullmatch(tag):
        raise PlayerIdError(message)
    return f"{name}#{tag.upper()}"


# --- Steam (Counter-Strike 2, Dota 2) ---------------------------------------------------------

STEAM_ID64_BASE = 76561197960265728  # SteamID64 of individual account number 0
_MAX_ACCOUNT_ID = 2**32 - 1
# Every SteamID64 issued so far starts 7656119; the range of individual accounts continues up to
# 76561202255233023, so the pattern admits the rest of it and the range check decides.
_STEAM_ID64 = re.compile(r"76561[12][0-9]{11}")
_STEAM_ID2 = re.compile(r"STEAM_[0-5]:([01]):([0-9]{1,10})", re.IGNORECASE)
_STEAM_ID3 = re.compile(r"\[U:1:([0-9]{1,10})\]|U:1:([0-9]{1,10})", re.IGNORECASE)
_STEAM_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?steamcommunity\.com/profiles/([0-9]{17})/?", re.IGNORECASE
)
_STEAM_VANITY_URL = re.compile(r"(?:https?://)?(?:www\.)?steamcommunity\.com/id/", re.IGNORECASE)


def _account_from_steam64(text: str) -> int | None:
    account = int(text) - STEAM_ID64_BASE
    return account if 1 <= account <= _MAX_ACCOUNT_ID else None


def _steam_account(text: str) -> int | None:
    """The 32-bit account number in any notation except a bare account id, or None."""
    if match := _STEAM_PROFILE_URL.fullmatch(text):
        return _account_from_steam64(match.group(1))
    if _STEAM_ID64.fullmatch(text):
        return _account_from_steam64(text)
    if match := _STEAM_ID2.fullmatch(text):
        account = int(match.group(2)) * 2 + int(match.group(1))
        return account if 1 <= account <= _MAX_ACCOUNT_ID else None
    if match := _STEAM_ID3.fullmatch(text):
        account = int(match.group(1) or match.group(2))
        return account if 1 <= account <= _MAX_ACCOUNT_ID else None
    return None


def _refuse_vanity(text: str) -> None:
    if _STEAM_VANITY_URL.match(text):
        raise PlayerIdError(
            "Custom Steam profile URLs (/id/...) cannot be checked; use your SteamID64 instead."
        )


def steam_id64(value: object) -> str:
    """A SteamID64: the 17-digit id of an individual account (7656119... for every account so
    far), normalised to that decimal form.

    The other notations of the same account are accepted too (``STEAM_0:1:123``,
    ``[U:1:247]``, ``https://steamcommunity.com/profiles/7656119...``).
    """
    text = _text(value)
    _refuse_vanity(text)
    account = _steam_account(text)
    if account is None:
        raise PlayerIdError(
            "A SteamID64 is 17 digits starting with 7656119, as in your Steam profile URL."
        )
    return str(STEAM_ID64_BASE + account)


def steam_account_id(value: object) -> str:
    """A Steam account for Dota 2: the SteamID32 account id ("Friend ID") or a SteamID64.

    Normalised to the account id, the number Dota 2 shows as Friend ID and reports in match
    data; SteamID64, ``STEAM_0:Y:Z``, ``[U:1:N]`` and profile URLs are converted to it.
    """
    text = _text(value)
    _refuse_vanity(text)
    if re.fullmatch(r"[0-9]{1,10}", text) and 1 <= int(text) <= _MAX_ACCOUNT_ID:
        return str(int(text))
    account = _steam_account(text)
    if account is None:
        raise PlayerIdError(
            "Use your Dota 2 Friend ID (up to 10 digits) or your 17-digit SteamID64 (7656119...)."
        )
    return str(account)


# --- Konami ID (eFootball), EA ID (EA Sports FC) ----------------------------------------------


def konami_id(value: object) -> str:
    """A Konami ID: 9-12 digits; spaces and hyphens between groups are dropped."""
    text = _text(value)
    compact = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{9,12}", compact):
        raise PlayerIdError("A Konami ID is 9 to 12 digits (spaces or hyphens may group them).")
    return compact


def ea_id(value: object) -> str:
    """An EA ID: 5-20 letters (A-Z, any case) and digits, kept as typed."""
    text = _text(value)
    if not re.fullmatch(r"[A-Za-z0-9]{5,20}", text):
        raise PlayerIdError("An EA ID is 5 to 20 letters (A-Z) and digits, without spaces.")
    return text


# --- Mobile Legends: Bang Bang ------------------------------------------------------------------

_MLBB = re.compile(r"([0-9]{5,12})\s*(?:\(\s*([0-9]{1,5})\s*\)|[\s:/-]\s*([0-9]{1,5}))")


def mlbb_id(value: object) -> str:
    """A Mobile Legends user id and zone (server) id, normalised to ``12345678 (1234)``.

    The user id is 5-12 digits and the zone id 1-5 digits; the zone may be written in
    parentheses or after a space, colon, slash or hyphen (``12345678 1234``, ``12345678:1234``).
    """
    text = _text(value)
    match = _MLBB.fullmatch(text)
    if match is None:
        raise PlayerIdError(
            "A Mobile Legends id is your user id and zone id, e.g. 12345678 (1234): "
            "5-12 digits, then 1-5 digits in parentheses."
        )
    zone = match.group(2) or match.group(3)
    return f"{match.group(1)} ({zone})"


# --- Call of Duty: Mobile -------------------------------------------------------------------------


def codm_id(value: object) -> str:
    """A Call of Duty: Mobile UID (6-20 digits) or in-game name (2-20 characters).

    A name keeps its letters and symbols as typed, with runs of spaces collapsed.
    """
    text = _text(value)
    if re.fullmatch(r"[0-9]{6,20}", text):
        return text
    name = _collapse_spaces(text)
    if not 2 <= len(name) <= 20:
        raise PlayerIdError("Use your numeric UID (6-20 digits) or in-game name (2-20 characters).")
    return name


# --- Free Fire, PUBG Mobile -----------------------------------------------------------------------


def freefire_uid(value: object) -> str:
    """A Free Fire player UID: 8-12 digits."""
    return _digits(value, minimum=8, maximum=12, what="A Free Fire UID")


def pubgm_id(value: object) -> str:
    """A PUBG Mobile character id: 8-12 digits."""
    return _digits(value, minimum=8, maximum=12, what="A PUBG Mobile character ID")


# --- games without a dedicated format ---------------------------------------------------------


def generic_name(value: object) -> str:
    """An in-game name for games without a checkable id: 2-32 characters, spaces collapsed."""
    name = _collapse_spaces(_text(value))
    if not 2 <= len(name) <= 32:
        raise PlayerIdError("Use your in-game name: 2 to 32 characters.")
    return name


# --- the registry -----------------------------------------------------------------------------

FORMATS: dict[str, PlayerIdFormat] = {
    entry.kind: entry
    for entry in (
        PlayerIdFormat("riot_id", "Riot ID", "Ace#EUW", "name#TAG", riot_id),
        PlayerIdFormat(
            "steam_id64",
            "SteamID64",
            "76561198000000001",
            "17 digits starting 7656119 (STEAM_0:Y:Z, [U:1:N] and profile URLs accepted)",
            steam_id64,
        ),
        PlayerIdFormat(
            "steam_account_id",
            "Steam account (Friend ID)",
            "39734273",
            "Dota 2 Friend ID or SteamID64; stored as the Friend ID",
            steam_account_id,
        ),
        PlayerIdFormat("konami_id", "Konami ID", "123456789012", "9-12 digits", konami_id),
        PlayerIdFormat("ea_id", "EA ID", "AceStriker10", "5-20 letters and digits", ea_id),
        PlayerIdFormat(
            "mlbb_id",
            "User ID (Zone ID)",
            "12345678 (1234)",
            "user id of 5-12 digits and zone id of 1-5 digits",
            mlbb_id,
        ),
        PlayerIdFormat(
            "codm_id",
            "UID or in-game name",
            "6742334573018578432",
            "numeric UID (6-20 digits) or in-game name (2-20 characters)",
            codm_id,
        ),
        PlayerIdFormat("freefire_uid", "Free Fire UID", "123456789", "8-12 digits", freefire_uid),
        PlayerIdFormat(
            "pubgm_id", "PUBG Mobile character ID", "5123456789", "8-12 digits", pubgm_id
        ),
        PlayerIdFormat("generic_name", "In-game name", "Ace", "2-32 characters", generic_name),
    )
}


def normalize(kind: str, value: object) -> str:
    """The normal form of ``value`` as an id of ``kind``; ``PlayerIdError`` if it is not one.

    An unknown ``kind`` is a programming or configuration error and raises ``KeyError``.
    """
    return FORMATS[kind].normalize(value)
