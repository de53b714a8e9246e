"""Web app, template helpers: labels, amounts and times as the pages show them.

Pure formatting of values the views already hold; nothing here reads the database.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from deltacrown.apps.web import bracket

register = template.Library()

# Currencies whose minor unit is the unit itself (ISO 4217 exponent 0), among those organizers
# plausibly use; every other currency counts hundredths.
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG"})
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "BRL": "R$"}

_FORMATS = {
    "single_elimination": "Single elimination",
    "double_elimination": "Double elimination",
    "round_robin": "Round robin",
    "swiss": "Swiss",
    "groups_playoffs": "Groups + playoffs",
    "battle_royale": "Battle royale",
}


@register.filter
def label(value: Any) -> str:
    """A snake_case state or enum value as words: ``registration_open`` → "Registration open"."""
    text = str(getattr(value, "value", value) or "")
    return text.replace("_", " ").capitalize()


@register.filter
def format_label(value: str) -> str:
    """An engine format's name for people."""
    return _FORMATS.get(str(value), label(value))


@register.simple_tag
def money(amount: int, currency: str) -> str:
    """Integer minor units as an amount: ``money 50000 "EUR"`` → "€500"."""
    if not currency:
        return str(amount)
    exponent = 0 if currency in _ZERO_DECIMAL else 2
    units = amount / (10**exponent)
    text = f"{units:,.{exponent}f}"
    if exponent and text.endswith(".00"):
        text = text[:-3]
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


@register.filter
def ordinal(number: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th"."""
    number = int(number)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


@register.simple_tag
def when(moment: datetime | None, style: str = "datetime") -> SafeString | str:
    """A ``<time>`` element in UTC that the page's script shows in the reader's time zone."""
    if moment is None:
        return ""
    text = moment.strftime("%d %b %Y, %H:%M UTC" if style == "datetime" else "%d %b %Y")
    return format_html(
        '<time datetime="{}" data-local="{}">{}</time>', moment.isoformat(), style, text
    )


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` (None when absent), for dictionaries keyed by ids."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


# The numbers a standings table shows, in this order when present: key -> (heading, meaning).
_STATS: dict[str, tuple[str, str]] = {
    "played": ("P", "Played"),
    "lobbies": ("L", "Lobbies played"),
    "wins": ("W", "Wins"),
    "draws": ("D", "Draws"),
    "losses": ("L", "Losses"),
    "score_for": ("SF", "Score for"),
    "score_against": ("SA", "Score against"),
    "score_difference": ("+/\N{MINUS SIGN}", "Score difference"),
    "buchholz": ("Bh", "Buchholz (opponents' points)"),
    "kills": ("K", "Kills"),
    "round_wins": ("RW", "Round wins"),
    "best_placement": ("Best", "Best placement"),
    "points": ("Pts", "Points"),
}


_SHOWN_STATUSES = frozenset({"eliminated", "withdrawn", "disqualified"})


@register.simple_tag
def standings_table(rows: Any, caption: str) -> SafeString:
    """A standings table of ``rows`` (written in Python: tables run to hundreds of rows, and
    Django's template loop would cost more than the rest of the page). Only the statistics the
    rows have are shown, each column headed by its abbreviation and meaning."""
    rows = list(rows or ())
    present = rows[0].stats if rows else {}
    columns = [(key, head, title) for key, (head, title) in _STATS.items() if key in present]
    heads = "".join(
        f'<th scope="col" class="num"><abbr title="{escape(title)}">{escape(head)}</abbr></th>'
        for _, head, title in columns
    )
    lines = []
    for row in rows:
        status = (
            f' <span class="muted small">({escape(row.status)})</span>'
            if row.status in _SHOWN_STATUSES
            else ""
        )
        cells = "".join(
            f'<td class="num">{escape(str(row.stats.get(key, "")))}</td>' for key, _, _ in columns
        )
        lines.append(
            f'<tr data-p="p{int(row.participant_id)}"><td class="num">{int(row.rank)}</td>'
            f"<td>{escape(row.name)}{status}</td>{cells}</tr>"
        )
    body = "\n".join(lines)
    return mark_safe(  # noqa: S308 - every text above is escaped
        '<div class="table-scroll">\n<table>\n'
        f'  <caption class="visually-hidden">{escape(caption)}</caption>\n'
        f'  <thead><tr><th scope="col" class="num">#</th><th scope="col">Name</th>{heads}'
        "</tr></thead>\n"
        f"  <tbody>\n{body}\n  </tbody>\n</table>\n</div>"
    )


@register.filter
def get_index(sequence: Any, index: int) -> Any:
    """``sequence[index]`` ("" when out of range)."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.simple_tag
def match_row(match: Any) -> SafeString:
    """One match of a list (``bracket.row``; written in Python: lists run to hundreds)."""
    return mark_safe(bracket.row(match))  # noqa: S308 - bracket.row escapes every text
