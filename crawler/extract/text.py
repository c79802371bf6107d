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
# Any run of whitespace, including no-break and other Unicode spaces, becomes one space.
_SPACE_RE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_MAX_FIX_LENGTH = 200_000
# What ftfy could change in a string: mojibake always shows a Latin-1/Latin Extended, Greek or
# Cyrillic character (the decoded lead byte of a UTF-8 sequence), and the other fixes need
# control characters, HTML entities, ligatures, surrogates or U+FFFD. Plain ASCII prose with
# typographic quotes and dashes has none of them and skips ftfy (most of its cost on a page).
_MAY_NEED_FIX_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00a1-\u024f\u0370-\u04ff\ufb00-\ufb06"
    "\ud800-\udfff\ufffd]|[\u00c2\u00c3]\u00a0|&(?:#\\d+|#x[0-9a-f]+|[a-z]+\\d*);",
    re.IGNORECASE,
)


def normalise_text(text: str | None) -> str:
    """Repair mojibake, NFC-normalise and collapse whitespace; '' for None.

    ftfy is skipped for pathological strings longer than `_MAX_FIX_LENGTH` (NFC still applies)
    so one giant text node cannot stall a crawl.
    """
    if not text:
        return ""
    if len(text) > _MAX_FIX_LENGTH:
        logger.debug("skipping ftfy on a %d-character string", len(text))
    elif _MAY_NEED_FIX_RE.search(text):
        text = ftfy.fix_text(text, config=_FTFY_CONFIG)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip()


def text_key(text: str) -> str:
    """A comparison key: normalised, case-folded, trailing punctuation and quotes dropped."""
    return normalise_text(text).casefold().rstrip(" .…!?:;,\"'”’»").lstrip("\"'“‘« ")
