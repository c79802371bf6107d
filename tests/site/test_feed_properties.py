"""Feeds that cannot break: whatever text a source sends, in whatever field of a story, the RSS
and Atom feeds are well-formed XML that a strict parser and feedparser accept, the JSON Feed
parses, every story is an item, the text survives as text, and no item HTML would run anything.
"""

from __future__ import annotations

import json
from datetime import timedelta

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.config import SiteConfig
from crawler.items import Copy, Story
from crawler.site.feeds import (
    agency_feed,
    atom_feed,
    feed_items,
    json_feed,
    rss_feed,
    site_feeds,
)
from crawler.site.views import SiteView, StoryView, agency_views, story_views
from tests.figures import record
from tests.injection import json_feed_findings, strict_xml, xml_feed_findings

from .conftest import BASE_URL, T0, make_story

EXAMPLES = 200
OWN_HOST = "digest.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
# Every code point but surrogates (a str from a decoded page never holds one).
_ANY = st.characters(codec="utf-8")
# What breaks naive writers: markup, CDATA ends, entities, controls XML forbids, noncharacters.
_TRICKY = st.sampled_from([
    "&", "&amp;", "&#0;", "&#x1;", "&lt;", "<", ">", '"', "'", "]]>", "<![CDATA[", "</title>",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "\x00", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9b", "\ufffe", "\uffff", "\u2028",
    "\u202e", "\r\n", "\t", " ", "\U0001f600",
])
_TEXT = st.one_of(
    st.text(_ANY, max_size=40),
    st.lists(st.one_of(_TRICKY, st.text(_ANY, max_size=6)), max_size=10).map("".join),
)
_HUGE = st.builds(
    lambda s, n: s * n, st.text(_ANY, min_size=1, max_size=3), st.integers(1_000, 8_000)
)
_URL = st.one_of(
    _TEXT,
    _TEXT.map(lambda t: "https://copy.example/" + t),
    st.sampled_from(["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", ""]),
)
_COPY = st.tuples(_URL, _TEXT, _TEXT)  # url, site name, title
# Not names: feedparser reads an RSS author in quadratic time (20,000 characters take seconds),
# and names never get long (extraction rejects a long byline; site names are the config's).
_HUGE_FIELDS = ("title", "lede", "paragraphs", "url")


@st.composite
def stories(draw: st.DrawFn) -> list[Story]:
    """One to three stories, every source-controlled field hostile, one of them maybe huge."""
    result = []
    for number in range(draw(st.integers(1, 3))):
        fields = {
            "title": draw(_TEXT),
            "lede": draw(_TEXT),
            "paragraphs": tuple(draw(st.lists(_TEXT, max_size=3))),
            "source": draw(_TEXT),
            "original_source": draw(st.one_of(st.none(), _TEXT)),
            "author": draw(st.one_of(st.none(), _TEXT)),
            "url": draw(_URL),
        }
        huge = draw(st.one_of(st.none(), st.sampled_from(_HUGE_FIELDS)))
        if huge == "paragraphs":
            fields[huge] = (draw(_HUGE),)
        elif huge:
            fields[huge] = draw(_HUGE)
        copies = tuple(
            Copy(url=url, source=source, title=title, published=T0 + timedelta(minutes=minute))
            for minute, (url, source, title) in enumerate(draw(st.lists(_COPY, max_size=3)))
        )
        seen = T0 + timedelta(minutes=draw(st.integers(0, 3)))
        result.append(make_story(id=f"s{number}", first_seen=seen, copies=copies, **fields))
    return result


def parsed_entries(data: bytes) -> list[feedparser.FeedParserDict]:
    """The entries of a feed that must be well-formed for a strict parser and for feedparser."""
    strict_xml(data)  # raises on any well-formedness error
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed.entries  # type: ignore[no-any-return]


def xml_titles(data: bytes, item: str, title: str) -> list[str]:
    """The text of each item's title, as a strict parser reads it."""
    return [e.findtext(title) or "" for e in strict_xml(data).iter(item)]


def check_feeds(site: SiteView, views: list[StoryView]) -> None:
    """Every feed of `views` parses strictly and for feedparser, with every story, safely."""
    items = feed_items(views, len(views))
    rss, atom, jsonfeed = rss_feed(site, items), atom_feed(site, items), json_feed(site, items)
    assert len(parsed_entries(rss)) == len(parsed_entries(atom)) == len(items)
    data = json.loads(jsonfeed)
    assert len(data["items"]) == len(items)
    # The text arrives as the text it was (cleaned of what XML cannot carry), not as markup.
    titles = [v.title for v in items]
    assert xml_titles(rss, "item", "title") == titles
    assert xml_titles(atom, f"{ATOM}entry", f"{ATOM}title") == titles
    assert [i["title"] for i in data["items"]] == titles
    assert xml_feed_findings(rss, "rss", OWN_HOST) == []
    assert xml_feed_findings(atom, "atom", OWN_HOST) == []
    assert json_feed_findings(jsonfeed, "json", OWN_HOST) == []
    for agency in agency_views(views):
        feed = agency_feed(site, agency)
        assert len(parsed_entries(feed)) == len(agency.stories)
        assert xml_feed_findings(feed, agency.name, OWN_HOST) == []
    # Under the size cap, the three formats drop the same oldest items, if any.
    capped = site_feeds(site, items)
    counts = {
        len(strict_xml(capped["feed.xml"]).findall("channel/item")),
        len(strict_xml(capped["atom.xml"]).findall(f"{ATOM}entry")),
        len(json.loads(capped["feed.json"])["items"]),
    }
    assert len(counts) == 1, counts


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=stories(), title=_TEXT, description=_TEXT)
def test_any_story_text_gives_valid_feeds(batch: list[Story], title: str, description: str) -> None:
    site = SiteView.from_config(SiteConfig(title=title, description=description, base_url=BASE_URL))
    views = story_views(batch, site)
    assert len(views) == len(batch)  # no text makes a story unshowable
    check_feeds(site, views)
    record("hypothesis feed examples", 1)


def test_the_checks_catch_a_broken_feed() -> None:
    """The property's checks fail on a feed with an XML-forbidden character or live markup."""
    bad_rss = b"<rss version='2.0'><channel><title>t\x0b</title></channel></rss>"
    with pytest.raises(etree.XMLSyntaxError):
        parsed_entries(bad_rss)
    injected = (
        b"<rss version='2.0'><channel><title>t</title><item><title>x</title><description>"
        b"&lt;img src=x onerror=alert(1)&gt;</description></item></channel></rss>"
    )
    assert xml_feed_findings(injected, "rss", OWN_HOST) != []
