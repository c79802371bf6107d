"""Conditional requests for discovery documents: ETag / Last-Modified remembered across runs.

An hourly job re-reads every feed and sitemap; most have not changed. Sending the validators
from the last run lets the server answer 304 with no body. `Validators` is the logic (plain
data in, headers out); `ConditionalRequestsMiddleware` is the Scrapy wiring, loading from and
saving to the store around the crawl.
"""

from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.config import StateConfig
from crawler.store import open_store

logger = logging.getLogger(__name__)

CONDITIONAL_KINDS = frozenset({"feed", "sitemap", "listing"})


class Validators:
    """url -> (etag, last_modified), with the entries changed since loading."""

    def __init__(self, known: dict[str, tuple[str | None, str | None]] | None = None) -> None:
        self.known = dict(known or {})
        self.changed: dict[str, tuple[str | None, str | None]] = {}

    def headers_for(self, url: str) -> dict[str, str]:
        etag, modified = self.known.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def update(self, url: str, etag: str | None, modified: str | None) -> None:
        if (etag or modified) and self.known.get(url) != (etag, modified):
            self.known[url] = self.changed[url] = (etag, modified)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class ConditionalRequestsMiddleware:
    def __init__(self, state_dir: str, state: StateConfig | None = None) -> None:
        self.state_dir = state_dir
        self.state = state
        self.validators = Validators()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        settings = crawler.settings
        middleware = cls(settings["SYNDIGEST_STATE"], settings["SYNDIGEST_CONFIG"].state)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        with open_store(self.state_dir, self.state) as store:
            self.validators = Validators(store.validators())

    def spider_closed(self) -> None:
        if self.validators.changed:
            with open_store(self.state_dir, self.state) as store:
                store.save_validators(self.validators.changed)

    def process_request(self, request: Request) -> None:
        if request.meta.get("kind") not in CONDITIONAL_KINDS or request.meta.get("conditional"):
            return
        request.meta["conditional"] = True
        request.meta.setdefault("handle_httpstatus_list", [304])
        for name, value in self.validators.headers_for(request.url).items():
            request.headers.setdefault(name, value)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            self.validators.update(
                request.url, _header(response, "ETag"), _header(response, "Last-Modified")
            )
        return response
