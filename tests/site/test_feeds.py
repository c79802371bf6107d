"""The feeds as a feed reader sees them."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from crawler.config import Config, SiteConfig
from crawler.items import Story
from crawler.site.build import BuildResult

BASE = "https://digest.example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
IDS = ["kyiv-talks", "monsoon", "rail-link"]  # by first_seen, newest first


def guid(story_id: str) -> str:
    return f"urn:syndigest:story:{story_id}"


def strict(path: Path) -> etree._Element:
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    return etree.fromstring(path.read_bytes(), parser)


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feedparser_reads_every_story_once(site: Path, name: str) -> None:
    feed = feedparser.parse((site / name).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.id for e in feed.entries] == [guid(i) for i in IDS]
    assert [e.link for e in feed.entries] == [f"{BASE}stories/{i}.html" for i in IDS]
    first = feed.entries[0]
    assert first.title == "Kyiv and Moscow trade accusations over stalled talks"
    assert first.author == "Jane Doe"
    hostile = feed.entries[1]
    # the hostile title arrives as the literal text it was, not as markup
    assert hostile.title == "<script>alert(1)</script> Monsoon reaches Kerala early"
    assert "<script" not in hostile.summary and "<script" not in hostile.content[0].value
    assert "Überraschung — 早い。" in hostile.content[0].value


def test_rss_strict_xml_and_required_parts(site: Path) -> None:
    channel = strict(site / "feed.xml").find("channel")
    assert channel is not None
    assert channel.findtext("link") == BASE
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + "feed.xml"
    # the channel's date is its newest item's, never the build's clock
    assert channel.findtext("lastBuildDate") == "Mon, 02 Jun 2025 01:30:00 +0000"
    items = channel.findall("item")
    assert [i.findtext("guid") for i in items] == [guid(i) for i in IDS]
    assert all(i.find("guid").get("isPermaLink") == "false" for i in items)  # type: ignore[union-attr]
    # RSS <link> of each item is the story page (feedgen's entry link regression)
    assert [i.findtext("link") for i in items] == [f"{BASE}stories/{i}.html" for i in IDS]
    kyiv = items[0]
    assert kyiv.findtext("pubDate") == "Mon, 02 Jun 2025 01:30:00 +0000"
    assert kyiv.findtext("description") == (
        "Delegations met for less than two hours before talks broke off."
    )
    encoded = kyiv.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert encoded is not None and encoded.count("<p>") == 3
    # published ran ahead of first_seen: the item date is clamped to first_seen
    assert items[1].findtext("pubDate") == "Sun, 01 Jun 2025 01:30:00 +0000"


def test_atom_strict_xml_with_alternate_links(site: Path) -> None:
    root = strict(site / "atom.xml")
    assert root.findtext(f"{ATOM}updated") == "2025-06-02T01:30:00+00:00"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [guid(i) for i in IDS]
    for entry, story_id in zip(entries, IDS, strict=True):
        links = entry.findall(f"{ATOM}link")
        assert [(link.get("rel"), link.get("href")) for link in links] == [
            ("alternate", f"{BASE}stories/{story_id}.html")
        ]
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
    self_links = [x for x in root.findall(f"{ATOM}link") if x.get("rel") == "self"]
    assert self_links[0].get("href") == BASE + "atom.xml"


def test_json_feed_1_1(site: Path) -> None:
    raw = (site / "feed.json").read_bytes()
    assert b"<" not in raw and b">" not in raw
    feed = json.loads(raw)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Test Digest"
    assert feed["home_page_url"] == BASE
    assert feed["feed_url"] == BASE + "feed.json"
    assert [item["id"] for item in feed["items"]] == [guid(i) for i in IDS]
    for item in feed["items"]:
        assert {"id", "url", "title", "content_html", "summary", "date_published", "authors"} <= (
            item.keys()
        )
        assert item["url"].startswith(BASE + "stories/")
        datetime.fromisoformat(item["date_published"])
    kyiv, monsoon, rail = feed["items"]
    assert kyiv["date_published"] == "2025-06-02T01:30:00Z"
    assert kyiv["authors"] == [{"name": "Jane Doe"}]
    assert kyiv["external_url"] == "https://site0.example/news/kyiv-talks"
    assert monsoon["title"] == "<script>alert(1)</script> Monsoon reaches Kerala early"
    assert "&lt;script&gt;" in monsoon["content_html"] and "<script" not in monsoon["content_html"]
    assert "external_url" not in monsoon  # javascript: never becomes a link
    assert rail["authors"] == [{"name": "Pacific Times"}]
    assert rail["language"] == "fr"


def test_no_control_characters_in_any_feed(site: Path) -> None:
    for name in ("feed.xml", "atom.xml", "feed.json"):
        text = (site / name).read_text(encoding="utf-8")
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), name
        assert "\\u0000" not in text and "\\u0007" not in text and "\\u001b" not in text


def test_feeds_order_by_first_seen_and_keep_the_limit(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    build: Callable[..., BuildResult],
) -> None:
    stories = [
        # published newest, but announced before the others
        story_factory(id="old-news", published=t0, first_seen=t0),
        story_factory(id="b", published=t0 - timedelta(days=2), first_seen=t0 + timedelta(hours=2)),
        story_factory(id="a", published=t0 - timedelta(days=2), first_seen=t0 + timedelta(hours=2)),
    ]
    cfg = Config(site=SiteConfig(title="T", base_url=BASE, feed_items=2))
    build(stories, tmp_path / "out", cfg)
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert [e.id for e in feed.entries] == [guid("a"), guid("b")]
    # the feed's own date is its newest item's date
    assert feed.feed.updated == "Sat, 31 May 2025 01:30:00 +0000"
    data = json.loads((tmp_path / "out" / "feed.json").read_bytes())
    assert [i["id"] for i in data["items"]] == [guid("a"), guid("b")]


def test_empty_site_has_valid_feeds(tmp_path: Path, build: Callable[..., BuildResult]) -> None:
    build([], tmp_path / "out")
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((tmp_path / "out" / name).read_bytes())
        assert feed.bozo == 0 and feed.entries == []
    assert json.loads((tmp_path / "out" / "feed.json").read_bytes())["items"] == []
