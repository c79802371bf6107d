"""The one generic spider: discovery from the config, then article pages.

Thin by design: parsing of feeds and sitemaps lives in `crawler.discover`, page extraction in
`crawler.extract` (run by the first pipeline, in worker processes); this only decides what to
fetch next and counts what it does not keep.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config import Config, SourceConfig
from crawler.dedup.urls import canonical_url
from crawler.discover import feed_links, robots_sitemaps, sitemap_links
from crawler.items import Page
from crawler.middlewares import OffsiteRequest
from crawler.report import count

logger = logging.getLogger(__name__)

_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def utc_now() -> datetime:
    return datetime.now(UTC)


def header_charset(response: Response) -> str | None:
    match = _CHARSET.search(response.headers.get("Content-Type") or b"")
    return match.group(1).decode("ascii") if match else None


class DigestSpider(Spider):
    name = "digest"

    def __init__(
        self,
        config: Config,
        clock: Callable[[], datetime] = utc_now,
        skip_reason: Callable[[str], str | None] = lambda url: None,
        remember: Callable[[str, str], None] = lambda url, reason: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.clock = clock
        self.skip_reason = skip_reason
        self.remember = remember
        self._budget = {s.name: s.max_pages for s in config.sources}
        self._scheduled: set[str] = set()
        self._started = clock()
        self._links = LinkExtractor(unique=True)

    # -- discovery --

    async def start(self) -> AsyncIterator[Request]:
        for source in self.config.sources:
            for url in source.feeds:
                yield self._request(url, source, self.parse_feed, kind="feed")
            for url in source.sitemaps:
                callback = self.parse_robots if url.endswith("/robots.txt") else self.parse_sitemap
                yield self._request(url, source, callback, kind="sitemap")
            for url in source.start_urls:
                yield self._request(url, source, self.parse_listing, kind="listing", listing_depth=0)

    def _request(
        self, url: str, source: SourceConfig, callback: Callable[..., Any], kind: str, **meta: Any
    ) -> Request:
        if self.config.crawl.proxy:
            meta["proxy"] = self.config.crawl.proxy
        return Request(
            url,
            callback=callback,
            errback=self.failed,
            meta={"source": source.name, "kind": kind, **meta},
            # Articles are deduplicated by canonical URL in `_articles`; Scrapy's filter would
            # also drop a redirect back to a seen URL without a trace (a redirect loop).
            dont_filter=kind == "article",
        )

    def _source(self, response: Response) -> SourceConfig:
        return self.config.source(response.meta["source"])

    def _unchanged(self, source: SourceConfig, response: Response) -> bool:
        """A 304 to a conditional request: nothing new since the last run."""
        if response.status == 304:
            count(self.crawler.stats, source.name, "not-modified")
            return True
        return False

    def _over_time(self, source: SourceConfig) -> bool:
        if source.max_minutes is None:
            return False
        return self.clock() - self._started > timedelta(minutes=source.max_minutes)

    def _on_site(self, source: SourceConfig, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in source.hosts

    def _articles(self, source: SourceConfig, urls: Iterable[str]) -> Iterator[Request]:
        """Requests for article links, fetched as linked; identity is the canonical URL."""
        for url in urls:
            try:
                identity = canonical_url(url)
            except ValueError:
                count(self.crawler.stats, source.name, "skipped/bad-url")
                continue
            if identity in self._scheduled:
                continue  # another link to a page already asked for in this run
            if not self._on_site(source, url):
                count(self.crawler.stats, source.name, "skipped/offsite-link")
            elif not source.is_article_url(url):
                count(self.crawler.stats, source.name, "skipped/not-article-pattern")
            elif skip := self.skip_reason(identity):
                count(self.crawler.stats, source.name, f"skipped/{skip}")
            elif self._budget[source.name] <= 0:
                count(self.crawler.stats, source.name, "skipped/page-budget")
            elif self._over_time(source):
                count(self.crawler.stats, source.name, "skipped/time-budget")
            else:
                self._budget[source.name] -= 1
                self._scheduled.add(identity)
                yield self._request(url, source, self.parse_article, kind="article")

    def parse_feed(self, response: Response) -> Iterator[Request]:
        source = self._source(response)
        if self._unchanged(source, response):
            return
        links = feed_links(response.body)
        if links is None:
            logger.warning("%s: %s is not an RSS or Atom feed", source.name, response.url)
            count(self.crawler.stats, source.name, "error/not-a-feed", example=response.url)
            return
        yield from self._articles(source, (response.urljoin(u) for u in links))

    def parse_robots(self, response: Response) -> Iterator[Request]:
        source = self._source(response)
        if self._unchanged(source, response):
            return
        for url in robots_sitemaps(response.body, response.url):
            if self._on_site(source, url):
                yield self._request(url, source, self.parse_sitemap, kind="sitemap")

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        source = self._source(response)
        if self._unchanged(source, response):
            return
        links = sitemap_links(response.body, self.config.crawl.max_response_bytes)
        if links is None:
            logger.warning("%s: %s is not a sitemap", source.name, response.url)
            count(self.crawler.stats, source.name, "error/not-a-sitemap", example=response.url)
            return
        for url in links.sitemaps:
            url = response.urljoin(url)
            if self._on_site(source, url):
                yield self._request(url, source, self.parse_sitemap, kind="sitemap")
        yield from self._articles(source, (response.urljoin(u) for u in links.pages))

    def parse_listing(self, response: Response) -> Iterator[Request]:
        source = self._source(response)
        if self._unchanged(source, response):
            return
        if not isinstance(response, TextResponse):
            count(self.crawler.stats, source.name, "error/listing-not-html", example=response.url)
            return
        depth = response.meta.get("listing_depth", 0)
        links = [link.url for link in self._links.extract_links(response)]
        articles = [u for u in links if source.is_article_url(u)]
        yield from self._articles(source, articles)
        if depth >= source.max_depth:
            return
        for url in links:
            if url not in articles and self._on_site(source, url):
                yield self._request(url, source, self.parse_listing, kind="listing", listing_depth=depth + 1)

    # -- articles --

    def parse_article(self, response: Response) -> Iterator[Page]:
        source = self._source(response)
        content_type = (response.headers.get("Content-Type") or b"text/html").lower()
        if not any(t in content_type for t in _HTML_TYPES):
            count(self.crawler.stats, source.name, "skipped/not-html", example=response.url)
            self.remember(canonical_url(response.url), "not-html")
            return
        yield Page(response.url, source.name, response.body, header_charset(response), self.clock())

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta.get("source", "?")
        reason = failure_reason(failure)
        kind = "skipped" if reason in ("robots-disallowed", "redirected-offsite") else "error"
        count(self.crawler.stats, source, f"{kind}/{reason}", example=request.url)
        if request.meta.get("kind") == "article":  # remembered under the URL as linked
            self.remember(canonical_url(request.meta.get("redirect_urls", [request.url])[0]), reason)
        logger.info("%s: %s not kept: %s", source, request.url, reason)


_CHALLENGE_MARKERS = (b"cf-chl", b"challenge-platform", b"Just a moment...", b"captcha",
                      b"Attention Required!", b"Access Denied", b"px-captcha", b"DDoS protection")


_IGNORED = (("robots", "robots-disallowed"), ("DOWNLOAD_MAXSIZE", "too-large"),
            ("max redirections", "redirect-loop"))
_FAILURES: tuple[tuple[type[Exception], str], ...] = (
    (DownloadCancelledError, "too-large"),  # Scrapy cancels a download only past DOWNLOAD_MAXSIZE
    (DownloadTimeoutError, "timeout"),
    (TimeoutError, "timeout"),
    (DownloadConnectionRefusedError, "connection-refused"),
    (ConnectionRefusedError, "connection-refused"),
    (DownloadFailedError, "connection-failed"),
    (ResponseDataLossError, "connection-failed"),
    (ConnectionError, "connection-failed"),
)


def failure_reason(failure: Failure) -> str:
    """A short slug for why a request failed; says when a site blocks the crawler."""
    if failure.check(OffsiteRequest):
        return "redirected-offsite"
    if failure.check(HttpError):
        response = failure.value.response
        if response.status in (403, 429, 503) and any(
            marker.lower() in response.body[:20_000].lower() for marker in _CHALLENGE_MARKERS
        ):
            return "blocked-challenge-page"
        if response.status == 403:
            return "blocked-http-403"
        return f"http-{response.status}"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        for fragment, reason in _IGNORED:
            if fragment in message:
                return reason
        return "ignored"
    for exception, reason in _FAILURES:
        if failure.check(exception):
            return reason
    if failure.check(ValueError) and "scheme" in str(failure.value):
        return "redirected-to-bad-url"  # a Location or refresh to javascript:, mailto:...
    return type(failure.value).__name__
