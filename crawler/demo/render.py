"""Small rendering helpers shared by the demo sites: documents, escaping, slugs, teasers, dates."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from string import Template

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
CSS = "text/css; charset=utf-8"
GIF = "image/gif"

SITE_EPOCH = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
"""Last-Modified of everything that does not depend on the stories (robots.txt, CSS, About)."""

PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@dataclass(frozen=True, slots=True)
class Document:
    """One servable resource: its bytes, Content-Type and Last-Modified (whole seconds, UTC)."""

    body: bytes
    content_type: str
    last_modified: datetime
    etag: str = field(default="", compare=False)

    @classmethod
    def make(cls, body: str | bytes, content_type: str, last_modified: datetime) -> Document:
        data = body.encode("utf-8") if isinstance(body, str) else body
        stamp = last_modified.astimezone(UTC).replace(microsecond=0)
        tag = '"' + hashlib.sha256(data).hexdigest()[:24] + '"'
        return cls(body=data, content_type=content_type, last_modified=stamp, etag=tag)


def esc(text: str) -> str:
    """Escape text for HTML or XML content and attribute values."""
    return html.escape(text, quote=True)


def slugify(text: str, limit: int = 80) -> str:
    """ASCII, lowercase, hyphenated slug of at most `limit` characters, cut at a word."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def teaser(text: str, limit: int = 130, ellipsis: str = "...") -> str:
    """The first words of `text` (at most `limit` characters) followed by `ellipsis`."""
    cut = text.rstrip(".") if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]
    return cut + ellipsis


def short_hash(text: str, length: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def number_from(text: str, modulo: int) -> int:
    """A stable number in [0, modulo) derived from text."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:12], 16) % modulo


def offset_label(tz: timezone) -> str:
    """``GMT+10``, ``GMT+5:30``, ``GMT-4`` for a fixed offset."""
    delta = tz.utcoffset(None) or timedelta()
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")


@cache
def template(name: str) -> Template:
    """A page template from ``crawler/demo/templates`` (string.Template syntax)."""
    text = resources.files("crawler.demo").joinpath(f"templates/{name}").read_text("utf-8")
    return Template(text)


def render(name: str, **values: str) -> str:
    """Fill a template; every placeholder must be given (values are inserted verbatim)."""
    return template(name).substitute(values)


def paragraphs_html(paragraphs: tuple[str, ...] | list[str], indent: str = "      ") -> str:
    return "\n".join(f"{indent}<p>{esc(p)}</p>" for p in paragraphs)


def xml_doc(body: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body
