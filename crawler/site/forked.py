"""Part of a build done in a forked child process, so that it uses the second core.

The child inherits the build's memory at the fork (stories, views, templates: nothing is pickled
on the way in) and sends its result back pickled through a pipe. On Linux the kernel kills it
when the thread that forked it dies, so a killed build leaves nothing running that writes into
a folder the next build has deleted. A bare `os.fork`, not multiprocessing: a multiprocessing
child forked from a thread other than the main one fails on its way out (`threading._shutdown`).
The child exits with `os._exit`, running no cleanup of the parent's (its open database, its
temp folders).
"""

from __future__ import annotations

import ctypes
import functools
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Generic, TypeVar

T = TypeVar("T")

TIMEOUT = 1800.0  # seconds: a 100,000-story build's share takes minutes, not hours
_PR_SET_PDEATHSIG = 1


class ForkedError(Exception):
    """The child failed or died: the build stops rather than publish a part-written site."""


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(None).prctl  # type: ignore[no-any-return]


class Forked(Generic[T]):
    """`work()` running in a forked child; `result()` waits for what it returned."""

    def __init__(self, work: Callable[[], T], name: str) -> None:
        self.name = name
        prctl = _prctl()  # looked up here: the child only calls it
        parent = os.getpid()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its effects are what the tests check
            code = 1
            try:
                os.close(read_end)
                if prctl is not None:
                    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
                if os.getppid() != parent:  # the build died before the line above
                    os._exit(1)
                try:
                    answer = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # anything: the build must hear of it
                    answer = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
                with os.fdopen(write_end, "wb") as out:
                    out.write(answer)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid: int | None = pid
        self._answer = os.fdopen(read_end, "rb")

    def result(self, timeout: float = TIMEOUT) -> T:
        """The child's result; ForkedError if it failed, died or took longer than `timeout`."""
        deadline = time.monotonic() + timeout
        chunks = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._answer], [], [], left)[0]:
                    raise ForkedError(f"{self.name}: no answer in {timeout:.0f} s")
                chunk = self._answer.read1(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self.stop()
        data = b"".join(chunks)
        if not data:
            raise ForkedError(f"{self.name}: the process died without an answer")
        ok, value = pickle.loads(data)
        if not ok:
            raise ForkedError(f"{self.name}: {value}")
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Kill the child if it still runs, and reap it."""
        self._answer.close()
        if self.pid is not None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


@contextmanager
def forked(work: Callable[[], T], name: str) -> Iterator[Forked[T]]:
    """`Forked(work)`, killed on the way out if its result was not taken (the build failed)."""
    child = Forked(work, name)
    try:
        yield child
    finally:
        child.stop()
