"""A real crawl, in a subprocess, of fixture sites on loopback: discovery, politeness, faults,
and a second run that adds exactly one story and keeps every earlier id."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from tests.commands import digest, export
from tests.sites import FixtureSite, Reply, html, xml

VOCABULARY = ["council", "minister", "harbour", "river", "bridge", "schools", "water", "budget", "ferry", "road", "farmers", "market", "police", "court", "election", "hospital", "teachers", "workers", "railway", "airport", "festival", "museum", "storm", "rainfall", "province", "mayor", "senator", "union", "strike", "tariff", "exports", "wheat", "rice", "approved", "delayed", "announced", "rejected", "opened", "closed", "funded", "repaired", "expanded"]


def prose(topic: str, n: int) -> list[str]:
    """Distinct, deterministic filler text per topic (stories must not look alike)."""
    rng = random.Random(topic)
    return [f"{topic} report {i}: " + " ".join(rng.choice(VOCABULARY) for _ in range(40)) + "."
            for i in range(n)]


def page(title: str, topic: str, n: int = 4, extra: str = "") -> Reply:
    paragraphs = "".join(f"<p>{text}</p>" for text in prose(topic, n))
    return html(
        f"<!doctype html><html lang='en'><head><title>{title} | Fixture Site</title>"
        f"<meta property='article:published_time' content='2025-06-02T11:30:00+10:00'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}"
        f"<p>(ANI)</p></article>{extra}<footer>Copyright Fixture</footer></body></html>"
    )


def rss(links: list[str]) -> Reply:
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    return xml(f"<rss version='2.0'><channel><title>Feed</title>{items}</channel></rss>")


def rate_limited(site: FixtureSite, handler: object) -> Reply:
    if site.hits["/news/4"] == 1:
        return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"
    return page("Harbour expansion approved", "Harbour")


@pytest.fixture
def network() -> Iterator[tuple[FixtureSite, FixtureSite, FixtureSite]]:
    a, b, c = FixtureSite("127.0.0.21"), FixtureSite("127.0.0.22"), FixtureSite("127.0.0.23")
    for site in (a, b, c):
        site.start()
    a.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        "/feed.xml": rss([a.url("/news/1"), a.url("/news/2?utm_source=rss&utm_medium=feed"),
                          a.url("/private/3"), a.url("/news/4"), a.url("/news/5"), a.url("/news/6"),
                          a.url("/news/7"), "http://127.0.0.99/news/8", a.url("/about")]),
        "/news/1": page("Council approves water plan", "Water"),
        "/news/2": page("Schools budget doubled", "Schools"),
        "/private/3": page("Secret", "Secret"),
        "/news/4": rate_limited,
        "/news/5": (503, {"Content-Type": "text/plain"}, b"down"),
        "/news/6": (302, {"Location": c.url("/news/6")}, b""),
        "/news/7": (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 20),
    })
    c.routes["/news/6"] = page("Elsewhere", "Elsewhere")
    b.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nCrawl-delay: 1\n"),
        "/news/": html(f"<a href='/news/10'>a</a> <a href='/news/page/2/'>next</a>"
                       f"<a href='{c.url('/news/x')}'>off</a>"),
        "/news/page/2/": html("<a href='/news/11'>b</a>"),
        "/news/10": page("Water plan gets council nod", "Water",
                         extra="<aside><h3>Related posts</h3><ul><li>Other story...</li></ul></aside>"),
        "/news/11": page("Bridge reopens after repairs", "Bridge"),
    })
    yield a, b, c
    for site in (a, b, c):
        site.stop()


def write_config(path: Path, a: FixtureSite, b: FixtureSite) -> None:
    path.write_text(f"""
[site]
title = "Fixture digest"
base_url = "http://127.0.0.1:8000/"

[crawl]
download_delay = 0
autothrottle = false
retry_times = 2
max_retry_after = 5

