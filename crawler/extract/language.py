"""Page language as a two-letter ISO 639-1 code, from what the page declares."""

from __future__ import annotations

import logging
import re

from crawler.extract.metadata import PageMeta, ld_text

logger = logging.getLogger(__name__)

_THREE_TO_TWO = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "fra": "fr",
    "fre": "fr",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
    "ara": "ar",
    "hin": "hi",
    "por": "pt",
    "ita": "it",
    "jpn": "ja",
    "kor": "ko",
    "tur": "tr",
    "ukr": "uk",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "urd": "ur",
    "ben": "bn",
    "fas": "fa",
    "per": "fa",
    "ind": "id",
    "msa": "ms",
    "may": "ms",
    "vie": "vi",
}
# Deprecated or legacy codes still seen in the wild.
_LEGACY = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
_CODE_RE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def normalise_language(value: str | None) -> str | None:
    """ "en-US", "en_GB", "EN", "eng" -> "en"; None for unknown, "und", "x-default" or junk."""
    if not value:
        return None
    match = _CODE_RE.match(value.strip().split(",")[0].strip())
    if not match:
        return None
    code = match.group(1).lower()
    if len(code) == 3:
        return _THREE_TO_TWO.get(code)
    return _LEGACY.get(code, code)


def find_language(meta: PageMeta) -> str | None:
    """<html lang>, then og:locale, then JSON-LD inLanguage, then Content-Language meta."""
    for value in (
        meta.html_lang,
        meta.first("og:locale"),
        ld_text(meta.ld("inLanguage")),
        meta.first("content-language", "dc.language", "language"),
    ):
        code = normalise_language(value)
        if code:
            return code
    return None
