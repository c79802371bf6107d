"""Full-text search with Pagefind: an index built beside the pages, searched in the reader's browser.

Pagefind (PyPI `pagefind[bin]`) writes an index and the scripts that search it into the site, so
search works on any static host, offline, with no server. The build hands it one record per
story (its URL, title and text, from the story's view: the same text the story page shows, not
the page's navigation or list of copies) through the binary's service mode, so no page is parsed
again. It runs inside the build's temp folder, before the atomic swap, so the index always
matches the pages it is published with.

Indexing costs about the same per story every time, so the index is split into shards that the
search page merges in the browser (Pagefind's `mergeIndex`), and a rebuild indexes again only the
shards whose stories changed. Shards follow the order stories were first seen in: a few large,
old ones that stay as they are, then smaller and smaller ones, the newest last (`shard_sizes`);
new stories land in the newest shard, and only when enough have come are small shards merged
into a larger one, as in a binary counter. A shard's folder is named after the digest of its
stories' searchable text, so an unchanged shard is reused as it is. The search box's own script
and style (`UI_FILES`, the same in every shard) are also copied to `pagefind/`, so the search
page's links to them do not move with the shards.

Pagefind is optional at run time: without it the site is built without search (with a warning).
"""

from __future__ import annotations

import base64
import ctypes
import functools
import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crawler.site import paths
from crawler.site.fingerprint import digest
from crawler.site.views import StoryCard, StoryView

logger = logging.getLogger(__name__)

RECORD_FORMAT = "1"  # bump when what a record holds changes: every shard is indexed again
SMALLEST = 256  # stories in the smallest full shard; the newest shard holds fewer
TIMEOUT = 1800.0  # seconds for one indexer; a 100,000-story index takes minutes, not hours
WORKERS = 2  # indexer processes at once; each uses one core
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")  # the search box, the same in every shard

_PR_SET_PDEATHSIG = 1


class SearchIndexError(Exception):
    """Pagefind ran and failed: the build stops rather than publish a site with a broken search."""


def pagefind_available() -> bool:
    """Whether Pagefind can run here: the package and a binary for it.

    The binary comes from `pagefind[bin]` (or `pagefind[extended]`), or from PAGEFIND_BINARY_PATH,
    as Pagefind's own wrapper looks for it.
    """
    if importlib.util.find_spec("pagefind") is None:
        return False
    return bool(os.environ.get("PAGEFIND_BINARY_PATH")) or any(
        importlib.util.find_spec(name) is not None
        for name in ("pagefind_bin", "pagefind_bin_extended")
    )


@dataclass(frozen=True, slots=True)
class Shard:
    """Some stories' part of the index, in `pagefind/<name>/`; `ids` oldest first."""

    name: str
    ids: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"{paths.SEARCH_BUNDLE}/{self.name}"


