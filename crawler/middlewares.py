"""Retries that honour Retry-After.

Scrapy's stock RetryMiddleware retries 429 and 503 at once, ignoring the server's Retry-After:
the impolite thing to do, and often futile. This waits as asked (capped by `RETRY_AFTER_MAX`),
then retries; a server asking for longer than the cap is given up on with a clear reason.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlunparse

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings, max_wait: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        middleware = cls(crawler.settings, crawler.settings.getfloat("RETRY_AFTER_MAX", 120.0))
        middleware.crawler = crawler
        return middleware

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        header = response.headers.get("Retry-After")
        wait = retry_after_seconds(
            header.decode("latin-1") if header else None, datetime.now(UTC)
        )
        if wait is not None:
            if wait > self.max_wait:
                logger.warning(
                    "Giving up on %s: server asks to retry after %.0fs (cap %.0fs)",
                    request.url, wait, self.max_wait,
                )
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("retry/retry_after_too_long")
                return response
            logger.info("Retry-After %.1fs for %s", wait, request.url)
            await asyncio.sleep(wait)
        reason = f"HTTP {response.status}"
        return self._retry(request, reason) or response


class OffsiteRequest(IgnoreRequest):
    """A request (usually a redirect) to a host outside its source's configured hosts."""


class SourceHostsMiddleware:
    """Keeps each source's requests on that source's own hosts, redirects included.

    Scrapy's offsite filter drops redirects to other hosts at scheduling time without a trace;
    this refuses them with `OffsiteRequest`, which the spider's errback counts per source.
    """

    def __init__(self, hosts: dict[str, frozenset[str]]) -> None:
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceHostsMiddleware:
        config = crawler.settings["SYNDIGEST_CONFIG"]
        return cls({source.name: source.hosts for source in config.sources})

    def process_request(self, request: Request) -> None:
        source = request.meta.get("source")
        if source is None:  # robots.txt and other requests of Scrapy's own
            return
        host = urlparse_cached(request).hostname or ""
        if host.lower() not in self.hosts.get(source, frozenset()):
            raise OffsiteRequest(f"{request.url} is outside source {source!r}")


_ENCODED_DOT = re.compile("%2e", re.IGNORECASE)


def remove_dot_segments(path: str) -> str:
    """`path` without `.` and `..` segments, spelt plainly or percent-encoded (RFC 3986 5.2.4).

    ``/news/%2e%2e/private/1`` is ``/private/1`` to a server, and must be to robots.txt too.
    """
    segments = path.split("/")
    if not any(_ENCODED_DOT.sub(".", s) in (".", "..") for s in segments):
        return path
    kept: list[str] = []
    for index, segment in enumerate(segments):
        dots = _ENCODED_DOT.sub(".", segment)
        if dots not in (".", ".."):
            kept.append(segment)
            continue
        if dots == ".." and len(kept) > 1:
            kept.pop()
        if index == len(segments) - 1:
            kept.append("")  # "/a/b/.." is the folder "/a/"
    return "/".join(kept) or "/"


class DotSegmentsMiddleware:
    """Asks for the path a server will serve: dot segments resolved before robots.txt is asked.

    Otherwise ``/news/../private/1`` passes a ``Disallow: /private/`` rule and the server, which
    resolves it, serves the disallowed page.
    """

    def process_request(self, request: Request) -> Request | None:
        parts = urlparse_cached(request)
        path = remove_dot_segments(parts.path)
        if path == parts.path:
            return None
        return request.replace(url=urlunparse(parts._replace(path=path)))
