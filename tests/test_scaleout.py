"""Beyond one machine: crawler processes sharing one frontier (scrapy-redis on a real Redis) and
one store (a real PostgreSQL) fetch each article page once and find the same stories as one
process with the default SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.config import FrontierConfig, StateConfig
from crawler.frontier import WORKERS, FrontierError, SharedScheduler, check_frontier
from crawler.pipelines.dedup import DedupPipeline
from crawler.report import Dropped
from crawler.runreport import build_report
from crawler.store_pg import PostgresStore
from tests.services import postgres_dsn, postgres_server, redis_server, redis_url
from tests.sites import FixtureSite, Reply, Route, html
from tests.spiders.test_digest_crawl import prose, rss
from tests.test_store import article as stored_article

__all__ = ["postgres_dsn", "postgres_server", "redis_server", "redis_url"]  # the fixtures

PER_SITE = 14
# Which story each site carries at /news/1.. : Alpha's own, copies of Alpha's on Beta (whole)
# and Gamma (without the last paragraph), and stories only Beta or Gamma has.
CARRIED = {
    "Alpha": list(range(14)),
    "Beta": [*range(10), *range(14, 18)],
    "Gamma": [*range(5, 14), *range(18, 23)],
}
HOSTS = {"Alpha": "127.0.0.31", "Beta": "127.0.0.32", "Gamma": "127.0.0.33"}
JOIN_SECONDS = 120  # how long the sites hold article pages back for the crawlers to start


def article(story: int, site: str, order: int) -> Reply:
    topic = f"Topic{story}"
    paragraphs = prose(topic, 4)[: 3 if site == "Gamma" else 4]
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return html(
        f"<!doctype html><html lang='en'><head><title>{topic} news from {site}</title>"
        f"<meta property='article:published_time' content='2025-06-02T0{order}:30:00+00:00'>"
        f"</head><body><article><h1>{topic} news from {site}</h1>{body}<p>(ANI)</p></article>"
        "<footer>Copyright Fixture</footer></body></html>"
    )


def held(reply: Reply, gate: threading.Event) -> Route:
    def route(site: FixtureSite, handler: object) -> Reply:
        gate.wait(timeout=JOIN_SECONDS)
        return reply

    return route


@pytest.fixture
def network() -> Iterator[tuple[dict[str, FixtureSite], threading.Event]]:
    """The sites, and the gate their article pages wait at (open unless the test closes it)."""
    sites = {name: FixtureSite(host) for name, host in HOSTS.items()}
    gate = threading.Event()
    gate.set()
    for order, (name, site) in enumerate(sites.items()):
        site.start()
        paths = [f"/news/{n}" for n in range(1, PER_SITE + 1)]
        site.routes["/feed.xml"] = rss([site.url(p) for p in paths])
        # The listing repeats half the feed: two documents linking one page, maybe read by two
        # processes, still make one request for it.
        site.routes["/latest/"] = html("".join(f"<a href='{p}'>x</a>" for p in paths[PER_SITE // 2:]))
        for path, story in zip(paths, CARRIED[name], strict=True):
            site.routes[path] = held(article(story, name, order), gate)
    yield sites, gate
    for site in sites.values():
        site.stop()


def write_config(path: Path, sites: dict[str, FixtureSite], shared: str = "", delay: int = 0) -> None:
    sources = "".join(f"""
[[sources]]
name = "{name}"
feeds = ["{site.url('/feed.xml')}"]
start_urls = ["{site.url('/latest/')}"]
article_pattern = '/news/\\d+$'
max_depth = 0
""" for name, site in sites.items())
    path.write_text(f"""
[crawl]
download_delay = {delay}
autothrottle = false
timeout = {JOIN_SECONDS + 30}
{shared}
{sources}""", encoding="utf-8")


def digest(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "crawler", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir(),
                            env={**os.environ, **(env or {})})


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return out


def export(*args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return [json.loads(line) for line in finish(digest("export", *args, env=env)).splitlines()]


def by_copies(stories: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Stories keyed by their copies' URLs, without ids (the first copy stored names a story,
    and which copy is stored first depends on timing)."""
    return {tuple(sorted(c["url"] for c in s["copies"])): {k: v for k, v in s.items() if k != "id"}
            for s in stories}


