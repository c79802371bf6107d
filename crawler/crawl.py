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
from crawler.refetch import FetchPolicy
from crawler.runreport import RunReport, build_report
from crawler.spiders.digest import DigestSpider, utc_now
from crawler.store import SQLiteStore

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
            "SYNDIGEST_CONFIG": config,
            "SYNDIGEST_STATE": str(state_dir),
            "SYNDIGEST_RUN_ID": run_id,
        },
        priority="cmdline",
    )
    return settings


def _dropped_recorder(policy: FetchPolicy) -> Callable[..., None]:
    """A page a pipeline refused is remembered, so later runs do not fetch it again."""

    def item_dropped(item: Any, exception: Exception, **_: Any) -> None:
        reason = getattr(exception, "reason", None)
        url = getattr(getattr(item, "article", item), "canonical_url", None)
        if reason and url and reason != "duplicate-url":
            policy.record(url, reason)

    return item_dropped


def run_crawl(
    config: Config, state_dir: Path, clock: Callable[[], datetime] = utc_now
) -> RunReport:
    """Crawl every source once, storing what it finds; never raises for a failing source."""
    started = clock()
    with SQLiteStore(state_dir) as store:
        run_id = store.begin_run(started)
        policy = FetchPolicy(store.all_urls().__contains__, store.refusals(), started)
    process = CrawlerProcess(settings_for(config, state_dir, run_id))
    crawler = process.create_crawler(DigestSpider)
    crawler.signals.connect(_dropped_recorder(policy), signal=signals.item_dropped)
    process.crawl(crawler, config=config, clock=clock, skip_reason=policy.skip_reason,
                  remember=policy.record)
    process.start()
    with SQLiteStore(state_dir) as store:
        store.save_refusals(policy.changed)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    report = build_report(run_id, started, clock(), stats, [s.name for s in config.sources])
    with SQLiteStore(state_dir) as store:
        store.finish_run(run_id, report.finished, report.status, report.to_json())
    return report
