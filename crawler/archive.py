"""The whole state as a portable archive, published beside the site.

If the state is lost (a deleted branch, a corrupt file), the next run rebuilds it from the
published archive instead of starting empty: every story keeps its id and first-seen time, so
nothing a reader saw is lost or announced again.

The archive is a folder of parts, one per day the stories were first seen (UTC), listed oldest
first by `data/archive/index.json` with their story and copy counts. A part is gzipped JSON
Lines, one object per stored copy, stories in first-seen order, copies in stored order, with a
fixed gzip timestamp so the same copies always give the same bytes. Stored copies are never
changed or removed, so a part's key (its stories and how many copies each has) tells whether it
changed: a build makes again only the parts of days whose stories gained copies (`Archive`),
and the parts can be fetched one by one. Archives from before the parts (one `.jsonl.gz` file) are
still read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from isal import igzip

from crawler.items import Article, AssignedArticle
from crawler.store import Store, StoreError

ARCHIVE_DIR = "data/archive"
ARCHIVE_INDEX = f"{ARCHIVE_DIR}/index.json"
FORMAT = 1  # of a line
INDEX_FORMAT = 2  # of the index (1: the single-file archive, which had none)
# Parts are compressed by ISA-L's deflate, gzip's format four times as fast as zlib's: measured on
# 10,000 stories (88 MB of lines), 0.13 s and 13.0 MB at its level 1; zlib took 0.52 s and 13.6 MB
# at level 1, 2.4 s and 11.3 MB at level 6. The compressor is part of every part's key.
GZIP_LEVEL = 1
_COMPRESSOR = f"isal {GZIP_LEVEL}"
_FIELDS = tuple(f.name for f in fields(Article))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\n".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def part_bytes(store: Store, story_ids: Iterable[str]) -> bytes:
    """These stories' copies as one gzipped part."""
    lines = store.archive_lines(list(story_ids), FORMAT)
    text = "".join(f"{line}\n" for line in lines)
    return igzip.compress(text.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)


class Archive:
    """The archive's files, for the site build to publish (`crawler.site.build.Extras`): a part
    per first-seen day (UTC) and the index. Knowing their keys reads only each story's first-seen
    time and copy count; `make` reads the copies through a store of its own from `reopen`, so it
    can run in a forked process."""

    def __init__(self, store: Store, reopen: Callable[[], Store]) -> None:
        self.reopen = reopen
        days: dict[str, list[tuple[str, datetime, int]]] = defaultdict(list)
        for story_id, first_seen, copies in store.story_counts():
            days[first_seen.astimezone(UTC).date().isoformat()].append(
                (story_id, first_seen, copies))
        self.parts: dict[str, tuple[str, list[str]]] = {}  # path: key, story ids
        listed = []
        for day in sorted(days):
            stories = sorted(days[day], key=lambda s: (s[1], s[0]))
            key = _digest("archive part", str(FORMAT), _COMPRESSOR,
                          *(f"{story_id} {copies}" for story_id, _, copies in stories))
            self.parts[f"{ARCHIVE_DIR}/{day}.jsonl.gz"] = (key, [s[0] for s in stories])
            listed.append({"path": f"{day}.jsonl.gz", "stories": len(stories),
                           "copies": sum(copies for _, _, copies in stories)})
        self.index = json.dumps({"format": INDEX_FORMAT, "parts": listed}, indent=0).encode()

    def keys(self) -> dict[str, str]:
        keys = {path: key for path, (key, _) in self.parts.items()}
        keys[ARCHIVE_INDEX] = _digest("archive index", self.index.decode())
        return keys

    def make(self, paths: Collection[str]) -> dict[str, bytes]:
        made = {ARCHIVE_INDEX: self.index} if ARCHIVE_INDEX in paths else {}
        wanted = [path for path in paths if path in self.parts]
        if wanted:
            with self.reopen() as store:
                made.update((path, part_bytes(store, self.parts[path][1])) for path in wanted)
        return made


def archive_files(store: Store, reopen: Callable[[], Store]) -> dict[str, bytes]:
    """Every file of the archive, made now (paths from the site's root)."""
    archive = Archive(store, reopen)
    return archive.make(list(archive.keys()))


def _article(data: dict[str, Any]) -> Article:
    return Article(**{
        **data,
        "published": datetime.fromisoformat(data["published"]),
        "fetched_at": datetime.fromisoformat(data["fetched_at"]),
        "paragraphs": tuple(data["paragraphs"]),
        "images": tuple(data.get("images", ())),
    })


def restore(lines: Iterable[str], store: Store) -> int:
    """Load archive lines into an (empty) store; returns the number of stories restored."""
    stories: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if record.get("format") != FORMAT:
                raise ValueError(f"unknown archive format {record.get('format')!r}")
            article = _article(record["article"])
            first_seen = datetime.fromisoformat(record["first_seen"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"archive line {number}: {exc}") from None
        new = record["story_id"] not in stories
        stories.add(record["story_id"])
        store.save(AssignedArticle(article, record["story_id"], new), None, first_seen)
    return len(stories)


def read_archive(data: bytes) -> list[str]:
    """The lines of one archive file: a part, or a whole archive from before the parts."""
    try:
        text = gzip.decompress(data).decode("utf-8") if data[:2] == b"\x1f\x8b" else data.decode()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise StoreError(f"unreadable archive: {exc}") from None
    return text.splitlines()


def read_parts(index: bytes, fetch: Callable[[str], bytes]) -> list[str]:
    """The lines of every part an index lists, oldest first; `fetch` reads a part by its name.

    A part missing copies (a truncated upload, say) is an error, not a smaller state."""
    try:
        listed = json.loads(index)
        if listed.get("format") != INDEX_FORMAT:
            raise ValueError(f"unknown archive index format {listed.get('format')!r}")
        parts = [(str(p["path"]), int(p["copies"])) for p in listed["parts"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"unreadable archive index: {exc}") from None
    lines: list[str] = []
    for name, copies in parts:
        if "/" in name or name.startswith("."):
            raise StoreError(f"archive index names a part outside its folder: {name!r}")
        part = [line for line in read_archive(fetch(name)) if line.strip()]
        if len(part) != copies:
            raise StoreError(f"archive part {name}: {len(part)} copies, the index says {copies}")
        lines += part
    return lines
