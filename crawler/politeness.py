"""robots.txt Crawl-delay, honoured.

Scrapy parses robots.txt but ignores its Crawl-delay, and AutoThrottle would lower any delay set
by hand. This extension reads Crawl-delay from each robots.txt the crawl downloads and, after
every response, keeps that host's download slot at least that slow. It runs after AutoThrottle
(extensions connect in order), so its floor wins.
"""

from __future__ import annotations

import logging

from protego import Protego
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

logger = logging.getLogger(__name__)

MAX_CRAWL_DELAY = 60.0  # a longer delay would stall an hourly run; such a site gets this


def crawl_delay(robots: bytes, user_agent: str) -> float | None:
    """The Crawl-delay robots.txt asks of `user_agent` (capped), or None."""
    try:
        parsed = Protego.parse(robots.decode("utf-8", errors="replace"))
        delay = parsed.crawl_delay(user_agent)
    except (ValueError, TypeError):
        return None
    if delay is None or delay <= 0:
        return None
    return min(float(delay), MAX_CRAWL_DELAY)


class RobotsCrawlDelay:
    def __init__(self, crawler: Crawler, user_agent: str) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsCrawlDelay:
        ext = cls(crawler, crawler.settings.get("USER_AGENT", "syndigest"))
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def response_downloaded(self, response: Response, request: Request) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        key = downloader.get_slot_key(request)
        if request.url.endswith("/robots.txt") and response.status == 200:
            delay = crawl_delay(response.body, self.user_agent)
            if delay is not None:
                logger.info("%s asks for Crawl-delay %.1fs: honoured", key, delay)
                self.delays[key] = delay
        floor = self.delays.get(key)
        slot = downloader.slots.get(key)
        if floor is not None and slot is not None and slot.delay < floor:
            slot.delay = floor
