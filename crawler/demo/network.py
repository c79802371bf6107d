"""`DemoNetwork`: the demo sites served over HTTP on loopback, plus the ground truth for tests.

Each site gets its own ``ThreadingHTTPServer`` on its own loopback address (127.0.0.2, 127.0.0.3,
... with an ephemeral port), running in a daemon thread. Standard library only: no Scrapy here.
"""

from __future__ import annotations

import errno
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from crawler.config import Config, parse_config
from crawler.demo.corpus import Corpus, load_corpus
from crawler.demo.render import HTML, UTC, Document
from crawler.demo.sites import SITE_CLASSES, DemoSite

_LOG = logging.getLogger("crawler.demo")
PHASES = (1, 2)
NOT_FOUND = (
    b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested page does not exist.</p></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class ExpectedStory:
    """Ground truth for one story of the demo network.

    `published` is the UTC instant. `headline` is the agency's own headline (what the agency
    site shows). `paragraphs` is the body as filed (the first one starts with `dateline` when the
    agency uses one); `lede` is the standfirst, which sites show apart from the body (or not at
    all). `copies` holds (site name, canonical article URL) for every site carrying the story;
    `titles` pairs each copy URL with the headline shown there.
    """

    key: str
    agency: str
    published: datetime
    headline: str
    lede: str
    dateline: str
    paragraphs: tuple[str, ...]
    copies: frozenset[tuple[str, str]]
    titles: tuple[tuple[str, str], ...]
    phase: int

    @property
    def text(self) -> str:
        """The body, paragraphs separated by a blank line (as ``Article.text``)."""
        return "\n\n".join(self.paragraphs)

    @property
    def sites(self) -> frozenset[str]:
        return frozenset(site for site, _ in self.copies)

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(url for _, url in self.copies)

    def title_at(self, url: str) -> str:
        """The headline shown by the copy at `url`."""
        for copy_url, title in self.titles:
            if copy_url == url:
                return title
        raise KeyError(url)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """One running demo site: where it is, how it is discovered, what it looks like."""

    key: str
    name: str
    host: str
    port: int
    base_url: str
    discovery: str
    traits: str
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    start_urls: tuple[str, ...]
    article_pattern: str
    utc_offset: timedelta


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request a demo site answered (path is the raw request target, query included)."""

    method: str
    path: str
    status: int
    user_agent: str
    if_none_match: str
    if_modified_since: str


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    network: DemoNetwork
    site: DemoSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        _LOG.debug("demo %s: error while serving %s", self.site.key, client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    server_version = "syndigest-demo/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 15

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("demo %s: " + format, self.server.site.key, *args)

    def _not_modified(self, doc: Document) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip() for tag in if_none_match.split(",")]
            return any(tag == "*" or tag.removeprefix("W/") == doc.etag for tag in tags)
        if_modified_since = self.headers.get("If-Modified-Since")
        if not if_modified_since:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return doc.last_modified <= since

    def _respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path or "/"
        doc = self.server.network._lookup(self.server.site, path)
        if doc is None:
            status, body = 404, NOT_FOUND
        elif self._not_modified(doc):
            status, body = 304, b""
        else:
            status, body = 200, doc.body
        self.server.network._record(self.server.site.key, RequestRecord(
            method=self.command,
            path=self.path,
            status=status,
            user_agent=self.headers.get("User-Agent", ""),
            if_none_match=self.headers.get("If-None-Match", ""),
            if_modified_since=self.headers.get("If-Modified-Since", ""),
        ))
        self.send_response(status)
        if doc is not None:
            self.send_header("ETag", doc.etag)
            self.send_header("Last-Modified", format_datetime(doc.last_modified, usegmt=True))
            self.send_header("Cache-Control", "no-cache")
        if status != 304:
            self.send_header("Content-Type", doc.content_type if doc else HTML)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class DemoNetwork:
    """The bundled sample syndication network: four fake sites served on loopback.

    Use as a context manager (``with DemoNetwork() as net:``) or call `start` and `stop`.
    `set_phase(2)` publishes one more story on several sites; nothing else changes.
    """

    def __init__(self, hosts: Sequence[str] | None = None) -> None:
        self._corpus: Corpus = load_corpus()
        self._sites: list[DemoSite] = [cls(self._corpus) for cls in SITE_CLASSES]
        default = [f"127.0.0.{2 + i}" for i in range(len(self._sites))]
        self._hosts = list(hosts) if hosts else default
        if len(self._hosts) < len(self._sites):
            raise ValueError(f"need {len(self._sites)} hosts, got {len(self._hosts)}")
        self._servers: list[_SiteServer] = []
        self._threads: list[threading.Thread] = []
        self._phase = 1
        self._lock = threading.Lock()
        self._log: dict[str, list[RequestRecord]] = {site.key: [] for site in self._sites}

    # -- lifecycle --

    def start(self, phase: int = 1) -> DemoNetwork:
        """Bind one server per site and serve in daemon threads; returns self."""
        if self._servers:
            raise RuntimeError("the demo network is already running")
        self._check_phase(phase)
        try:
            for site, host in zip(self._sites, self._hosts, strict=False):
                server = self._bind(host)
                server.network = self
                server.site = site
                bound_host, port = server.socket.getsockname()[:2]
                site.bind(f"http://{bound_host}:{port}/")
                self._servers.append(server)
            for site in self._sites:
                for each in PHASES:
                    site.documents(each)
            self._phase = phase
            for server in self._servers:
                thread = threading.Thread(
                    target=server.serve_forever, kwargs={"poll_interval": 0.1},
                    name=f"demo-{server.site.key}", daemon=True,
                )
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def _bind(host: str) -> _SiteServer:
        try:
            return _SiteServer((host, 0), _Handler)
        except OSError as exc:
            if exc.errno != errno.EADDRNOTAVAIL or host == "127.0.0.1":
                raise
            _LOG.warning("demo: cannot bind %s; falling back to 127.0.0.1", host)
            return _SiteServer(("127.0.0.1", 0), _Handler)

    def stop(self) -> None:
        """Stop every server and close its socket (safe to call twice)."""
        for server, thread in zip(self._servers, self._threads, strict=False):
            server.shutdown()
            thread.join(timeout=5)
        for server in self._servers:
            server.server_close()
        self._servers.clear()
        self._threads.clear()

    @property
    def running(self) -> bool:
        return bool(self._servers)

    def __enter__(self) -> Self:
        if not self._servers:
            self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- phases --

    @property
    def phase(self) -> int:
        return self._phase

    def set_phase(self, phase: int) -> None:
        """Switch what the sites serve: 1 (initial stories) or 2 (one more story published)."""
        self._check_phase(phase)
        self._phase = phase

    @staticmethod
    def _check_phase(phase: int) -> None:
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, got {phase!r}")

    def _find_site(self, site: str) -> DemoSite:
        for each in self._sites:
            if site in (each.key, each.name):
                return each
        raise KeyError(f"no demo site {site!r}")

    def _running_site(self, site: str) -> DemoSite:
        if not self._servers:
            raise RuntimeError("the demo network is not running; call start() first")
        return self._find_site(site)

    def _lookup(self, site: DemoSite, path: str) -> Document | None:
        return site.documents(self._phase).get(path)

    def _record(self, key: str, record: RequestRecord) -> None:
        with self._lock:
            self._log[key].append(record)

    # -- what runs where --

    @property
    def sites(self) -> tuple[SiteInfo, ...]:
        """The running sites, in a fixed order."""
        return tuple(self.site(site.key) for site in self._sites)

    def site(self, site: str) -> SiteInfo:
        """One running site, by key (``"neva"``) or configured name (``"Neva Evening Star"``)."""
        found = self._running_site(site)
        parts = urlsplit(found.base_url)
        urls = found.discovery_urls()
        return SiteInfo(
            key=found.key,
            name=found.name,
            host=parts.hostname or "",
            port=parts.port or 80,
            base_url=found.base_url,
            discovery=found.discovery,
            traits=found.traits,
            feeds=tuple(urls.get("feeds", ())),
            sitemaps=tuple(urls.get("sitemaps", ())),
            start_urls=tuple(urls.get("start_urls", ())),
            article_pattern=found.article_pattern,
            utc_offset=found.tz.utcoffset(None) or timedelta(),
        )

    def config_text(self, site_title: str = "syndigest demo",
                    base_url: str = "http://127.0.0.1:8000/") -> str:
        """A sources.toml for the running network (validated with `crawler.config`)."""
        if not self._servers:
            raise RuntimeError("the demo network is not running; call start() first")
        lines = [
            "# sources.toml for the bundled demo network (crawler.demo), served on loopback.",
            "",
            "[site]",
            f"title = {_toml_string(site_title)}",
            f"base_url = {_toml_string(base_url)}",
            'description = "Demo digest of a fictional syndication network."',
            "",
            "[crawl]",
            "download_delay = 0",
            "autothrottle = false",
            "timeout = 10",
            "",
        ]
        for site in self._sites:
            lines += ["[[sources]]", f"name = {_toml_string(site.name)}"]
            for key, urls in site.discovery_urls().items():
                lines.append(f"{key} = [{', '.join(_toml_string(u) for u in urls)}]")
            lines.append(f"article_pattern = '{site.article_pattern}'")
            lines += [f"{key} = {value}" for key, value in site.config_extra().items()]
            lines.append("")
        text = "\n".join(lines)
        parse_config(text, "demo sources.toml")
        return text

    def config(self, site_title: str = "syndigest demo",
               base_url: str = "http://127.0.0.1:8000/") -> Config:
        """`config_text` parsed."""
        return parse_config(self.config_text(site_title, base_url), "demo sources.toml")

    # -- ground truth --

    def expected_stories(self, phase: int | None = None) -> list[ExpectedStory]:
        """Every story published by `phase` (default: the current one), oldest first."""
        phase = self._phase if phase is None else phase
        self._check_phase(phase)
        if not self._servers:
            raise RuntimeError("the demo network is not running; call start() first")
        found = []
        for story in self._corpus.stories:
            if story.phase > phase:
                continue
            carriers = [site for site in self._sites if site.key in story.site_keys]
            found.append(ExpectedStory(
                key=story.key,
                agency=story.agency,
                published=story.published.astimezone(UTC),
                headline=story.headline,
                lede=story.standfirst,
                dateline=story.dateline,
                paragraphs=story.paragraphs,
                copies=frozenset((site.name, site.article_url(story)) for site in carriers),
                titles=tuple(sorted((site.article_url(story), site.title(story))
                                    for site in carriers)),
                phase=story.phase,
            ))
        return sorted(found, key=lambda s: s.published)

    def hard_negatives(self) -> list[tuple[str, str]]:
        """Pairs of story keys: same agency, same day, one shared paragraph, different stories."""
        return list(self._corpus.hard_negatives)

    def boilerplate(self, site: str, phase: int | None = None) -> tuple[str, ...]:
        """The text blocks a site adds around stories (whole lines as shown; none is part of
        any story's text, headline or lede)."""
        phase = self._phase if phase is None else phase
        self._check_phase(phase)
        return self._find_site(site).boilerplate(phase)

    def all_boilerplate(self, phase: int | None = None) -> dict[str, tuple[str, ...]]:
        """Site name -> its boilerplate lines."""
        return {site.name: self.boilerplate(site.key, phase) for site in self._sites}

    def disallowed_urls(self) -> list[str]:
        """URLs that discovery documents link to but robots.txt forbids: never to be fetched."""
        if not self._servers:
            raise RuntimeError("the demo network is not running; call start() first")
        return [site.url(path) for site in self._sites for path in site.disallowed_paths()]

    # -- request log --

    def requested_paths(self, site: str) -> list[str]:
        """Every request target a site received so far, in order (query strings included)."""
        return [record.path for record in self.request_log(site)]

    def request_log(self, site: str) -> list[RequestRecord]:
        key = self._find_site(site).key
        with self._lock:
            return list(self._log[key])

    def clear_requests(self) -> None:
        with self._lock:
            for records in self._log.values():
                records.clear()
