"""Month names in the languages syndicated wire copy arrives in (en, es, de, fr, pt, it).

Shared by date parsing and dateline parsing, which must agree on what a month looks like.
"""

from __future__ import annotations

import re

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "enero",
        "ene",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "janeiro",
        "gennaio",
        "gen",
    ),
    2: (
        "february",
        "feb",
        "febrero",
        "februar",
        "février",
        "fevrier",
        "févr",
        "fevereiro",
        "fev",
        "febbraio",
    ),
    3: ("march", "mar", "marzo", "märz", "mär", "mrz", "mars", "março", "marco"),
    4: ("april", "apr", "abril", "abr", "avril", "avr", "aprile"),
    5: ("may", "mayo", "mai", "maio", "maggio", "mag"),
    6: ("june", "jun", "junio", "juni", "juin", "junho", "giugno", "giu"),
    7: ("july", "jul", "julio", "juli", "juillet", "juil", "julho", "luglio", "lug"),
    8: ("august", "aug", "agosto", "ago", "août", "aout"),
    9: (
        "september",
        "sep",
        "sept",
        "septiembre",
        "setiembre",
        "septembre",
        "setembro",
        "settembre",
    ),
    10: ("october", "oct", "octubre", "oktober", "okt", "octobre", "outubro", "ottobre", "ott"),
    11: ("november", "nov", "noviembre", "novembre", "novembro"),
    12: (
        "december",
        "dec",
        "diciembre",
        "dic",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "dezembro",
        "dicembre",
    ),
}

MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}

# Longest names first so "june" wins over "jun"; \b stops "mar" matching "market".
MONTH_PATTERN = (
    "(?:" + "|".join(re.escape(name) for name in sorted(MONTHS, key=len, reverse=True)) + r")\b"
)


def month_number(name: str) -> int | None:
    """1-12 for a month name or abbreviation in any supported language, else None."""
    return MONTHS.get(name.lower().rstrip("."))