def shard_sizes(count: int, smallest: int) -> list[int]:
    """How many stories each shard holds, oldest first, for `count` stories.

    Two or three of the largest size (`smallest` times a power of two) that fits twice, then at
    most one of each smaller size, then the rest (fewer than `smallest`). Adding stories changes
    the newest shards only, except when they add up to a larger size; no shard holds more than
    half the stories (so two indexers share a full build), and there are about
    log2(count / smallest) + 3 shards at most.
    """
    if count < 2 * smallest:
        return [count]
    size = smallest
    while 4 * size <= count:
        size *= 2
    sizes = [size] * (count // size)
    rest = count % size
    while size > smallest:
        size //= 2
        if rest >= size:
            sizes.append(size)
            rest -= size
    return [*sizes, rest] if rest else sizes


def plan_shards(cards: Sequence[StoryCard], salt: str) -> list[Shard]:
    """The shards of these stories, newest first; one empty shard when there are none.

    `salt` names what else the index depends on (Pagefind's version, the site's language).
    """
    ordered = sorted(cards, key=lambda c: (c.first_seen, c.id))
    shards = []
    start = 0
    for size in shard_sizes(len(ordered), SMALLEST):
        members = ordered[start : start + size]
        start += size
        name = digest(salt, RECORD_FORMAT, *(f"{c.path} {c.search}" for c in members))[:20]
        shards.append(Shard(name, tuple(c.id for c in members)))
    return shards[::-1]


def record(view: StoryView, language: str) -> dict[str, Any]:
    """The story as Pagefind's service takes a record: the URL from the site's root, the title,
    the text (what `StoryCard.search` digests)."""
    return {
        "type": "AddRecord",
        "url": "/" + view.path,
        "content": "\n".join(view.searchable),
        "language": language,
        "meta": {"title": view.title},
        "filters": None,
        "sort": None,
    }


@functools.cache
def _prctl() -> Callable[..., int]:
    return ctypes.CDLL(None).prctl  # type: ignore[no-any-return]


def _die_with(parent: int) -> Callable[[], None] | None:
    """A pre-exec hook (Linux) that has the kernel kill the indexer when the build process dies.

    Otherwise a killed build leaves the indexer running, writing into a temp folder the next build
    has just deleted, and the folder comes back. The C function is looked up here, in the parent:
    the forked child only calls it.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = _prctl()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the build died before the hook ran
            os._exit(1)

    return hook


def _binary() -> str:
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SearchIndexError("no Pagefind binary: pip install 'pagefind[bin]'")
    return str(binary)


class _Service:
    """One Pagefind process in service mode: base64 JSON messages, each ended by a comma."""

    def __init__(self) -> None:
        try:
            self.process = subprocess.Popen(
                [_binary(), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with(os.getpid()),
            )
        except OSError as exc:
            raise SearchIndexError(f"pagefind could not run: {exc}") from exc
        self.timer = threading.Timer(TIMEOUT, self.process.kill)
        self.timer.daemon = True
        self.timer.start()
        self.sent = 0
        self._buffer = b""

    def _write(self, pipe: IO[bytes], payloads: Sequence[dict[str, Any]]) -> None:
        try:
            for payload in payloads:
                self.sent += 1
                message = {"message_id": self.sent, "payload": payload}
                pipe.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
            pipe.flush()
        except OSError:  # the process died: reading its answers says why
            pass

    def _answers(self) -> Iterator[dict[str, Any]]:
        assert self.process.stdout is not None
        while True:
            end = self._buffer.find(b",")
            if end >= 0:
                message, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
                answer = json.loads(base64.b64decode(message))
                payload: dict[str, Any] = answer["payload"]
                if payload.get("type") == "Error":
                    raise SearchIndexError(f"pagefind failed: {payload.get('message')}")
                yield payload
                continue
            chunk = self.process.stdout.read1(1 << 16)
            if not chunk:
                raise SearchIndexError(f"pagefind exited early (status {self.process.poll()})")
            self._buffer += chunk

    def ask(self, payloads: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Send the messages (from a thread, so neither side blocks on a full pipe); return the
        answer to the last one."""
        assert self.process.stdin is not None
        writer = threading.Thread(target=self._write, args=(self.process.stdin, payloads))
        writer.start()
        try:
            answers = self._answers()
            for _ in range(len(payloads) - 1):
                next(answers)
            return next(answers)
        finally:
            writer.join()

    def close(self) -> None:
        self.timer.cancel()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _index(work: Sequence[tuple[Path, list[dict[str, Any]]]]) -> None:
    """Index shards one after another in one Pagefind process."""
    service = _Service()
    try:
        for folder, records in work:
            index = service.ask([{"type": "NewIndex", "config": None}])["index_id"]
            written = service.ask(
                [
                    *({**r, "index_id": index} for r in records),
                    {"type": "WriteFiles", "index_id": index, "output_path": str(folder)},
                ]
            )
            if written.get("type") != "WriteFiles":
                raise SearchIndexError(f"pagefind answered {written.get('type')} to WriteFiles")
    finally:
        service.close()


def index_shards(work: Sequence[tuple[Path, list[dict[str, Any]]]]) -> None:
    """Write each shard's index (its records) into its folder, up to WORKERS Pagefind processes
    at once; the largest shards are handed out first, each to the process with the least to do.
    """
    groups: list[list[tuple[Path, list[dict[str, Any]]]]] = [[] for _ in range(WORKERS)]
    loads = [0] * WORKERS
    for item in sorted(work, key=lambda item: -len(item[1])):
        least = loads.index(min(loads))
        groups[least].append(item)
        loads[least] += len(item[1]) + 1
    groups = [group for group in groups if group]
    with ThreadPoolExecutor(max_workers=len(groups) or 1) as pool:
        for done in [pool.submit(_index, group) for group in groups]:
            done.result()
    # Pagefind's files are all gzipped, never empty; one was found empty once in a test run,
    # so a shard with an empty file is indexed again, once, before the build may go on.
    damaged = [(folder, records) for folder, records in work if _empty_files(folder)]
    if damaged:
        logger.warning("search shards with empty files, indexed again: %d", len(damaged))
        _index(damaged)
        if any(_empty_files(folder) for folder, _ in damaged):
            raise SearchIndexError("pagefind wrote empty files twice")


def _empty_files(folder: Path) -> list[Path]:
    return [f for f in folder.rglob("*") if f.is_file() and f.stat().st_size == 0]