def article_hits(sites: dict[str, FixtureSite]) -> dict[str, int]:
    return {site.url(path): n for site in sites.values() for path, n in site.hits.items()
            if path.startswith("/news/")}


def test_two_crawlers_fetch_each_article_once_and_find_the_same_stories(
    network: tuple[dict[str, FixtureSite], threading.Event], tmp_path: Path, redis_url: str,
    postgres_dsn: str,
) -> None:
    sites, gate = network
    pages = sum(len(v) for v in CARRIED.values())
    single_config = tmp_path / "single.toml"
    write_config(single_config, sites)
    finish(digest("crawl", "--config", str(single_config), "--state", str(tmp_path / "single")))
    single = export("--state", str(tmp_path / "single"))
    assert set(article_hits(sites).values()) == {1} and len(article_hits(sites)) == pages
    assert len(single) == 23 and sum(len(s["copies"]) for s in single) == pages

    for site in sites.values():
        site.requests.clear()
        site.hits.clear()
    shared_config = tmp_path / "shared.toml"
    # A page a second per site and process, and no article page before both processes are up:
    # neither can empty the shared queue before the other has looked at it (an idle Scrapy
    # looks every 5 s), however slowly the machine starts them.
    write_config(shared_config, sites,
                 f'[state]\nbackend = "postgresql"\n\n[frontier]\nredis_url = "{redis_url}"\n',
                 delay=1)
    env = {"SYNDIGEST_DATABASE_URL": postgres_dsn}  # the password-bearing part stays out of the file
    gate.clear()
    crawlers = [digest("crawl", "--config", str(shared_config), "--state", str(tmp_path / f"p{i}"),
                       env=env) for i in (1, 2)]
    joined = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + JOIN_SECONDS
    try:
        while joined.zcard(WORKERS) < 2 and time.monotonic() < deadline:
            assert all(c.poll() is None for c in crawlers), "a crawler ended before both joined"
            time.sleep(0.1)
    finally:
        gate.set()
    for crawler in crawlers:
        finish(crawler)

    hits = article_hits(sites)
    assert len(hits) == pages and set(hits.values()) == {1}, hits  # every article page, once
    for site in sites.values():  # the feed and the listing were shared too
        assert site.hits["/feed.xml"] == 1 and site.hits["/latest/"] == 1
    stored = [sum(s["articles"] for s in json.loads((tmp_path / f"p{i}" / "report.json")
                                                   .read_text())["sources"]) for i in (1, 2)]
    assert sum(stored) == pages and min(stored) > 0, stored  # both processes did part of the work

    shared = export("--config", str(shared_config), env=env)
    assert by_copies(shared) == by_copies(single)
    assert len({s["id"] for s in shared}) == len(shared)
    print(f"\n{pages} article pages, each requested once by 2 crawlers (stored {stored[0]} + "
          f"{stored[1]}); {len(shared)} stories, equal to the single-process crawl's")
    assert not redis.Redis.from_url(redis_url).keys("syndigest:*")  # the run cleaned up


def scheduler(redis_url: str) -> tuple[SharedScheduler, Spider]:
    crawler = get_crawler(Spider, {"REDIS_URL": redis_url,
                                   "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter"})
    spider = Spider(name="digest")
    spider.crawler, spider.settings = crawler, crawler.settings
    instance = SharedScheduler.from_crawler(crawler)
    instance.open(spider)
    return instance, spider


def waits(spider: Spider) -> bool:
    """Whether the spider, idle, is kept open (as Scrapy's engine asks on `spider_idle`)."""
    results = spider.crawler.signals.send_catch_log(signals.spider_idle, spider=spider,
                                                    dont_log=DontCloseSpider)
    return any(isinstance(r, Failure) and r.check(DontCloseSpider) for _, r in results)


