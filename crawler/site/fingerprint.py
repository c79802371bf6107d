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
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
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


def _hex(text: str) -> str:
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=DIGEST_SIZE
    ).hexdigest()


def story_fingerprint(story: Story) -> str:
    """Everything the build reads of one story. Datetimes keep their offset (pages show it).

    Runs for every story on every build, so it is plain concatenation; the lengths of all the
    parts go first, which keeps two different stories from ever giving the same text.
    """
    parts = [
        story.id,
        story.title,
        story.url,
        story.source,
        story.published.isoformat(),
        story.original_source or "",
        story.author or "",
        story.lede,
        story.language or "",
        story.first_seen.isoformat(),
        f"{story.published_estimated:d} {story.original_source is None:d} {story.author is None:d} "
        f"{len(story.paragraphs)} {len(story.copies)} {len(story.images)}",
        *story.paragraphs,
        *story.images,
    ]
    for copy in story.copies:
        parts += (copy.url, copy.source, copy.title, copy.published.isoformat())
    return _hex(",".join(map(str, map(len, parts))) + "\n" + "".join(parts))


def bytes_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def files_digest(roots: Iterable[Path], pattern: str = "**/*") -> str:
    """One digest of every file under the roots (names and bytes): the templates, the code."""
    parts: list[str] = []
    for root in roots:
        for file in sorted(root.glob(pattern)):
            if file.is_file() and "__pycache__" not in file.parts:
                parts.append(file.relative_to(root).as_posix())
                parts.append(bytes_digest(file.read_bytes()))
    return digest(*parts)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _stands_for_itself(cls: type) -> bool:
    """Whether a type carries its own `fingerprint` (story views do): then that is used."""
    return dataclasses.is_dataclass(cls) and "fingerprint" in _field_names(cls)


_PLAIN = frozenset({str, int, float, bool, type(None)})
_FINGERPRINT = operator.attrgetter("fingerprint")


def _walk(value: Any, out: list[str]) -> None:
    # A walker per exact type, found once: this runs a million times in a large build.
    kind = type(value)
    walker = _WALKERS.get(kind)
    if walker is None:
        walker = _WALKERS[kind] = _walker(kind)
    walker(value, out)


def _walk_plain(value: Any, out: list[str]) -> None:
    out.append(repr(value))


def _walk_list(value: Sequence[Any], out: list[str]) -> None:
    out.append("[")
    kinds: set[type] = set(map(type, value))
    if len(kinds) == 1 and _stands_for_itself(kinds.pop()):
        # A list of stories, most of what pages show: their parts in one go.
        out.append("#" + "\x1f#".join(map(_FINGERPRINT, value)))
    else:
        for item in value:
            _walk(item, out)
    out.append("]")


def _walk_story(value: Any, out: list[str]) -> None:
    out.append("#" + value.fingerprint)


def _walk_date(value: dt.date, out: list[str]) -> None:
    out.append(value.isoformat())


def _walk_mapping(value: Mapping[Any, Any], out: list[str]) -> None:
    out.append("{")
    for key in sorted(value):
        out.append(repr(key))
        _walk(value[key], out)
    out.append("}")


def _walk_fields(kind: type) -> Walker:
    opening = kind.__name__ + "("
    names = _field_names(kind)

    def walk(value: Any, out: list[str]) -> None:
        out.append(opening)
        for name in names:
            _walk(getattr(value, name), out)
        out.append(")")

    return walk


def _walker(kind: type) -> Walker:
    if kind in _PLAIN:
        return _walk_plain
    if _stands_for_itself(kind):
        return _walk_story
    if issubclass(kind, tuple | list):
        return _walk_list
    if issubclass(kind, dt.datetime | dt.date):
        return _walk_date
    if issubclass(kind, Mapping):
        return _walk_mapping
    if dataclasses.is_dataclass(kind):
        return _walk_fields(kind)
    if issubclass(kind, str | int | float):  # subclasses (enums and the like)
        return _walk_plain
    # Refuse rather than guess: an input the key cannot see would make a stale page.
    raise TypeError(f"cannot fingerprint {kind.__name__} in a page context")


Walker = Callable[[Any, list[str]], None]
_WALKERS: dict[type, Walker] = {}


def value_fingerprint(value: Any) -> str:
    """A digest of plain data: str, numbers, dates, tuples, mappings, dataclasses, story views.

    The parts are reprs, ISO dates, hex digests and markers, none of which holds a raw U+001F,
    so joining them with it is unambiguous.
    """
    out: list[str] = []
    _walk(value, out)
    return _hex("\x1f".join(out))


def build_salt(*, code_dir: Path, templates_dir: Path, site: Any, sources: Any, search: str) -> str:
    """What every page depends on besides its own data (`search` names the indexer and version)."""
    return digest(
        FORMAT_VERSION,
        files_digest([code_dir], "*.py"),
        files_digest([templates_dir]),
        repr(site),
        repr(sources),
        search,
    )
