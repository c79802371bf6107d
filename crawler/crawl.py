"""One crawl: config -> Scrapy settings -> CrawlerProcess -> per-source summary.

Twisted's reactor cannot be restarted, so a process runs at most one crawl; tests run the
command line in a subprocess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import __version__
from crawler.config import Config
from crawler.frontier import LOST, FrontierError, check_frontier, frontier_settings
from crawler.refetch import FetchPolicy
from crawler.runreport import RunReport, build_report
from crawler.spiders.digest import DigestSpider, utc_now
from crawler.store import open_store

logger = logging.getLogger(__name__)


def settings_for(config: Config, state_dir: Path, run_id: int | None) -> Settings:
    """The project's settings with the values that sources.toml controls."""
    settings = Settings()  # not get_project_settings(): `digest` runs from any directory
    settings.setmodule("crawler.settings", priority="project")
    crawl = config.crawl
    settings.setdict(
        {
            "USER_AGENT": config.user_agent(__version__),
            "DOWNLOAD_DELAY": crawl.download_delay,
            "RANDOMIZE_DOWNLOAD_DELAY": crawl.download_delay > 0,
            "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
            "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
            "DOWNLOAD_WARNSIZE": min(crawl.max_response_bytes, 2_000_000),
            "DOWNLOAD_TIMEOUT": crawl.timeout,
            "RETRY_TIMES": crawl.retry_times,
            "RETRY_AFTER_MAX": crawl.max_retry_after,
            "EXTRACT_WORKERS": crawl.extract_workers,
            "SYNDIGEST_CONFIG": config,
            "SYNDIGEST_STATE": str(state_dir),
            "SYNDIGEST_RUN_ID": run_id,
        },
        priority="cmdline",
    )
    settings.setdict(frontier_settings(config.frontier), priority="cmdline")
    return settings


def _dropped_recorder(policy: FetchPolicy) -> Callable[..., None]:
    """A page a pipeline refused is remembered, so later runs do not fetch it again."""

    def item_dropped(item: Any, exception: Exception, **_: Any) -> None:
        reason = getattr(exception, "reason", None)
        url = getattr(getattr(item, "article", item), "canonical_url", None)
        if reason and url and reason != "duplicate-url":
            policy.record(url, reason)

    return item_dropped


def _drop_below(level: str) -> None:
    """Scrapy filters log records in its handler but leaves the root logger at NOTSET and its own
    at DEBUG, so every debug call (extraction makes many per page, Scrapy two) would build a
    record only to drop it. Loggers at the handler's level drop them at the call."""
    for name in ("", "scrapy"):
        logging.getLogger(name).setLevel(level)


def run_crawl(
    config: Config, state_dir: Path, clock: Callable[[], datetime] = utc_now
) -> RunReport:
    """Crawl every source once, storing what it finds; never raises for a failing source."""
    started = clock()
    check_frontier(config.frontier)
    with open_store(state_dir, config.state) as store:
        run_id = store.begin_run(started)
        policy = FetchPolicy(store.all_urls().__contains__, store.refusals(), started)
    process = CrawlerProcess(settings_for(config, state_dir, run_id))
    crawler = process.create_crawler(DigestSpider)
    crawler.signals.connect(_dropped_recorder(policy), signal=signals.item_dropped)
    process.crawl(crawler, config=config, clock=clock, skip_reason=policy.skip_reason,
                  remember=policy.record)
    _drop_below(crawler.settings["LOG_LEVEL"])
    process.start()
    with open_store(state_dir, config.state) as store:
        store.save_refusals(policy.changed)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    report = build_report(run_id, started, clock(), stats, [s.name for s in config.sources],
                          shared=config.frontier.shared)
    with open_store(state_dir, config.state) as store:
        store.finish_run(run_id, report.finished, report.status, report.to_json())
    if stats.get("finish_reason") == LOST:
        raise FrontierError("Redis (frontier.redis_url) went away mid-crawl: what was stored is "
                            "kept, the next run fetches the rest")
    return report
