"""`.manifest.json`: what the last build wrote, so the next one can reuse it instead of redoing it.

It records, for the whole build, the key of everything it read (`key`); for each HTML page, the
key of what that page shows (`pages`); for each file, a content hash and size (`files`); and the
key of the pages the search index was made from (`search`). A manifest that is missing, corrupt,
or from another format version is simply ignored: the build is then a full one, never a wrong one.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.site import paths

logger = logging.getLogger(__name__)

VERSION = 1


@dataclass(frozen=True, slots=True)
class FileRecord:
    """A written file: BLAKE2b of its bytes and its size (the size catches a file edited since)."""

    sha: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    key: str
    files: Mapping[str, FileRecord]
    pages: Mapping[str, str] = field(default_factory=dict)
    search: str | None = None
    stats: Mapping[str, int] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {
            "version": VERSION,
            "key": self.key,
            "search": self.search,
            "stats": dict(sorted(self.stats.items())),
            "pages": dict(sorted(self.pages.items())),
            "files": {p: [r.sha, r.size] for p, r in sorted(self.files.items())},
        }
        return (json.dumps(data, separators=(",", ":"), ensure_ascii=True) + "\n").encode("ascii")

    def intact(self, root: Path) -> bool:
        """Whether every recorded file is still there, a regular file of the recorded size."""
        prefix = str(root) + os.sep
        return all(file_matches(prefix + relpath, record) for relpath, record in self.files.items())


def file_matches(path: Path | str, record: FileRecord) -> bool:
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size == record.size


def _parse(data: Any) -> Manifest:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("not a manifest of this version")
    files = {str(p): FileRecord(str(sha), int(size)) for p, (sha, size) in data["files"].items()}
    pages = {str(p): str(k) for p, k in data["pages"].items()}
    stats = {str(k): int(v) for k, v in data.get("stats", {}).items()}
    search = data.get("search")
    return Manifest(
        key=str(data["key"]),
        files=files,
        pages=pages,
        search=str(search) if search is not None else None,
        stats=stats,
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
        return _parse(json.loads(raw))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("ignoring %s (a full build follows): %s", path, exc)
        return None
