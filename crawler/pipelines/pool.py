"""An ordered process pool: CPU-bound calls on the other cores, results in submission order.

Scrapy runs the spider and the pipelines on one thread, so CPU-bound work there leaves the other
cores idle and holds up downloads. `OrderedPool.run` sends a call to a worker process and returns
once it and every call made before it have returned: whatever order the workers finish in, the
code after `await pool.run(...)` sees the results in the order the calls were made.

Each worker is a process at the other end of a socket that the event loop watches, so sending a
call and reading its answer happen on the crawl's own thread, between its other events, without
the helper threads (and their fight over the GIL) of `concurrent.futures.ProcessPoolExecutor`.
A worker has at most `depth` calls sent to it and answers them in order.

A worker that dies (killed, out of memory, a crash in C code) is replaced. The call it was
running is run once more by another worker, and raises `WorkerCrashed` if that one dies too; the
calls queued behind it had not started and are simply sent again. Workers are started with
"spawn": a script that makes a pool must guard its entry point with `if __name__ == "__main__"`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_HEADER = struct.Struct("!I")  # each message: its length, then a pickle
_READ_SIZE = 1 << 16
_PARENT_POLL = 0.5  # seconds between a worker's checks that the crawl is still alive
_JOIN_TIMEOUT = 5.0
# spawn, not fork: the crawl has threads (DNS lookups) that a fork could copy mid-lock.
_SPAWN = multiprocessing.get_context("spawn")


class WorkerCrashed(Exception):
    """Two worker processes in a row died running this call."""


@dataclass(eq=False, slots=True)
class _Call(Generic[T, R]):
    arg: T
    data: bytes  # the argument pickled
    result: asyncio.Future[R]
    crashes: int = 0
    done: bool = False
    value: Any = None
    error: BaseException | None = None

    def finish(self, value: Any = None, error: BaseException | None = None) -> None:
        self.done, self.value, self.error = True, value, error


class _Worker:
    """One worker process and the crawl's (non-blocking) end of its socket."""

    def __init__(self, fn: Callable[[Any], Any], log: tuple[int | str, str, str | None]) -> None:
        ours, theirs = socket.socketpair()
        self.process = _SPAWN.Process(target=_serve, args=(theirs, fn, os.getpid(), log), daemon=True)
        self.process.start()
        theirs.close()
        ours.setblocking(False)
        self.socket = ours
        self.sent: deque[_Call[Any, Any]] = deque()  # not answered yet, in the order sent
        self.outgoing = bytearray()
        self.incoming = bytearray()


