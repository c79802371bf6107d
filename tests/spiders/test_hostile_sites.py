"""Bad input and dead or slow servers: the crawl finishes, every case is reported with its
reason, and the good stories are unaffected."""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.commands import digest, export
from tests.figures import record
from tests.sites import FixtureSite, Reply, html, xml
from tests.spiders.test_digest_crawl import page, rss

HOST = "127.0.0.31"


def stall(site: FixtureSite, handler) -> Reply:  # type: ignore[no-untyped-def]
    time.sleep(6)  # longer than the crawl's timeout: the server accepts and never answers
    return html("<p>too late</p>")


def trickle(site: FixtureSite, handler) -> Reply:  # type: ignore[no-untyped-def]
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(20):
        handler.wfile.write(b"<p>x")
        handler.wfile.flush()
        time.sleep(0.3)
    raise ConnectionAbortedError  # the handler already answered; stop here


def reset(site: FixtureSite, handler) -> Reply:  # type: ignore[no-untyped-def]
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    handler.connection.close()
    raise ConnectionAbortedError


def flaky_429(site: FixtureSite, handler) -> Reply:  # type: ignore[no-untyped-def]
    if site.hits["/a/rate-limited"] == 1:
        return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"
    return page("Rate limited then served", "Ratelimit")


BOMB = gzip.compress(b"<p>" + b"A" * 50_000_000)
CP1252 = ("<html><head><title>Caf\u00e9 owners \u201cprotest\u201d rent rises | Site</title></head><body>"
          "<article><h1>Caf\u00e9 owners \u201cprotest\u201d rent rises</h1>"
          + "".join(f"<p>Paragraph {i}: caf\u00e9 owners in the old town said the \u201cnew\u201d "
                    "rents would close many family businesses before the summer season begins.</p>"
                    for i in range(5))
          + "</article></body></html>").encode("cp1252")

CASES: dict[str, tuple[object, str]] = {
    # path: (reply, reason expected in the report)
    "/a/truncated": (html("<html><body><article><h1>Cut</h1><p>Only a start of a"), "dropped/"),
    "/a/binary": ((200, {"Content-Type": "text/html"}, bytes(range(256)) * 400), "dropped/"),
    "/a/empty": ((200, {"Content-Type": "text/html"}, b""), "dropped/"),
    "/a/huge": ((200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 10_500_000), "error/too-large"),
    "/a/bomb": ((200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, BOMB), "error/too-large"),
    "/a/pdf": ((200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 ..."), "skipped/not-html"),
    "/a/loop": ((302, {"Location": "/a/loop2"}, b""), "error/redirect-loop"),
    "/a/loop2": ((302, {"Location": "/a/loop"}, b""), "error/redirect-loop"),
    "/a/redirect-js": ((302, {"Location": "javascript:alert(1)"}, b""), "error/redirected-to-bad-url"),
    "/a/refresh-js": (html("<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>"), "error/redirected-to-bad-url"),
    "/a/gone": ((410, {"Content-Type": "text/plain"}, b"gone"), "error/http-410"),
    "/a/missing": ((404, {"Content-Type": "text/plain"}, b"no"), "error/http-404"),
    "/a/broken": ((500, {"Content-Type": "text/plain"}, b"oops"), "error/http-500"),
    "/a/unavailable": ((503, {"Content-Type": "text/plain"}, b"later"), "error/http-503"),
    "/a/blocked": ((403, {"Content-Type": "text/html"}, b"<title>Just a moment...</title>"),
                   "error/blocked-challenge-page"),
    "/a/stall": (stall, "error/timeout"),
    "/a/trickle": (trickle, "error/timeout"),
    "/a/reset": (reset, "error/connection-failed"),
    "/a/rate-limited": (flaky_429, ""),
    "/a/cp1252": ((200, {"Content-Type": "text/html; charset=utf-8"}, CP1252), ""),
    "/a/good": (page("A good story survives", "Survivor"), ""),
}
# The cases that are a server failing rather than bad content: dead, slow, cut off, overloaded.
FAULTS = ("/a/stall", "/a/trickle", "/a/reset", "/a/rate-limited", "/a/broken", "/a/unavailable")
BAD_FEEDS = ("/not-a-feed.xml", "/broken-sitemap.xml", "/big-sitemap.xml")


@pytest.fixture
def hostile() -> Iterator[FixtureSite]:
    site = FixtureSite(HOST).start()
    site.routes.update({path: reply for path, (reply, _) in CASES.items()})  # type: ignore[misc]
    big = "".join(f"<url><loc>{site.url(f'/b/{i}')}</loc></url>" for i in range(50_000))
    site.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
        "/feed.xml": rss([site.url(p) for p in CASES if p != "/a/loop2"]),
        "/not-a-feed.xml": html("<html><body><p>This is a web page, not a feed</p></body></html>"),
        "/broken-sitemap.xml": xml("{\"sitemap\": \"this is JSON, not a sitemap\"}"),
        "/big-sitemap.xml": xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{big}</urlset>'),
    })
    yield site
    site.stop()


def test_hostile_site(hostile: FixtureSite, tmp_path: Path) -> None:
    config, state, out = tmp_path / "sources.toml", tmp_path / "state", tmp_path / "out"
    config.write_text(f"""
[crawl]
download_delay = 0
autothrottle = false
retry_times = 1
timeout = 3
max_retry_after = 5
concurrent_per_domain = 8

[[sources]]
name = "Hostile"
feeds = ["{hostile.url('/feed.xml')}", "{hostile.url('/not-a-feed.xml')}"]
sitemaps = ["{hostile.url('/broken-sitemap.xml')}", "{hostile.url('/big-sitemap.xml')}"]
article_pattern = '/(a|b)/'
max_pages = 40
""")
    result = digest("run", "--config", str(config), "--state", str(state), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]

    titles = {s["title"] for s in export(state)}
    assert titles == {"A good story survives", "Rate limited then served",
                      "Café owners “protest” rent rises"}  # cp1252 bytes under a UTF-8 header

    (source,) = json.loads((state / "report.json").read_text())["sources"]
    reasons = set(source["not_kept"])
    for path, (_, reason) in CASES.items():
        if reason:
            assert any(r.startswith(reason) for r in reasons), (path, reason, reasons)
    assert {"error/not-a-feed", "error/not-a-sitemap", "skipped/page-budget"} <= reasons
    assert source["articles"] == 3
    record("bad inputs (hostile-site cases)", len(CASES) - 1 + len(BAD_FEEDS))
    record("server faults injected (dead, slow, reset, 429, 5xx)", len(FAULTS))
