"""SIGKILL at random points of a crawl and of a build: the store stays consistent, the site is
always the old or the new complete site, and the next run loses nothing."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import feedparser

from crawler.demo import DemoNetwork
from crawler.items import AssignedArticle
from crawler.site.writer import spare_path
from crawler.store import DB_NAME, SQLiteStore
from tests.commands import digest, export
from tests.figures import record
from tests.test_store import T0, article

KILLS = 6


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "crawler", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_after(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """SIGKILL the process after `seconds` unless it ended first; True if it was killed."""
    try:
        process.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def integrity(state: Path) -> str:
    db = sqlite3.connect(state / DB_NAME)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def stories(state: Path) -> set[tuple[str, frozenset[str]]]:
    """Story identity independent of which copy arrived first: title set and copy URLs."""
    return {(s["original_source"], frozenset(c["url"] for c in s["copies"])) for s in export(state)}


def test_killed_crawls_lose_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    with DemoNetwork() as network:
        config = tmp_path / "sources.toml"
        config.write_text(network.config_text())
        reference = tmp_path / "reference"
        assert digest("crawl", "--config", str(config), "--state", str(reference)).returncode == 0

        state = tmp_path / "state"
        killed = 0
        for _ in range(KILLS):
            process = start("crawl", "--config", str(config), "--state", str(state))
            killed += kill_after(process, rng.uniform(0.5, 4.0))
            if (state / DB_NAME).exists():
                assert integrity(state) == "ok"
        assert killed >= KILLS // 2  # most kills landed mid-crawl
        final = digest("crawl", "--config", str(config), "--state", str(state))
        assert final.returncode == 0, final.stderr[-2000:]
    assert integrity(state) == "ok"
    expected, kept = stories(reference), stories(state)
    record("crawls killed mid-run (SIGKILL) and survived", killed)
    record("stories lost after killed crawls", len(expected - kept))
    assert kept == expected


def fill(state: Path, count: int, offset: int = 0) -> None:
    with SQLiteStore(state) as store:
        for n in range(offset, offset + count):
            text = tuple(f"Story {n} paragraph {i} with words about topic {n * 7 + i}." * 3
                         for i in range(4))
            copy = replace(article(n), paragraphs=text, title=f"Story number {n}",
                           fetched_at=T0 + timedelta(minutes=n))
            store.save(AssignedArticle(copy, f"story{n:05d}", True), None)


def complete_site(out: Path) -> int:
    """The number of stories of a complete site; fails on a partial one."""
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    index = (out / "index.html").read_text()
    assert index.rstrip().endswith("</html>")
    for entry in feed.entries:
        page = entry.link.split("/", 3)[3]
        assert (out / page).is_file(), page
    return len(list((out / "stories").glob("*.html")))


def test_killed_builds_leave_old_or_new_site(tmp_path: Path) -> None:
    rng = random.Random(11)
    state, out, config = tmp_path / "state", tmp_path / "out", tmp_path / "sources.toml"
    config.write_text('[site]\nbase_url = "http://127.0.0.1:8000/"\n'
                      '[[sources]]\nname = "Alpha"\nfeeds = ["http://127.0.0.2/feed"]\n')
    stored = 1500
    fill(state, stored)
    assert digest("build", "--config", str(config), "--state", str(state), "--out", str(out)).returncode == 0
    fill(state, 100, offset=stored)
    stored += 100
    began = time.monotonic()
    assert digest("build", "--config", str(config), "--state", str(state), "--out", str(out)).returncode == 0
    span = time.monotonic() - began  # a rebuild with 100 new stories: kill points fall in its span
    assert complete_site(out) == stored
    killed = 0
    for _ in range(KILLS):
        fill(state, 100, offset=stored)  # each build has new stories to publish
        before, stored = complete_site(out), stored + 100
        process = start("build", "--config", str(config), "--state", str(state), "--out", str(out))
        killed += kill_after(process, rng.uniform(0.1, 0.8) * span)
        assert complete_site(out) in (before, stored)
    assert killed >= KILLS // 2
    record("builds killed mid-run (SIGKILL) and survived", killed)
    assert digest("build", "--config", str(config), "--state", str(state), "--out", str(out)).returncode == 0
    shown = complete_site(out)
    record("stories lost after killed builds", stored - shown)
    assert shown == stored
    kept = ("state", "out", "sources.toml", spare_path(out).name)  # the spare: see site.writer
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in kept]
    assert leftovers == []  # temporary build folders are cleaned up