def test_processes_share_a_run_claim_articles_and_the_last_cleans_up(redis_url: str) -> None:
    (ours, our_spider), (theirs, their_spider) = scheduler(redis_url), scheduler(redis_url)
    assert ours.run == theirs.run and ours.worker != theirs.worker

    page = "http://127.0.0.31/news/1"
    assert ours.enqueue_request(Request(page, meta={"kind": "article", "source": "Alpha"},
                                        dont_filter=True))
    assert not theirs.enqueue_request(Request(page + "?utm_source=rss", dont_filter=True,
                                              meta={"kind": "article", "source": "Alpha"}))
    feed = "http://127.0.0.31/feed.xml"
    assert ours.enqueue_request(Request(feed, meta={"kind": "feed"}))
    assert not theirs.enqueue_request(Request(feed, meta={"kind": "feed"}))
    taken = {theirs.next_request().url, theirs.next_request().url}  # type: ignore[union-attr]
    assert taken == {page, feed} and theirs.next_request() is None

    assert waits(our_spider)  # the other took work that may yield more: wait for it
    assert not waits(their_spider)
    assert not waits(our_spider)  # both idle: the crawl may end

    client = redis.Redis.from_url(redis_url)
    ours.close("finished")
    assert client.exists(f"syndigest:{theirs.run}:claimed")  # still in use
    theirs.close("finished")
    assert not client.keys("syndigest:*")
    fresh, _ = scheduler(redis_url)
    assert fresh.run != ours.run  # the next scheduled crawl starts a run of its own
    fresh.close("finished")


def test_dedup_in_each_process_sees_what_the_others_stored(postgres_dsn: str, tmp_path: Path) -> None:
    state = StateConfig(backend="postgresql", dsn=postgres_dsn)
    ours, theirs = DedupPipeline(str(tmp_path), None, state), DedupPipeline(str(tmp_path), None, state)
    ours.open_spider()
    theirs.open_spider()  # both started before anything was stored
    first = ours.process_item(stored_article(1))
    with PostgresStore(postgres_dsn) as store:  # the store pipeline's own connection
        store.save(first, None)
        ours.end_turn()  # stored: the store pipeline lets the others take their turn
        copy = theirs.process_item(stored_article(2, source="Beta"))  # the same text elsewhere
        assert (copy.story_id, copy.new_story) == (first.story_id, False)
        theirs.end_turn()
        with pytest.raises(Dropped, match="duplicate-url"):
            theirs.process_item(stored_article(1))  # a page the other process stored
    with psycopg.connect(postgres_dsn) as db:
        locks = db.execute("SELECT count(*) FROM pg_locks WHERE locktype='advisory'").fetchone()
        assert locks == (0,)
    ours.close_spider()
    theirs.close_spider()


def test_a_source_another_process_crawled_is_idle_not_failed() -> None:
    now, finished = datetime.now(UTC), {"finish_reason": "finished"}
    stats = {**finished, "syndigest/Alpha/requests": 3, "syndigest/Alpha/status/200": 3}
    report = build_report(1, now, now, stats, ["Alpha", "Beta"], shared=True)
    assert [s.status for s in report.sources] == ["ok", "idle"] and report.status == "ok"
    assert build_report(1, now, now, finished, ["Alpha"], shared=True).status == "ok"
    assert build_report(1, now, now, finished, ["Alpha"]).status == "failed"  # a lone process
    assert build_report(1, now, now, {}, ["Alpha"], shared=True).status == "failed"  # it broke


def test_an_unreachable_frontier_fails_before_crawling() -> None:
    with pytest.raises(FrontierError, match="cannot connect") as info:
        check_frontier(FrontierConfig("redis://:s3cret-pw@127.0.0.1:1/0"))
    assert "s3cret-pw" not in str(info.value)
