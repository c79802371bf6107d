"""Incremental builds: what did not change is not rewritten, and nothing stale survives."""

import json
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.config import Config
from crawler.items import Story
from crawler.site import default_templates_dir, manifest, search
from crawler.site.build import BuildResult

from .conftest import indexed_pages


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def same(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, inode in after.items() if before.get(name) == inode}


def generated(
    story_factory: Callable[..., Story], t0: datetime, count: int, start: int = 0
) -> list[Story]:
    agencies = ("Xinhua", "ANI", "RT.com", "PTI", None)
    return [
        story_factory(
            id=f"g{i:04d}",
            title=f"Generated story {i}",
            lede=f"The lede of story {i}.",
            paragraphs=(
                f"The lede of story {i}.",
                f"Paragraph one of {i}.",
                f"Paragraph two of {i}.",
            ),
            original_source=agencies[i % len(agencies)],
            published=t0 - timedelta(hours=3 * i),
            first_seen=t0 - timedelta(hours=3 * i) + timedelta(minutes=20),
        )
        for i in range(start, start + count)
    ]


def test_nothing_new_leaves_the_site_untouched(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    out = tmp_path / "output"
    first = build(stories, out)
    before, folder = inodes(out), out.stat().st_ino
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = build(list(reversed(stories)), out)  # the same store, read in another order
    assert second.unchanged and second.rendered == 0
    assert (second.pages, second.stories, second.files, second.search) == (
        first.pages,
        first.stories,
        first.files,
        first.search,
    )
    assert out.stat().st_ino == folder  # not even swapped
    assert inodes(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_new_story_rewrites_only_the_pages_that_show_it(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    build: Callable[..., BuildResult],
) -> None:
    out = tmp_path / "output"
    old = generated(story_factory, t0, 40)
    build(old, out, per_page=10)
    before = inodes(out)
    new = story_factory(
        id="fresh",
        title="A fresh story",
        original_source="AFP",
        published=t0 + timedelta(hours=1),
        first_seen=t0 + timedelta(hours=1),
    )
    result = build([new, *old], out, per_page=10)
    after = inodes(out)
    kept = same(before, after)
    assert not result.unchanged and result.reused > 0
    assert "stories/fresh.html" in after and "stories/fresh.html" not in before
    # every old story page is the very same file (a hard link), as are the assets
    assert {f"stories/g{i:04d}.html" for i in range(40)} <= kept
    assert {n for n in after if n.startswith("static/")} <= kept
    # what lists it is new: the first page of home, its day, its site and agency, the feeds
    for changed in (
        "index.html",
        "days/2025-06-02.html",
        "feed.xml",
        "sitemap.xml",
        "sources/daily-gazette.html",
        "agencies/afp.html",
        ".manifest.json",
    ):
        assert changed not in kept, changed
    # older pages of a list keep their stories: they stay, as do an older day, another feed
    for unchanged in (
        "page/1.html",
        "sources/daily-gazette/1.html",
        "days/2025-05-28.html",
        "agencies/xinhua/feed.xml",
    ):
        assert unchanged in kept, unchanged
    assert result.rendered <= 15, result.rendered
    # the search index was rebuilt and now knows the new page
    assert result.indexed == 41 and indexed_pages(out) == 41


def test_search_index_is_reused_when_no_story_page_changed(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    build: Callable[..., BuildResult],
) -> None:
    out = tmp_path / "output"
    stories = [
        story_factory(id="now", first_seen=t0),
        story_factory(id="later", first_seen=t0 + timedelta(days=1)),  # a skewed crawler clock
    ]
    build(stories, out, now=t0 + timedelta(hours=1))
    before = inodes(out)
    result = build(stories, out, now=t0 + timedelta(days=2))  # "later" now enters the feeds
    assert not result.unchanged
    kept = same(before, inodes(out))
    assert "feed.xml" not in kept
    assert {n for n in before if n.startswith("search-index/")} <= kept
    assert {"stories/now.html", "stories/later.html", "index.html"} <= kept


def test_a_template_change_rerenders_every_page(
    tmp_path: Path, stories: list[Story], config: Config
) -> None:
    import shutil

    from crawler.site import build_site

    templates = tmp_path / "templates"
    shutil.copytree(default_templates_dir(), templates)
    out = tmp_path / "output"
    first = build_site(stories, config, out, templates_dir=templates, durable=False)
    (templates / "404.html").write_text(
        (templates / "404.html").read_text().replace("may have moved", "may have gone"),
    )
    second = build_site(stories, config, out, templates_dir=templates, durable=False)
    assert second.rendered == first.pages
    assert "may have gone" in (out / "404.html").read_text()


def test_a_file_changed_behind_the_builds_back_is_rewritten(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    out = tmp_path / "output"
    build(stories, out)
    good = (out / "stories/kyiv-talks.html").read_bytes()
    (out / "stories/kyiv-talks.html").write_text("defaced")
    result = build(stories, out)
    assert not result.unchanged  # the manifest no longer matches the files
    assert (out / "stories/kyiv-talks.html").read_bytes() == good


def test_a_corrupt_manifest_means_a_full_build(
    tmp_path: Path,
    stories: list[Story],
    build: Callable[..., BuildResult],
    caplog: pytest.LogCaptureFixture,
) -> None:
    out = tmp_path / "output"
    first = build(stories, out)
    (out / ".manifest.json").write_text("{not json")
    with caplog.at_level(logging.WARNING):
        result = build(stories, out)
    assert "ignoring" in caplog.text
    assert result.rendered == first.pages and not result.unchanged
    assert json.loads((out / ".manifest.json").read_bytes())["version"] == manifest.VERSION


def test_a_failing_search_index_leaves_the_previous_site(
    tmp_path: Path,
    stories: list[Story],
    build: Callable[..., BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "output"
    build(stories, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(work: object, language: str) -> None:
        raise search.SearchIndexError("the indexer exploded")

    monkeypatch.setattr(search, "index_shards", broken)
    with pytest.raises(search.SearchIndexError):
        build(stories[:2], out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_failing_indexer_process_fails_the_build(
    tmp_path: Path,
    stories: list[Story],
    build: Callable[..., BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error raised in the forked indexer reaches the build, and no site is published."""

    def broken(folder: Path, records: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(search, "_write_shard", broken)
    with pytest.raises(search.SearchIndexError, match="OSError: disk full"):
        build(stories, tmp_path / "output")
    assert not (tmp_path / "output").exists()


def test_search_false_builds_no_search(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    result = build(stories, tmp_path / "output", search=False)
    assert not result.search
    out = tmp_path / "output"
    assert not (out / "search-index").exists() and not (out / "search").exists()
    assert "search/index.html" not in (out / "index.html").read_text()


def test_the_indexer_dies_with_a_killed_build(tmp_path: Path) -> None:
    """A SIGKILLed build must not leave its indexer writing into its (deleted) temp folder."""
    import signal
    import subprocess
    import sys

    script = (
        "import os, sys, threading, time\n"
        "from pathlib import Path\n"
        "from crawler.site import search\n"
        "def slow(folder, records):\n"
        "    print(os.getpid(), flush=True)\n"
        "    time.sleep(30)\n"
        "search._write_shard = slow\n"
        "threading.Thread(target=search.index_shards, args=([(Path(sys.argv[1]), [])], 'en')).start()\n"
        "time.sleep(30)\n"
    )
    build_process = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert build_process.stdout is not None
    indexer = int(build_process.stdout.readline())
    assert indexer != build_process.pid
    build_process.send_signal(signal.SIGKILL)
    build_process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(indexer, 0)
        except ProcessLookupError:
            return
        # an orphan is reaped by init; a zombie left for an instant counts as dead
        time.sleep(0.05)
        state = Path(f"/proc/{indexer}/stat")
        if state.exists() and state.read_text().split(")")[-1].split()[0] == "Z":
            return
    pytest.fail("the indexer outlived the killed build")


def test_a_rebuild_reads_again_stories_whose_ids_needed_cleaning(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    build: Callable[..., BuildResult],
) -> None:
    """The clock moves a story into the feeds: the rebuild reads it again by its shown id."""
    stories = [
        story_factory(id="odd\x07id", first_seen=t0 + timedelta(hours=5)),
        story_factory(id="plain", first_seen=t0),
    ]
    out = tmp_path / "output"
    build(stories, out, now=t0 + timedelta(hours=1))
    assert b"oddid" not in (out / "feed.xml").read_bytes()
    result = build(stories, out, now=t0 + timedelta(hours=6))
    assert not result.unchanged
    assert b"stories/oddid.html" in (out / "feed.xml").read_bytes()
