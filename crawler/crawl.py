"""One crawl: config -> Scrapy settings -> CrawlerProcess -> per-source summary.

Twisted's reactor cannot be restarted, so a process runs at most one crawl; tests run the
command line in a subprocess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler import __version__
from crawler.config import Config
from crawler.report import summarise
from crawler.spiders.digest import DigestSpider, utc_now
from crawler.store import SQLiteStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CrawlResult:
    run_id: int
    status: str
    summary: dict[str, dict[str, int]]
    stats: dict[str, Any]


def settings_for(config: Config, state_dir: Path, run_id: int | None) -> Settings:
    """The project's settings with the values that sources.toml controls."""
    settings = get_project_settings()
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


def run_crawl(
    config: Config, state_dir: Path, clock: Callable[[], datetime] = utc_now
) -> CrawlResult:
    """Crawl every source once, storing what it finds; never raises for a failing source."""
    with SQLiteStore(state_dir) as store:
        run_id = store.begin_run(clock())
        known = store.all_urls()
    process = CrawlerProcess(settings_for(config, state_dir, run_id))
    crawler = process.create_crawler(DigestSpider)
    process.crawl(crawler, config=config, clock=clock, known_url=known.__contains__)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    summary = summarise(stats)
    pages = sum(c.get("pages", 0) for c in summary.values())
    status = "ok" if pages else "failed"
    with SQLiteStore(state_dir) as store:
        store.finish_run(run_id, clock(), status, {"summary": summary,
                                                   "finish_reason": stats.get("finish_reason")})
    return CrawlResult(run_id=run_id, status=status, summary=summary, stats=stats)
