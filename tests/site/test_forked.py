"""Work done in a forked process: its result comes back, its failure stops the build, and a build
split over several processes writes the very site one process writes."""

import os
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path

import pytest

from crawler.items import Story
from crawler.site import build as build_module
from crawler.site.build import BuildResult
from crawler.site.forked import Forked, ForkedError

from .test_build import files
from .test_incremental import generated


def test_the_result_comes_back_and_a_failure_is_an_error() -> None:
    assert Forked(lambda: {"answer": [42] * 100_000}, "test").result() == {"answer": [42] * 100_000}

    def broken() -> None:
        raise ValueError("no good")

    with pytest.raises(ForkedError, match="test: ValueError: no good"):
        Forked(broken, "test").result()
    with pytest.raises(ForkedError, match="died without an answer"):
        Forked(lambda: os._exit(3), "test").result()


def test_a_child_that_takes_too_long_is_killed() -> None:
    child = Forked(lambda: __import__("time").sleep(30), "sleeper")
    pid = child.pid
    assert pid is not None
    with pytest.raises(ForkedError, match="no answer in 0 s"):
        child.result(timeout=0.2)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # killed and reaped


class Parts:
    """Extras of `count` files, made in whichever process asks; `log` gets the pid of each."""

    def __init__(self, count: int, version: str, log: Path | None = None) -> None:
        self.count, self.version, self.log = count, version, log

    def keys(self) -> dict[str, str]:
        return {f"data/{i}.txt": f"{self.version} {i}" for i in range(self.count)}

    def make(self, paths: Collection[str]) -> dict[str, bytes]:
        if self.log is not None:
            with self.log.open("a") as log:
                log.write(f"{os.getpid()}\n")
        return {path: f"{path} {self.version}".encode() for path in paths}


def test_a_build_split_over_two_processes_writes_the_same_site(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    build: Callable[..., BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stories = generated(story_factory, t0, 40)
    more = generated(story_factory, t0, 45)
    one, two = tmp_path / "one", tmp_path / "two"
    build(stories, one, extras=Parts(10, "a"))
    monkeypatch.setattr(build_module, "FORK_FROM", 5)
    monkeypatch.setattr(build_module, "FORK_PAGES_FROM", 5)
    monkeypatch.setattr(build_module, "FORK_FEEDS_FROM", 5)
    monkeypatch.setattr(build_module, "FORK_EXTRAS_FROM", 2)
    monkeypatch.setattr(build_module, "CHUNK", 3)  # both processes take story pages in turn
    log = tmp_path / "made-by"
    split = build(stories, two, extras=Parts(10, "a", log))
    assert split.rendered == split.pages
    assert files(two) == files(one)
    assert log.read_text().split() != [str(os.getpid())]  # made in another process

    # A rebuild in two processes reuses what did not change, as one process does.
    monkeypatch.setattr(build_module, "FORK_FROM", 10**9)
    monkeypatch.setattr(build_module, "FORK_PAGES_FROM", 10**9)
    monkeypatch.setattr(build_module, "FORK_FEEDS_FROM", 10**9)
    monkeypatch.setattr(build_module, "FORK_EXTRAS_FROM", 10**9)
    again_one = build(more, one, extras=Parts(10, "b"))
    monkeypatch.setattr(build_module, "FORK_FROM", 5)
    monkeypatch.setattr(build_module, "FORK_PAGES_FROM", 5)
    monkeypatch.setattr(build_module, "FORK_FEEDS_FROM", 5)
    monkeypatch.setattr(build_module, "FORK_EXTRAS_FROM", 2)
    again_two = build(more, two, extras=Parts(10, "b"))
    assert files(two) == files(one)
    assert (again_two.rendered, again_two.reused, again_two.files) == (
        again_one.rendered, again_one.reused, again_one.files
    )


def test_a_failing_child_leaves_the_previous_site(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "output"
    build(stories, out)
    before = files(out)

    class Broken(Parts):
        def make(self, paths: Collection[str]) -> dict[str, bytes]:
            raise OSError("disk on fire")

    monkeypatch.setattr(build_module, "FORK_EXTRAS_FROM", 2)
    with pytest.raises(ForkedError, match="extras: OSError: disk on fire"):
        build(stories[:2], out, extras=Broken(3, "x"))
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
