"""Article text -> the word tokens every dedup step compares.

Copies of one wire story differ in typography long before they differ in words: curly or straight
quotes, `U.S.` or `US`, `1,000` or `1000`, a non-breaking space, a dash. Tokenising away those
differences here lets an exact hash catch such copies cheaply, and keeps shingles of real copies
identical so the near-duplicate step only has to absorb genuine word edits (`Kiev`/`Kyiv`).
"""

from __future__ import annotations

import re
import unicodedata

# Apostrophes vanish inside words ("Kiev's", "Kiev’s" and the typo "Kievs" agree); every other
# quote or punctuation mark is a token separator.
_APOSTROPHES = str.maketrans("", "", "'’‘‛ʼ`´")
# Dotted abbreviations (u.s., u.k., e.g.) collapse to one word, as copy desks disagree on dots.
_ABBREVIATION = re.compile(r"\b[^\W\d_](?:\.[^\W\d_])+\b\.?")
# Thousands separators: 1,000 and 1000 are one number; `June 2, 2025` keeps its comma (space).
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# A number keeps its decimal point (3.5 is not 3 and 5); anything else is a run of letters/digits.
_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W_]+")


def _undot(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


def tokens(text: str) -> list[str]:
    """The normalised words of `text`: NFKC, casefolded, punctuation and quotes dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    folded = _ABBREVIATION.sub(_undot, folded)
    folded = _THOUSANDS.sub("", folded)
    return _TOKEN.findall(folded)


def last_paragraph(text: str) -> str:
    """The text after the last line break, or "" for a one-paragraph text.

    The index may discount a trailing paragraph that a site appended (a promo, a sign-off) when it
    checks whether one copy lies inside another; it needs to know where that paragraph starts.
    """
    body = text.rstrip()
    cut = body.rfind("\n")
    if cut < 0 or not body[:cut].strip():
        return ""
    return body[cut + 1 :]


def number_key(token: str) -> str:
    """A numeric token in one spelling (`02` and `2` agree), or "" for a word."""
    if not token[:1].isdigit():
        return ""
    whole, dot, frac = token.partition(".")
    return (whole.lstrip("0") or "0") + dot + frac


def numbers(words: list[str]) -> frozenset[str]:
    """The distinct numbers a text states.

    Template stories (market reports, scores, weather) share nearly every word and differ in their
    figures; two texts whose numbers disagree are different reports however alike their prose.
    """
    return frozenset(key for key in map(number_key, words) if key)


__all__ = ["last_paragraph", "number_key", "numbers", "tokens"]
