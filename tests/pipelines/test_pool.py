"""OrderedPool: results in the order calls were made, nothing lost or duplicated, a worker
that dies replaced, the call that killed it reported, and no worker outliving the crawl."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from crawler.pipelines.pool import OrderedPool, WorkerCrashed

CRASH = -1  # the argument that kills the worker running it
FAIL = -2  # the argument that raises
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers import `slow_square` from this module by name, so the project root must be on
    the path they inherit."""
    monkeypatch.syspath_prepend(str(ROOT))


def slow_square(n: int) -> int:
    """Later calls finish first: a worker's earlier call sleeps longer."""
    if n == CRASH:
        os._exit(3)
    if n == FAIL:
        raise ValueError("no square for you")
    time.sleep(0.002 * (n % 7))
    return n * n


async def run_all(pool: OrderedPool[int, int], args: list[int]) -> tuple[list[object], list[int]]:
    """Each call's outcome, and the order in which the calls returned."""
    returned: list[int] = []

    async def one(n: int) -> object:
        try:
            result: object = await pool.run(n)
        except Exception as exc:
            result = exc
        returned.append(n)
        return result

    return await asyncio.gather(*(one(n) for n in args)), returned


def test_results_come_back_in_call_order() -> None:
    async def main() -> tuple[list[object], list[int]]:
        pool = OrderedPool(slow_square, 2)
        try:
            return await run_all(pool, list(range(60)))
        finally:
            pool.close()

    results, returned = asyncio.run(main())
    assert results == [n * n for n in range(60)]  # nothing lost, nothing duplicated
    assert returned == list(range(60))  # and in order, though the workers finish out of order


def test_a_worker_crash_fails_only_the_call_that_caused_it() -> None:
    args = [*range(10), CRASH, *range(10, 20), FAIL, *range(20, 30)]

    async def main() -> tuple[list[object], list[int], list[int]]:
        pool = OrderedPool(slow_square, 2)
        try:
            results, returned = await run_all(pool, args)
            after = [await pool.run(n) for n in (3, 4)]  # the pool works on
            return results, returned, after
        finally:
            pool.close()

    results, returned, after = asyncio.run(main())
    crashed = results[args.index(CRASH)]
    assert isinstance(crashed, WorkerCrashed) and str(CRASH) in str(crashed)
    failed = results[args.index(FAIL)]
    assert isinstance(failed, ValueError) and "no square" in str(failed)
    others = [(n, r) for n, r in zip(args, results, strict=True) if n >= 0]
    assert all(r == n * n for n, r in others)
    assert returned == args and after == [9, 16]


def test_close_stops_the_workers() -> None:
    async def main() -> list[int]:
        pool = OrderedPool(slow_square, 2)
        await pool.run(2)
        pids = workers_of(os.getpid())
        pool.close()
        return pids

    pids = asyncio.run(main())
    assert pids and not [pid for pid in pids if alive(pid)]


def test_workers_exit_when_the_crawl_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(textwrap.dedent("""
        import asyncio, sys
        from crawler.pipelines.pool import OrderedPool

        async def main():
            pool = OrderedPool(abs, 2)
            await pool.run(-1)
            print("ready", flush=True)
            await asyncio.sleep(60)

        if __name__ == "__main__":  # spawned workers import this module
            asyncio.run(main())
    """))
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
        workers = workers_of(owner.pid)
        assert len(workers) == 2
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 10
        while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        owner.kill()
        owner.wait()


def test_a_pool_needs_a_worker() -> None:
    async def main() -> None:
        OrderedPool(abs, 0)

    with pytest.raises(ValueError):
        asyncio.run(main())


def workers_of(pid: int) -> list[int]:
    """The pool workers among a process's children (not multiprocessing's resource tracker)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            found.extend(int(child) for child in listed.read().split())
    return [child for child in found if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"
