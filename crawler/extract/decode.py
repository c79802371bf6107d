"""Bytes to text the way a browser does it, so we read what the site's readers read.

Order (WHATWG, simplified): byte-order mark, then the HTTP Content-Type charset, then a
``<meta charset>`` / ``http-equiv`` declaration near the top, then strict UTF-8, and only if the
bytes are not UTF-8, a charset-normalizer guess. Declared-but-wrong charsets produce mojibake,
which `crawler.extract.text.normalise_text` repairs later. One deliberate difference from a
browser: stray windows-1252 bytes in a page declared UTF-8 are read as windows-1252 instead of
becoming U+FFFD, which nothing could repair later.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

import charset_normalizer

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How far into the document a <meta> declaration is honoured (browsers use 1024; real pages put
# long comments and scripts first, so we look a little further).
_PRESCAN_BYTES = 4096
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE
)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:+-]+)""")
_DETECT_BYTES = 200_000

# WHATWG Encoding Standard label aliases that differ from Python's codec of the same name.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "x-user-defined": "cp1252",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}


def _c1_passthrough(error: UnicodeError) -> tuple[str, int]:
    """WHATWG windows-1252 maps its five undefined bytes (0x81, 0x8D...) to U+0081...; Python's
    cp1252 refuses them. Matching the browser keeps mojibake reversible by ftfy."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return chr(error.object[error.start]), error.start + 1


_C1_ERRORS = "syndigest-c1-passthrough"
codecs.register_error(_C1_ERRORS, _c1_passthrough)

# Bytes 0x80-0xFF that windows-1252 leaves undefined: they stay U+FFFD in mixed UTF-8 text.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Invalid bytes in a UTF-8 page read as windows-1252, one byte at a time.

    Legacy CMSs paste Word text (0x93 "quote" 0x94, 0x96 dash, 0xE9 é) into UTF-8 pages. A
    browser shows U+FFFD for each such byte and the character is lost; here it is recovered.
    Valid UTF-8 around it is untouched.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start]
    if byte in _CP1252_UNDEFINED or byte < 0x80:
        return "\ufffd", error.start + 1
    return bytes([byte]).decode("cp1252"), error.start + 1


_UTF8_ERRORS = "syndigest-cp1252-fallback"
codecs.register_error(_UTF8_ERRORS, _cp1252_fallback)


def _decode(body: bytes, codec: str) -> str:
    if codec == "cp1252":
        return body.decode(codec, _C1_ERRORS)
    if codec == "utf-8":
        return body.decode(codec, _UTF8_ERRORS)
    return body.decode(codec, "replace")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text plus the codec used and why (``bom``/``http``/``meta``/``utf-8``/...)."""

    text: str
    encoding: str
    source: str


def resolve_charset(label: str | None) -> str | None:
    """Map a charset label to a Python codec name, or None if it is unknown or empty."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    key = _LABEL_ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        logger.debug("unknown charset label %r", label)
        return None


def sniff_meta_charset(body: bytes) -> str | None:
    """The codec declared by ``<meta charset>``/``http-equiv`` (or an XML declaration) near the top."""
    head = body[:_PRESCAN_BYTES]
    for match in _META_CHARSET_RE.finditer(head):
        codec = resolve_charset(match.group(1).decode("ascii", "replace"))
        if codec:
            # A page cannot declare itself UTF-16 in ASCII-compatible bytes; browsers read UTF-8.
            return "utf-8" if codec.startswith("utf-16") else codec
    xml = _XML_DECL_RE.match(head)
    if xml:
        codec = resolve_charset(xml.group(1).decode("ascii", "replace"))
        if codec and not codec.startswith("utf-16"):
            return codec
    return None


def decode_html(body: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page's bytes; never raises, undecodable bytes become U+FFFD."""
    codec: str | None
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(_decode(body[len(bom) :], codec), codec, "bom")
    codec = resolve_charset(http_charset)
    if codec:
        return Decoded(_decode(body, codec), codec, "http")
    codec = sniff_meta_charset(body)
    if codec:
        return Decoded(_decode(body, codec), codec, "meta")
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    guess = _detect(body)
    if guess:
        logger.debug("no declared charset and not UTF-8; guessed %s", guess)
        return Decoded(_decode(body, guess), guess, "detected")
    return Decoded(body.decode("utf-8", "replace"), "utf-8", "fallback")


def _detect(body: bytes) -> str | None:
    """charset-normalizer's best guess on a sample, as a Python codec name."""
    try:
        best = charset_normalizer.from_bytes(body[:_DETECT_BYTES]).best()
    except Exception:  # the detector is a heuristic; it must not take extraction down
        logger.debug("charset detection failed", exc_info=True)
        return None
    return resolve_charset(best.encoding) if best is not None else None
