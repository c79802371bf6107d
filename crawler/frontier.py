"""A crawl frontier shared by crawler processes on several machines: scrapy-redis' scheduler and
duplicate filter on one Redis server (`[frontier] redis_url`).

Every process puts the requests it makes into one Redis queue and takes its next request from
it, so a feed, sitemap or listing page is fetched once, by whichever process is free. Article
requests bypass the duplicate filter (the spider deduplicates them by canonical URL), so they
are claimed instead: the first process to add a page's canonical URL to the run's claimed set
schedules it, the others count it as `skipped/other-crawler`.

Processes started together make one run. A process that joins while no other is alive starts a
new run, with its own queue, filter and claims; one that joins while others are alive joins
theirs. Being alive is a lease renewed every `BEAT` seconds, so a crashed process is forgotten
after `LEASE`. A process out of requests waits while another is still busy (that one's pages may
yield more), and the last to leave deletes the run's keys, so the next scheduled run starts clean.
If Redis goes away mid-run, the crawl stops (reason `frontier-lost`) instead of waiting forever:
what was stored stays, and the next run fetches the rest.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.config import FrontierConfig
from crawler.dedup.urls import canonical_url
from crawler.report import count
from crawler.store import StoreError

logger = logging.getLogger(__name__)

PREFIX = "syndigest:"
WORKERS = PREFIX + "workers"  # sorted set: process -> end of its lease (Redis server time)
RUN = PREFIX + "run"  # the current run's id
LEASE = 60  # seconds a process counts as alive without renewing
BEAT = 10  # seconds between renewals
CLAIMED = "frontier_claimed"  # request meta: the article is this process's (retries keep meta)
LOST = "frontier-lost"  # the crawl's finish reason when Redis went away

# Redis' own clock decides leases, so the machines' clocks need not agree.
_JOIN = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local run = redis.call('GET', KEYS[2])
local stale = false
if not run or redis.call('ZCARD', KEYS[1]) == 0 then
  stale = run
  run = ARGV[3]
  redis.call('SET', KEYS[2], run)
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return {run, stale}
"""
_RENEW = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
"""
_LEAVE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(redis.call('TIME')[1]))
if redis.call('ZCARD', KEYS[1]) > 0 then
  return false
end
local run = redis.call('GET', KEYS[2])
redis.call('DEL', KEYS[2])
return run
"""
_OTHERS_BUSY = """
local now = tonumber(redis.call('TIME')[1])
for _, other in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if other ~= ARGV[1] then
    local lease = redis.call('ZSCORE', KEYS[1], other)
    if lease and tonumber(lease) > now then
      return 1
    end
  end
end
return 0
"""


class FrontierError(StoreError):
    """The shared frontier's Redis server cannot be used."""


def check_frontier(frontier: FrontierConfig) -> None:
    """Fail before crawling, not halfway, when the shared frontier's Redis cannot be reached."""
    if not frontier.shared:
        return
    try:
        with redis.Redis.from_url(frontier.redis_url, socket_connect_timeout=30) as client:
            client.ping()
    except redis.RedisError as exc:  # its message names host and port, never a password
        raise FrontierError(f"Redis (frontier.redis_url): cannot connect: {exc}") from None


def frontier_settings(frontier: FrontierConfig) -> dict[str, Any]:
    """The Scrapy settings that share the frontier through Redis (none when it is not shared)."""
    if not frontier.shared:
        return {}
    return {
        "SCHEDULER": "crawler.frontier.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": frontier.redis_url,
    }


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


_T = TypeVar("_T")


def _or_when_lost(default: Any) -> Callable[[Callable[..., _T]], Callable[..., _T]]:
    """A scheduler method that answers `default`, and stops the crawl, once Redis is gone."""

    def wrap(method: Callable[..., _T]) -> Callable[..., _T]:
        @functools.wraps(method)
        def guarded(self: SharedScheduler, *args: Any) -> _T:
            if self.lost:
                return default
            try:
                return method(self, *args)
            except redis.RedisError as exc:
                self.lost = True
                logger.error("Shared frontier lost: %s: stopping this crawl", exc)
                if self.crawler.engine is not None:
                    deferred_from_coro(self.crawler.engine.close_spider_async(reason=LOST))
                return default

        return guarded

    return wrap


class SharedScheduler(Scheduler):
    """scrapy-redis' scheduler with run-scoped keys, claimed article pages and a shared end."""

    run = ""
    worker = ""
    lost = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler: SharedScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def _key(self, name: str, run: str | None = None) -> str:
        return f"{PREFIX}{run or self.run}:{name}"

    def _delete_run(self, run: str) -> None:
        self.server.delete(*(self._key(name, run) for name in ("requests", "seen", "claimed", "busy")))

    def open(self, spider: Spider) -> None:
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        run, stale = self.server.eval(_JOIN, 2, WORKERS, RUN, self.worker, LEASE, uuid.uuid4().hex)
        if stale:
            self._delete_run(_text(stale))
        self.run = _text(run)
        self.queue_key = self._key("requests")
        self.df = RFPDupeFilter(self.server, key=self._key("seen"),
                                debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        self._busy = False
        self._renewal = LoopingCall(self._renew)
        self._renewal.start(BEAT, now=False)
        spider.logger.info("Shared frontier: run %s, process %s", self.run, self.worker)
        super().open(spider)

    @_or_when_lost(None)
    def _renew(self) -> None:
        self.server.eval(_RENEW, 1, WORKERS, self.worker, LEASE)

    def close(self, reason: str) -> None:
        if self._renewal.running:
            self._renewal.stop()
        self._leave()

    @_or_when_lost(None)
    def _leave(self) -> None:
        self.server.srem(self._key("busy"), self.worker)
        last = self.server.eval(_LEAVE, 2, WORKERS, RUN, self.worker)
        if last:  # no process is left: the run is over
            for run in {_text(last), self.run}:
                self._delete_run(run)

    @_or_when_lost(False)
    def has_pending_requests(self) -> bool:
        return bool(super().has_pending_requests())

    @_or_when_lost(False)
    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("kind") == "article" and not request.meta.get(CLAIMED):
            request.meta[CLAIMED] = True
            if not self.server.sadd(self._key("claimed"), canonical_url(request.url)):
                count(self.stats, request.meta.get("source", "?"), "skipped/other-crawler")
                return False
        return bool(super().enqueue_request(request))

    @_or_when_lost(None)
    def next_request(self) -> Request | None:
        request: Request | None = super().next_request()
        if request is not None and not self._busy:
            self._busy = True
            self.server.sadd(self._key("busy"), self.worker)
        return request

    def spider_idle(self) -> None:
        """Out of requests: wait (Scrapy looks again every few seconds) while another process
        is busy, since its pages may yield more; end when every process is idle."""
        if self._others_busy():
            raise DontCloseSpider

    @_or_when_lost(False)
    def _others_busy(self) -> bool:
        if self._busy:
            self._busy = False
            self.server.srem(self._key("busy"), self.worker)
        return bool(self.server.eval(_OTHERS_BUSY, 2, WORKERS, self._key("busy"), self.worker))
