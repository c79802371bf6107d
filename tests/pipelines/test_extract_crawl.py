"""A real crawl of fixture sites with extraction in worker processes: the same stories as with
extraction inline, every page stored once, and a worker killed mid-crawl costs nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.commands import export
from tests.pipelines.test_pool import workers_of
from tests.sites import FixtureSite, Reply, xml
from tests.spiders.test_digest_crawl import page, rss

TOPICS = ["Harbour", "Bridge", "Election", "Storm", "Budget", "Railway", "Museum", "Ferry",
          "Festival", "Airport", "Wheat", "Tariff", "Hospital", "Senate", "Court", "Teachers",
          "Rainfall", "Exports", "Union", "Mayor"]
PER_SITE = 10
PAUSE = 0.1  # seconds each article takes to serve: the crawl lasts long enough to be interrupted


def slowly(reply: Reply) -> Any:
    def route(site: FixtureSite, handler: object) -> Reply:
        time.sleep(PAUSE)
        return reply
    return route


@pytest.fixture
def network() -> Iterator[list[FixtureSite]]:
    """Three sites, ten articles each; a site's last five are copies of the next site's first five."""
    sites = [FixtureSite(f"127.0.0.{51 + n}").start() for n in range(3)]
    for n, site in enumerate(sites):
        links = []
        for k in range(PER_SITE):
            topic = TOPICS[n * 5 + k]
            path = f"/news/{k}"
            site.routes[path] = slowly(page(f"{topic} news from site {n}", topic))
            links.append(site.url(path))
        if n == 0:
            site.routes["/feed.xml"] = rss(links)
        else:
            site.routes["/sitemap.xml"] = xml(
                "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                + "".join(f"<url><loc>{link}</loc></url>" for link in links) + "</urlset>")
    yield sites
    for site in sites:
        site.stop()


def config(path: Path, sites: list[FixtureSite]) -> Path:
    lines = ["[crawl]", "download_delay = 0", "autothrottle = false", "concurrent_per_domain = 4", ""]
    for n, site in enumerate(sites):
        key = "feeds" if n == 0 else "sitemaps"
        document = "/feed.xml" if n == 0 else "/sitemap.xml"
        lines += ["[[sources]]", f'name = "Site {n}"', f'{key} = ["{site.url(document)}"]',
                  "article_pattern = '/news/'", ""]
    path.write_text("\n".join(lines))
    return path


def crawl(workers: int, config: Path, state: Path) -> subprocess.Popen[str]:
    """`digest crawl` in a subprocess, with `[crawl] extract_workers` set in its config."""
    text = config.read_text().replace("[crawl]\n", f"[crawl]\nextract_workers = {workers}\n", 1)
    worker_config = config.with_name(f"sources-{workers}.toml")
    worker_config.write_text(text)
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "--config", str(worker_config),
         "--state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())


def grouping(state: Path) -> set[frozenset[str]]:
    """Each story as the set of its copies' URLs (which copy leads depends on arrival order)."""
    return {frozenset(c["url"] for c in story["copies"]) for story in export(state)}


def test_workers_store_what_inline_extraction_stores(network: list[FixtureSite], tmp_path: Path) -> None:
    sources = config(tmp_path / "sources.toml", network)
    runs = {}
    for workers in (0, 2):
        process = crawl(workers, sources, tmp_path / f"state{workers}")
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err[-3000:]
        assert "extraction-" not in out + err
        assert ("Extracting in 2 worker processes" in err) == (workers == 2)
        runs[workers] = grouping(tmp_path / f"state{workers}")
    assert runs[2] == runs[0]
    assert sum(len(story) for story in runs[2]) == 3 * PER_SITE  # every page, once
    assert sum(len(story) == 2 for story in runs[2]) == 10  # the copies found their stories


def test_a_worker_killed_mid_crawl_loses_nothing(network: list[FixtureSite], tmp_path: Path) -> None:
    sources = config(tmp_path / "sources.toml", network)
    process = crawl(1, sources, tmp_path / "state")
    killed: list[int] = []

    def kill_the_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if sum(len(site.requests) for site in network) >= PER_SITE:  # extraction under way
                workers = workers_of(process.pid)
                if workers:
                    os.kill(workers[0], 9)
                    killed.append(workers[0])
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    out, err = process.communicate(timeout=180)
    killer.join()
    assert process.returncode == 0, err[-3000:]
    assert killed, "the crawl ended before its worker could be killed"
    assert "worker process" in err and "died" in err  # the replacement is logged
    assert "extraction-crashed" not in out  # the page it was reading was read again
    assert sum(len(story) for story in grouping(tmp_path / "state")) == 3 * PER_SITE
