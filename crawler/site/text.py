"""Plain-text hygiene for everything that reaches a page or a feed.

Source text is hostile: it may carry control characters that XML 1.0 forbids (one of them makes a
whole feed unreadable), stray whitespace, or nothing at all. Every text field of a view model goes
through `clean_line` or `clean_paragraph` here, so the templates and feed writers never see it raw.
Escaping is not done here: Jinja autoescape and the feed serialisers do that.
"""

from __future__ import annotations

import re

# XML 1.0 forbids C0 controls other than tab, LF and CR, lone surrogates and U+FFFE/U+FFFF. C1
# controls and DEL are legal in XML but are always debris in news text, so they go too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def strip_forbidden(text: str) -> str:
    """Remove characters an XML feed cannot carry (the rest of the text is kept as is)."""
    return _FORBIDDEN.sub("", text)


def _is_clean(text: str) -> bool:
    """Whether non-empty text is already as `clean_line` leaves it (the usual case).

    `isprintable` is False for every control, surrogate, noncharacter and whitespace character
    but the plain space, so such text has nothing to remove and, without doubled or edge
    spaces, nothing to collapse.
    """
    return text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " "


def clean_line(text: str | None) -> str:
    """One-line text (titles, names): forbidden characters gone, whitespace collapsed."""
    if not text:
        return ""
    if _is_clean(text):
        return text
    return _SPACE.sub(" ", strip_forbidden(text)).strip()


def clean_paragraphs(paragraphs: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Body paragraphs, each cleaned like a line; empty ones dropped."""
    # Checked at once, the usual case: joined by single spaces, the paragraphs are clean
    # exactly when each is clean and none is empty (an empty one would leave an edge or a
    # doubled space).
    joined = " ".join(paragraphs)
    if joined and _is_clean(joined):
        return tuple(paragraphs)
    return tuple(filter(None, map(clean_line, paragraphs)))


def clean_language(tag: str | None) -> str | None:
    """A BCP 47-looking language tag, or None: it lands in a `lang` attribute."""
    tag = clean_line(tag)
    return tag if _LANGUAGE.match(tag) else None


def excerpt(text: str, limit: int = 160) -> str:
    """Shorten text at a word boundary for meta descriptions; adds an ellipsis when cut."""
    text = clean_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"
