"""Text normalisation shared by extraction and cleaning.

Every string that leaves extraction goes through `normalise_text`, so later stages (dedup
fingerprints, feeds) compare like with like: mojibake repaired, NFC, one space between words.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import ftfy

logger = logging.getLogger(__name__)

# Keep typographic quotes and full-width CJK punctuation: they are content, not damage.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,
    fix_character_width=False,
    explain=False,
    normalization="NFC",
)

# Invisible characters that only break matching: zero-width space, word joiner, BOM, soft hyphen.
# ZWJ/ZWNJ are kept because Persian and Indic scripts need them.
_INVISIBLE_RE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_MAX_FIX_LENGTH = 200_000
# What ftfy could change in a string. Mojibake of UTF-8 read as windows-1252/Latin-1 shows a
# lead-byte character (Â-ô) followed by a continuation-byte one (U+0080-U+00BF or a cp1252
# punctuation mark); read as windows-1251, a Cyrillic lead (В-ф) followed by a cp1251
# continuation character. The other fixes need control characters, HTML entities, ligatures,
# surrogates or U+FFFD. Clean text has none of these and skips ftfy, most of a page's cost.
_CP1252_CONT = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122"
)
_CP1251_CONT = (
    "\u0402\u0403\u0405-\u040c\u040e\u040f\u0452-\u045c\u045e\u045f\u0490\u0491"
    "\u00a0\u00a4\u00a6\u00a7\u00a9\u00ab-\u00ae\u00b0\u00b1\u00b5-\u00b7\u00bb"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2116\u2122"
)
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I)
_MAY_NEED_FIX_RE = re.compile(
    f"[\u00c2-\u00f4][{_CP1252_CONT}]|[\u00c2\u00c3] |[\u0412-\u0444][{_CP1251_CONT}]"
    "|[\x00-\x08\x0e-\x1f\x7f-\x9f\ufb00-\ufb06\ud800-\udfff\ufffd]"
    "|&(?:#\\d+|#x[0-9a-f]+|[a-z]+\\d*);",
    re.IGNORECASE,
)


def normalise_text(text: str | None) -> str:
    """Repair mojibake, NFC-normalise and collapse whitespace; '' for None.

    ftfy is skipped for pathological strings longer than `_MAX_FIX_LENGTH` (NFC still applies)
    so one giant text node cannot stall a crawl. Plain ASCII text (most markup and much prose)
    takes a short path: it is NFC already and can hold nothing to repair but control
    characters and entities.
    """
    if not text:
        return ""
    if _plain_ascii(text):
        collapsed = " ".join(text.split())
        # The very string when it was normal already: a record holding the text before and
        # after (an extraction sent back from a worker) then pickles it once, not twice.
        return text if collapsed == text else collapsed
    if len(text) > _MAX_FIX_LENGTH:
        logger.debug("skipping ftfy on a %d-character string", len(text))
    elif _MAY_NEED_FIX_RE.search(text):
        text = ftfy.fix_text(text, config=_FTFY_CONFIG)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    # Any run of Unicode whitespace (no-break, thin, ideographic spaces...) becomes one space.
    return " ".join(text.split())


def _plain_ascii(text: str) -> bool:
    """ASCII with nothing to repair: no control characters but whitespace, no entities. The
    C-level string tests go first; a regex search over every string cost three times as much."""
    return (
        text.isascii()
        and (text.isprintable() or _ASCII_CONTROL_RE.search(text) is None)
        and ("&" not in text or _ENTITY_RE.search(text) is None)
    )


def text_key(text: str) -> str:
    """A comparison key: normalised, case-folded, trailing punctuation and quotes dropped."""
    return normalise_text(text).casefold().rstrip(" .…!?:;,\"'”’»").lstrip("\"'“‘« ")
