"""Player-id validators: what each game accepts, how it is normalised, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deltacrown.apps.games import validators
from deltacrown.apps.games.validators import STEAM_ID64_BASE, PlayerIdError

FULL_WIDTH_DIGITS = "".join(chr(0xFF10 + int(d)) for d in "5123456789")

ACCEPTED = [
    # Valorant: name#TAG; spaces around '#' dropped, tag upper-cased, name kept as typed.
    ("riot_id", "Ace#EUW", "Ace#EUW"),
    ("riot_id", "  Ace # euw ", "Ace#EUW"),
    ("riot_id", "Big   Ace#NA1", "Big Ace#NA1"),
    ("riot_id", "Ñandú#LAS", "Ñandú#LAS"),
    ("riot_id", "Sixteen-Chars-OK#12345", "Sixteen-Chars-OK#12345"),
    # Counter-Strike 2: SteamID64, also from its other notations.
    ("steam_id64", "76561198000000000", "76561198000000000"),
    ("steam_id64", "STEAM_0:1:19867136", "76561198000000001"),
    ("steam_id64", "STEAM_1:1:19867136", "76561198000000001"),
    ("steam_id64", "[U:1:39734273]", "76561198000000001"),
    ("steam_id64", "https://steamcommunity.com/profiles/76561198000000001/", "76561198000000001"),
    # Dota 2: the account id ("Friend ID"), from itself or any SteamID notation.
    ("steam_account_id", "39734273", "39734273"),
    ("steam_account_id", "76561198000000001", "39734273"),
    ("steam_account_id", "U:1:39734273", "39734273"),
    ("steam_account_id", "STEAM_0:1:19867136", "39734273"),
    # eFootball: 9-12 digits, grouping dropped.
    ("konami_id", "123456789", "123456789"),
    ("konami_id", "1234-5678-9012", "123456789012"),
    ("konami_id", "123 456 789", "123456789"),
    # EA Sports FC: 5-20 letters and digits, case kept.
    ("ea_id", "AceStriker10", "AceStriker10"),
    ("ea_id", "abcde", "abcde"),
    # Mobile Legends: user id and zone id in any of the accepted spellings.
    ("mlbb_id", "12345678 (1234)", "12345678 (1234)"),
    ("mlbb_id", "12345678(1234)", "12345678 (1234)"),
    ("mlbb_id", "12345678 1234", "12345678 (1234)"),
    ("mlbb_id", "12345678:12345", "12345678 (12345)"),
    # Call of Duty: Mobile: UID, or an in-game name.
    ("codm_id", "6742334573018578432", "6742334573018578432"),
    ("codm_id", "Ghost  Rider", "Ghost Rider"),
    ("codm_id", "ᴳᴴᴼˢᵀ", "ᴳᴴᴼˢᵀ"),
    # Free Fire and PUBG Mobile: numeric ids.
    ("freefire_uid", "123456789", "123456789"),
    ("pubgm_id", "5123456789", "5123456789"),
    ("generic_name", " Ace  of Spades ", "Ace of Spades"),
]

REFUSED = [
    ("riot_id", "Ace"),
    ("riot_id", "Ace#"),
    ("riot_id", "Ace#EU"),  # tag too short
    ("riot_id", "Ace#EUWEST"),  # tag too long
    ("riot_id", "Ac#EUW"),  # name too short
    ("riot_id", "Seventeen-Chars-X#EUW"),
    ("riot_id", "Ace#EU#W"),
    ("riot_id", "Ace#EU_W"),
    ("steam_id64", "39734273"),  # an account id is not a SteamID64
    ("steam_id64", "7656119800000000"),  # 16 digits
    ("steam_id64", "76561197960265728"),  # account 0 does not exist
    ("steam_id64", "86561198000000000"),
    ("steam_id64", "https://steamcommunity.com/id/acegamer"),
    ("steam_account_id", "0"),
    ("steam_account_id", "4294967296"),  # beyond 32 bits
    ("steam_account_id", "STEAM_0:2:1"),
    ("steam_account_id", "[U:1:39734273"),
    ("steam_account_id", "ace"),
    ("konami_id", "12345678"),  # 8 digits
    ("konami_id", "1234567890123"),  # 13 digits
    ("konami_id", "12345678a"),
    ("ea_id", "abcd"),
    ("ea_id", "a" * 21),
    ("ea_id", "Ace_Striker"),
    ("ea_id", "Ace Striker"),
    ("mlbb_id", "12345678"),  # zone missing
    ("mlbb_id", "1234 (1234)"),  # user id too short
    ("mlbb_id", "12345678 (123456)"),  # zone too long
    ("mlbb_id", "abcdefgh (1234)"),
    ("codm_id", "A"),
    ("codm_id", "x" * 21),
    ("freefire_uid", "1234567"),
    ("freefire_uid", "1234567890123"),
    ("freefire_uid", "12345678a"),
    ("pubgm_id", FULL_WIDTH_DIGITS),  # digits, but not 0-9
    ("generic_name", "x"),
]


@pytest.mark.parametrize(("kind", "typed", "stored"), ACCEPTED)
def test_valid_ids_are_accepted_in_their_normal_form(kind, typed, stored):
    assert validators.normalize(kind, typed) == stored


@pytest.mark.parametrize(("kind", "typed"), REFUSED)
def test_invalid_ids_are_refused_with_a_message_saying_what_is_valid(kind, typed):
    with pytest.raises(PlayerIdError) as excinfo:
        validators.normalize(kind, typed)
    assert len(str(excinfo.value)) > 10


@pytest.mark.parametrize("kind", sorted(validators.FORMATS))
@pytest.mark.parametrize("typed", ["", "   ", "bell\x07ring", "x" * 65, 12345, None])
def test_every_kind_refuses_empty_overlong_control_and_non_text_values(kind, typed):
    with pytest.raises(PlayerIdError):
        validators.normalize(kind, typed)


@pytest.mark.parametrize("kind", sorted(validators.FORMATS))
def test_every_kind_accepts_its_own_documented_example(kind):
    entry = validators.FORMATS[kind]
    assert validators.normalize(kind, entry.example) == entry.example


@pytest.mark.parametrize("kind", sorted(validators.FORMATS))
@given(typed=st.text(max_size=40))
def test_normalising_a_normal_form_changes_nothing(kind, typed):
    try:
        stored = validators.normalize(kind, typed)
    except PlayerIdError:
        return
    assert validators.normalize(kind, stored) == stored


@given(account=st.integers(min_value=1, max_value=2**32 - 1))
def test_every_steam_notation_of_an_account_normalises_to_the_same_ids(account):
    steam64 = str(STEAM_ID64_BASE + account)
    notations = [
        steam64,
        f"STEAM_0:{account % 2}:{account // 2}",
        f"[U:1:{account}]",
        f"https://steamcommunity.com/profiles/{steam64}",
    ]
    assert {validators.steam_id64(n) for n in notations} == {steam64}
    assert {validators.steam_account_id(n) for n in [*notations, str(account)]} == {str(account)}
