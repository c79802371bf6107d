"""`.manifest.json`: what the last build wrote, so the next one can reuse it instead of redoing it.

It records, for the whole build, the key of everything it read (`key`), the salt of the code,
templates and config it ran with (`salt`), the watermark of its stories (`catalog`) and the paths
of its source and agency pages (`links`, `pages.page_links`); the card
of every story shown (`cards`, so a rebuild reads again only the stories that changed) and the
ids of those that could not be shown (`skipped`); for each page and feed, the key of what it shows
(`keys`); for each file, a content hash and size (`files`); and the shards of the search index
(`search`, None without search). A manifest that is missing, corrupt, or from another format
version is simply ignored: the build is then a full one, never a wrong one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from crawler.site import paths

logger = logging.getLogger(__name__)

VERSION = 3


class FileRecord(NamedTuple):
    """A written file: a hash of its bytes (`writer.content_hash`) and its size (the size catches
    a file edited since). A named tuple: a forked writer sends thousands back (`writer.Share`),
    and a dataclass pickles several times slower."""

    sha: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    key: str
    files: Mapping[str, FileRecord]
    keys: Mapping[str, str] = field(default_factory=dict)
    search: tuple[str, ...] | None = None
    salt: str = ""
    links: str = ""
    watermark: str = ""
    cards: Mapping[str, list[Any]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    stats: Mapping[str, int] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {
            "version": VERSION,
            "key": self.key,
            "salt": self.salt,
            "links": self.links,
            "catalog": self.watermark,
            "search": None if self.search is None else list(self.search),
            "stats": dict(self.stats),
            "skipped": sorted(self.skipped),
            "keys": dict(self.keys),
            "files": {p: [r.sha, r.size] for p, r in self.files.items()},
            "cards": dict(self.cards),
        }
        # orjson: the cards make it megabytes, which json.dumps takes 7 times as long to write
        # (and sorts the keys of every object much faster than sorting the dicts here).
        raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        # Cards hold source text, and the manifest is published with the site: as in the JSON
        # Feed, no markup may appear in its bytes (the escapes parse to the same strings; in
        # UTF-8 these bytes are never part of another character).
        raw = raw.replace(b"&", b"\\u0026").replace(b"<", b"\\u003c").replace(b">", b"\\u003e")
        return raw + b"\n"


def _parse(data: Any) -> Manifest:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("not a manifest of this version")
    files = {str(p): FileRecord(str(sha), int(size)) for p, (sha, size) in data["files"].items()}
    search = data["search"]
    cards = data["cards"]
    if not isinstance(cards, dict) or not all(isinstance(c, list) for c in cards.values()):
        raise ValueError("cards are not lists")
    return Manifest(
        key=str(data["key"]),
        files=files,
        keys={str(p): str(k) for p, k in data["keys"].items()},
        search=None if search is None else tuple(map(str, search)),
        salt=str(data["salt"]),
        links=str(data["links"]),
        watermark=str(data["catalog"]),
        cards=cards,
        skipped=tuple(map(str, data["skipped"])),
        stats={str(k): int(v) for k, v in data["stats"].items()},
    )


def read_manifest(out_dir: Path) -> Manifest | None:
    """The manifest of the site in `out_dir`, or None when there is no usable one."""
    path = out_dir / paths.MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.warning("ignoring %s: %s", path, exc)
        return None
    try:
        return _parse(orjson.loads(raw))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("ignoring %s (a full build follows): %s", path, exc)
        return None
