"""Stable fingerprints of what a build reads, so the next build can tell what changed.

An incremental build must never serve a stale page, so a fingerprint covers everything a page's
bytes depend on: the stories it shows (`story_fingerprint`, from the raw stored story), the page's
own fields and context (`page_key`), and a `salt` for everything shared by all pages (the build
code, the templates and static files, the site config). A missed input would be a silent stale
page; an extra one only costs a re-render, so when in doubt this hashes more.

Python's `hash()` is salted per process; these are BLAKE2 digests of canonical text instead, the
same on every run and machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crawler.items import Story

DIGEST_SIZE = 16
FORMAT_VERSION = "1"  # bump to force a full rebuild when the meaning of a key changes


def digest(*parts: str) -> str:
    """Hex BLAKE2b of the parts, each length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def story_fingerprint(story: Story) -> str:
    """Everything the build reads of one story. Datetimes keep their offset (pages show it)."""
    fields = (
        story.id,
        story.title,
        story.url,
        story.source,
        story.published.isoformat(),
        story.published_estimated,
        story.original_source,
        story.author,
        story.lede,
        story.paragraphs,
        story.language,
        story.first_seen.isoformat(),
        tuple((c.url, c.source, c.title, c.published.isoformat()) for c in story.copies),
        story.images,
    )
    return digest(repr(fields))


def files_digest(roots: Iterable[Path], pattern: str = "**/*") -> str:
    """One digest of every file under the roots (names and bytes): the templates, the code."""
    parts: list[str] = []
    for root in roots:
        for file in sorted(root.glob(pattern)):
            if file.is_file() and "__pycache__" not in file.parts:
                parts.append(file.relative_to(root).as_posix())
                parts.append(hashlib.blake2b(file.read_bytes(), digest_size=DIGEST_SIZE).hexdigest())
    return digest(*parts)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _walk(value: Any, out: list[str]) -> None:
    fingerprint = getattr(value, "fingerprint", None)
    if isinstance(fingerprint, str):  # a story view: its story's fingerprint stands for it
        out.append("#" + fingerprint)
    elif value is None or isinstance(value, str | int | float | bool):
        out.append(repr(value))
    elif isinstance(value, dt.datetime | dt.date):
        out.append(value.isoformat())
    elif isinstance(value, tuple | list):
        out.append("[")
        for item in value:
            _walk(item, out)
        out.append("]")
    elif isinstance(value, Mapping):
        out.append("{")
        for key in sorted(value):
            out.append(repr(key))
            _walk(value[key], out)
        out.append("}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(type(value).__name__ + "(")
        for name in _field_names(type(value)):
            _walk(getattr(value, name), out)
        out.append(")")
    else:
        # Refuse rather than guess: an input the key cannot see would make a stale page.
        raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")


def value_fingerprint(value: Any) -> str:
    """A digest of plain data: str, numbers, dates, tuples, mappings, dataclasses, story views."""
    out: list[str] = []
    _walk(value, out)
    return digest(*out)


def build_salt(
    *, code_dir: Path, templates_dir: Path, site: Any, sources: Any, search: bool
) -> str:
    """What every page depends on besides its own data."""
    return digest(
        FORMAT_VERSION,
        files_digest([code_dir], "*.py"),
        files_digest([templates_dir]),
        repr(site),
        repr(sources),
        repr(search),
    )