class OrderedPool(Generic[T, R]):
    """`fn` on `workers` processes. `fn` must pickle (a module-level function, or a partial of
    one): each worker gets a copy when it starts. Create the pool on the running event loop;
    `close` it when done. Workers log at `log_level`, with `log_format` (format, date format).
    """

    def __init__(
        self, fn: Callable[[T], R], workers: int, *, depth: int = 2,
        log_level: int | str = logging.INFO,
        log_format: tuple[str, str | None] = (logging.BASIC_FORMAT, None),
    ) -> None:
        if workers < 1:
            raise ValueError("an OrderedPool needs at least one worker")
        self.fn = fn
        self.depth = depth
        self.log = (log_level, *log_format)
        self._loop = asyncio.get_running_loop()
        self._calls: deque[_Call[T, R]] = deque()  # not yet returned, in submission order
        self._waiting: deque[_Call[T, R]] = deque()  # not yet sent to a worker
        self._closed = False
        self._workers = [self._start() for _ in range(workers)]

    async def run(self, arg: T) -> R:
        """`fn(arg)`, computed in a worker; returns only after every earlier call has."""
        if self._closed:
            raise RuntimeError("the pool is closed")
        data = pickle.dumps(arg, pickle.HIGHEST_PROTOCOL)
        call: _Call[T, R] = _Call(arg, data, self._loop.create_future())
        self._calls.append(call)
        self._waiting.append(call)
        self._send()
        return await call.result

    def close(self) -> None:
        """Stop the workers; calls not answered yet fail."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            self._unwatch(worker)
            worker.socket.close()  # the worker reads the end of the stream and exits
        for worker in self._workers:
            worker.process.join(_JOIN_TIMEOUT)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        for call in self._calls:
            if not call.done:
                call.finish(error=RuntimeError("the pool was closed"))
        self._waiting.clear()
        self._return()

    def _start(self) -> _Worker:
        worker = _Worker(self.fn, self.log)
        self._loop.add_reader(worker.socket.fileno(), self._readable, worker)
        return worker

    def _unwatch(self, worker: _Worker) -> None:
        self._loop.remove_reader(worker.socket.fileno())
        self._loop.remove_writer(worker.socket.fileno())

    def _send(self) -> None:
        """Send waiting calls to the least busy workers, up to `depth` each."""
        while self._waiting and not self._closed:
            worker = min(self._workers, key=lambda w: len(w.sent))
            if len(worker.sent) >= self.depth:
                return
            call = self._waiting.popleft()
            worker.sent.append(call)
            worker.outgoing += _HEADER.pack(len(call.data))
            worker.outgoing += call.data
            self._write(worker)

    def _write(self, worker: _Worker) -> None:
        try:
            sent = worker.socket.send(worker.outgoing)
        except BlockingIOError:
            sent = 0
        except OSError:  # the worker is gone; reading its socket will tell
            return
        del worker.outgoing[:sent]
        if worker.outgoing:
            self._loop.add_writer(worker.socket.fileno(), self._write, worker)
        else:
            self._loop.remove_writer(worker.socket.fileno())

    def _readable(self, worker: _Worker) -> None:
        try:
            data = worker.socket.recv(_READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._died(worker)
            return
        worker.incoming += data
        while len(worker.incoming) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(worker.incoming)
            end = _HEADER.size + size
            if len(worker.incoming) < end:
                break
            message = bytes(worker.incoming[_HEADER.size : end])
            del worker.incoming[:end]
            worker.sent.popleft().finish(*_answer(message))
        self._return()
        self._send()

    def _died(self, worker: _Worker) -> None:
        """Replace a dead worker; what it was running gets one more try, the rest are resent."""
        self._unwatch(worker)
        worker.socket.close()
        worker.process.join(_JOIN_TIMEOUT)
        if self._closed:
            return
        logger.error("worker process %s died (exit code %s); starting another",
                     worker.process.pid, worker.process.exitcode)
        self._workers[self._workers.index(worker)] = self._start()
        if worker.sent:
            running = worker.sent[0]
            running.crashes += 1
            if running.crashes > 1:
                worker.sent.popleft()
                running.finish(error=WorkerCrashed(
                    f"worker processes died twice running {running.arg!r:.200}"))
            self._waiting.extendleft(reversed(worker.sent))
        self._return()
        self._send()

    def _return(self) -> None:
        """Complete the finished calls at the head of the line, in submission order."""
        while self._calls and self._calls[0].done:
            call = self._calls.popleft()
            if call.result.done():  # its caller was cancelled
                continue
            if call.error is not None:
                call.result.set_exception(call.error)
            else:
                call.result.set_result(call.value)


def _answer(message: bytes) -> tuple[Any, BaseException | None]:
    """(value, None) or (None, the exception the call raised) from a worker's message."""
    try:
        ok, payload = pickle.loads(message)
    except Exception as exc:  # e.g. an exception class that cannot be rebuilt here
        return None, RuntimeError(f"unreadable answer from a worker: {exc!r}")
    return (payload, None) if ok else (None, payload)


def _serve(
    sock: socket.socket, fn: Callable[[Any], Any], parent: int,
    log: tuple[int | str, str, str | None],
) -> None:
    """A worker's life: read a call, answer it, until the crawl closes the socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle: it stops
    level, fmt, datefmt = log
    logging.basicConfig(level=level, format=fmt, datefmt=datefmt)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    stream = sock.makefile("rb")
    try:
        while header := stream.read(_HEADER.size):
            (size,) = _HEADER.unpack(header)
            arg = pickle.loads(stream.read(size))
            try:
                answer = pickle.dumps((True, fn(arg)), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                answer = _error_answer(exc)
            sock.sendall(_HEADER.pack(len(answer)) + answer)
    except ConnectionError:  # the crawl closed the pool while this call ran
        pass


def _error_answer(exc: Exception) -> bytes:
    try:
        return pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception (or a result) that cannot be pickled
        return pickle.dumps((False, RuntimeError(repr(exc))), pickle.HIGHEST_PROTOCOL)


def _exit_with(parent: int) -> None:
    """An orphaned worker would wait for work forever: exit once the crawl is gone."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)