[[sources]]
name = "Alpha Times"
feeds = ["{a.url('/feed.xml')}"]
article_pattern = '/(news|private)/\\d+'

[[sources]]
name = "Beta Herald"
start_urls = ["{b.url('/news/')}"]
article_pattern = '/news/\\d+$'
""", encoding="utf-8")


def test_crawl_discovers_keeps_and_reports(network: tuple[FixtureSite, ...], tmp_path: Path) -> None:
    a, b, c = network
    config, state, out = tmp_path / "sources.toml", tmp_path / "state", tmp_path / "out"
    write_config(config, a, b)
    started = time.monotonic()
    result = digest("run", "--config", str(config), "--state", str(state), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]

    stories = export(state)
    titles = sorted(s["title"] for s in stories)
    assert len(titles) == 4, titles  # water (2 copies), schools, harbour, bridge
    water = next(s for s in stories if "ater" in s["title"])
    assert sorted(c["source"] for c in water["copies"]) == ["Alpha Times", "Beta Herald"]
    assert water["original_source"] == "ANI"
    assert water["published"] == "2025-06-02T01:30:00+00:00" or water["published"].endswith("+10:00")
    assert all("Related posts" not in s["text"] and "(ANI)" not in s["text"] for s in stories)
    schools = next(s for s in stories if "chools" in s["title"])
    assert "utm_" not in schools["url"]

    # Politeness and boundaries.
    assert "/private/3" not in a.requests
    assert c.requests == []  # neither the redirect nor the off-site listing link was followed
    assert a.hits["/news/4"] == 2 and time.monotonic() - started > 1
    assert a.requests.count("/robots.txt") == 1
    gaps = [later - earlier for earlier, later in zip(b.times[1:], b.times[2:], strict=False)]
    assert gaps and min(gaps) >= 0.9, gaps  # Beta's robots.txt asks for Crawl-delay: 1
    for reason in ("robots-disallowed", "http-503", "offsite-link", "not-article-pattern",
                   "not-html", "redirected-offsite"):
        assert reason in result.stdout, result.stdout
    assert (out / "feed.xml").exists() and (out / "index.html").exists()


def test_second_run_adds_one_story_and_keeps_ids(network: tuple[FixtureSite, ...], tmp_path: Path) -> None:
    a, b, _ = network
    config, state, out = tmp_path / "sources.toml", tmp_path / "state", tmp_path / "out"
    write_config(config, a, b)
    assert digest("run", "--config", str(config), "--state", str(state), "--out", str(out)).returncode == 0
    before = {s["id"]: s for s in export(state)}
    feed_before = {e.id: e.published for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}

    # The second run finds a new story and a new copy of an old one (the schools story).
    b.routes["/news/page/2/"] = html("<a href='/news/11'>b</a> <a href='/news/12'>c</a>"
                                     "<a href='/news/13'>d</a>")
    b.routes["/news/12"] = page("Ferry timetable changes", "Ferry")
    b.routes["/news/13"] = page("School budget is doubled, council says", "Schools")
    requested_before = len(a.requests)
    result = digest("run", "--config", str(config), "--state", str(state), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    after = {s["id"]: s for s in export(state)}

    assert set(before) < set(after) and len(after) == len(before) + 1
    (schools_id,) = [i for i, s in before.items() if "chools" in s["title"]]
    assert {c["source"] for c in after[schools_id]["copies"]} == {"Alpha Times", "Beta Herald"}
    assert [c for c in after[schools_id]["copies"] if c not in before[schools_id]["copies"]]
    for story_id, story in before.items():
        if story_id != schools_id:
            assert after[story_id] == story  # nothing else changes
    # Feed readers see one new item (the new story); the old story's item keeps its guid and date.
    feed_after = {e.id: e.published for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    assert len(feed_after) == len(feed_before) + 1
    assert all(feed_after[guid] == published for guid, published in feed_before.items())
    # Stored articles are not fetched again.
    assert a.requests[requested_before:].count("/news/1") == 0
