"""Full-text search with Pagefind: an index built beside the pages, searched in the reader's browser.

Pagefind (PyPI `pagefind[bin]`, run as `python -m pagefind`) reads the written story pages and
writes its index and scripts into `pagefind/` of the same folder, so search works on any static
host, offline, with no server. It runs inside the build's temp folder, before the atomic swap, so
the index always matches the pages it is published with. Only story pages are indexed, and only
their `data-pagefind-body` (the story itself, not the copies list or the navigation).

Pagefind is optional at run time: without it the site is built without search (with a warning).
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from crawler.site import paths

logger = logging.getLogger(__name__)

INDEXED_GLOB = (
    "{stories/*.html,search/index.html}"  # the search page only when there are no stories
)
TIMEOUT = 1800.0  # seconds; a 100,000-story index takes minutes, not hours


_PR_SET_PDEATHSIG = 1


class SearchIndexError(Exception):
    """Pagefind ran and failed: the build stops rather than publish a site with a broken search."""


def pagefind_available() -> bool:
    """Whether `python -m pagefind` can run here: the package and a binary for it.

    The binary comes from `pagefind[bin]` (or `pagefind[extended]`), or from PAGEFIND_BINARY_PATH,
    as Pagefind's own wrapper looks for it.
    """
    if importlib.util.find_spec("pagefind") is None:
        return False
    return bool(os.environ.get("PAGEFIND_BINARY_PATH")) or any(
        importlib.util.find_spec(name) is not None
        for name in ("pagefind_bin", "pagefind_bin_extended")
    )


def _die_with(parent: int) -> Callable[[], None] | None:
    """A pre-exec hook (Linux) that has the kernel kill Pagefind when the build process dies.

    Otherwise a killed build leaves Pagefind running, writing into a temp folder the next build
    has just deleted, and the folder comes back. The setting survives `python -m pagefind`'s exec
    of the binary.
    """
    if not sys.platform.startswith("linux"):
        return None

    def hook() -> None:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the build died before the hook ran
            os._exit(1)

    return hook


def index_site(root: Path) -> None:
    """Index the story pages under `root` into `root/pagefind/`; raise SearchIndexError on failure."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(root),
        "--glob",
        INDEXED_GLOB,
        "--output-subdir",
        paths.SEARCH_BUNDLE,
        "--silent",
    ]
    logger.debug("running %s", " ".join(command))
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            preexec_fn=_die_with(os.getpid()),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"pagefind could not run: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise SearchIndexError(f"pagefind failed with exit status {result.returncode}: {detail}")
