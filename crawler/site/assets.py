"""Static assets (CSS, icon) with a content hash in the file name.

A hashed name changes whenever the content does, so servers can tell browsers to cache assets for
a year and a changed stylesheet still reaches every reader at once. The same bytes always give the
same name, which keeps the build deterministic.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

STATIC_DIR = "static"


@dataclass(frozen=True, slots=True)
class Asset:
    """`name` is how templates ask for it (``style.css``); `path` is where it is written."""

    name: str
    path: str
    data: bytes


def hashed_path(name: str, data: bytes) -> str:
    """`static/style.<10 hex>.css`."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return f"{STATIC_DIR}/{stem}.{digest}" + (f".{suffix}" if suffix else "")


def load_assets(templates_dir: Path) -> dict[str, Asset]:
    """Every regular, non-hidden file directly in `<templates_dir>/static`, by name."""
    folder = templates_dir / STATIC_DIR
    assets: dict[str, Asset] = {}
    if not folder.is_dir():
        logger.warning("no static assets: %s is not a folder", folder)
        return assets
    for file in sorted(folder.iterdir()):
        if file.name.startswith(".") or not file.is_file():
            continue
        data = file.read_bytes()
        assets[file.name] = Asset(name=file.name, path=hashed_path(file.name, data), data=data)
    return assets
