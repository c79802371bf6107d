"""Article text -> the word tokens every dedup step compares.

Copies of one wire story differ in typography long before they differ in words: curly or straight
quotes, `U.S.` or `US`, `1,000` or `1000`, a non-breaking space, a dash. Tokenising away those
differences here lets an exact hash catch such copies cheaply, and keeps shingles of real copies
identical so the near-duplicate step only has to absorb genuine word edits (`Kiev`/`Kyiv`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Apostrophes vanish inside words ("Kiev's", "Kiev’s" and the typo "Kievs" agree); every other
# quote or punctuation mark is a token separator.
_APOSTROPHES = "'’‘‛ʼ`´"
# Typographic punctuation that copies use interchangeably with its ASCII form.
_TYPOGRAPHY = {
    "\xa0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "’": "'",
    "‘": "'",
    "‛": "'",
    "ʼ": "'",
    "´": "'",
    "′": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "″": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "−": "-",
    "•": " ",
    "·": " ",
    "…": "...",
}
_COMMON_TYPOGRAPHY = "\xa0’“”‘–—"
# Accents are dropped (Türkiye/Turkiye, Zürich/Zurich): NFKD splits them off as combining marks.
_COMBINING_MARK = re.compile(r"[\u0300-\u036f]+")
# Dotted abbreviations (u.s., u.k., e.g.) collapse to one word, as copy desks disagree on dots.
# Each pattern starts with its literal so the regex engine can skip ahead (about 3 µs a page;
# one pattern with three alternatives loses that and is many times slower).
_ABBREVIATION_DOT = re.compile(r"\.(?<=\b[^\W\d_]\.)(?=[^\W\d_]\b)")
# Thousands separators: 1,000 and 1000 are one number; `June 2, 2025` keeps its comma (space).
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d\d\d\b)")
# A decimal point joins its number into one token (3.5 is not 3 and 5): it becomes "_", a word
# character for both tokenisers below.
_DECIMAL_POINT = re.compile(r"\.(?<=\d\.)(?=\d)")
_WORD = re.compile(r"\w+")
# ASCII fast path: bytes.translate maps every non-word byte to a space in one C pass, about three
# times faster than a regex scan; it keeps exactly the characters `\w` keeps in ASCII.
_ASCII_TABLE = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(256))
_ASCII_DELETE = b"'`"
_FOLD_ERRORS = "syndigest-ascii-fold"
_FOLDED: dict[str, bytes | None] = {}


class _OtherScript(Exception):
    """The text has letters with no ASCII form (Cyrillic, Devanagari...)."""


def _fold_char(char: str) -> bytes | None:
    folded = _TYPOGRAPHY.get(char)
    if folded is None:
        folded = _COMBINING_MARK.sub("", unicodedata.normalize("NFKD", char)).casefold()
    return folded.encode() if folded.isascii() else None


def _ascii_fold(error: UnicodeError) -> tuple[bytes, int]:
    """Codec error handler: typography and accented Latin letters to ASCII, or give up.

    Encoding through a handler scans the ASCII bulk of a page in C and calls Python only for the
    few non-ASCII characters (curly quotes, dashes, an accent), several times faster than NFKD plus
    a regex over the whole text.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        if char not in _FOLDED:
            _FOLDED[char] = _fold_char(char)
        folded = _FOLDED[char]
        if folded is None:
            raise _OtherScript
        out.append(folded)
    return b"".join(out), error.end


codecs.register_error(_FOLD_ERRORS, _ascii_fold)


def tokens(text: str) -> list[str]:
    """The normalised words of `text`: casefolded, accents, punctuation and quotes dropped."""
    if not text.isascii():
        for mark in _COMMON_TYPOGRAPHY:  # a replace per common mark beats a handler call each
            if mark in text:
                text = text.replace(mark, _TYPOGRAPHY[mark])
    try:
        folded = text.encode("ascii", _FOLD_ERRORS).decode().lower()
    except _OtherScript:
        return _unicode_tokens(text)
    folded = _fold_marks(folded)
    return folded.encode().translate(_ASCII_TABLE, _ASCII_DELETE).decode().split()


def _unicode_tokens(text: str) -> list[str]:
    """The same normalisation for a text in another script, by a (slower) Unicode regex."""
    folded = _COMBINING_MARK.sub("", unicodedata.normalize("NFKD", text)).casefold()
    for mark, ascii_mark in _TYPOGRAPHY.items():
        if mark in folded:
            folded = folded.replace(mark, ascii_mark)
    for mark in _APOSTROPHES:
        folded = folded.replace(mark, "")
    return _WORD.findall(_fold_marks(folded))


def _fold_marks(folded: str) -> str:
    folded = _ABBREVIATION_DOT.sub("", folded)
    folded = _THOUSANDS.sub("", folded)
    return _DECIMAL_POINT.sub("_", folded)


# A leading wire dateline: "BEIJING, June 2 (Xinhua) -- ", "Kyiv [Ukraine], June 2 (ANI): ",
# "Mumbai (Maharashtra) [India], June 2 (ANI): ", "MOSCOW (Reuters) - ". Sites add, drop and
# re-date it freely, so it says nothing about which story a text is.
_DATELINE = re.compile(
    r"\A\s*[A-Z][\w.'’-]*(?:[ ][A-Z][\w.'’-]*){0,3}"  # place: capitalised words
    r"(?:\s*\([^()\n]{1,30}\))?(?:\s*\[[^\]\n]{1,30}\])?"  # (state) [country]
    r"(?:,[^\n:()\[\]]{1,30}?)?"  # , date
    r"\s*\([A-Z][\w.&'’-]*(?:[ ][A-Z][\w.&'’-]*){0,2}\)\s*(?:--|[-—–:])\s*"  # (AGENCY) --
)


def strip_dateline(text: str) -> str:
    """`text` without a leading wire dateline."""
    return _DATELINE.sub("", text, count=1)


def split_last_paragraph(text: str) -> tuple[str, str]:
    """`text` as (everything before its last line break, the last paragraph); ("text", "") for a
    one-paragraph text.

    The index may discount a trailing paragraph that a site appended (a promo, a sign-off) when it
    checks whether one copy lies inside another; it needs to know where that paragraph starts.
    Tokenising the two parts apart gives the same words as tokenising the whole.
    """
    body = text.rstrip()
    cut = body.rfind("\n")
    if cut < 0 or not body[:cut].strip():
        return text, ""
    return body[:cut], body[cut + 1 :]


def number_key(token: str) -> str:
    """A numeric token in one spelling (`02` and `2` agree)."""
    if token[0] != "0":
        return token
    whole, point, fraction = token.partition("_")
    return (whole.lstrip("0") or "0") + point + fraction


_NUMBER = re.compile(r" ([0-9][^ ]*)")


def numbers(normalised: str) -> frozenset[str]:
    """The distinct numbers stated in `normalised` (the tokens joined by single spaces).

    Template stories (market reports, scores, weather) share nearly every word and differ in their
    figures; two texts whose numbers disagree are different reports however alike their prose.
    """
    return frozenset(map(number_key, _NUMBER.findall(" " + normalised)))


__all__ = ["number_key", "numbers", "split_last_paragraph", "strip_dateline", "tokens"]
