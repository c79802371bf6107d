"""The feeds: RSS 2.0 and Atom 1.0 through feedgen, JSON Feed 1.1 by hand, an RSS feed per agency.

All three site feeds carry the same items, in the same order (`views.announced_first`), with the
same permanent id (`paths.story_guid`), so a reader who switches format sees no story twice.

An item's date is the story's `first_seen`, the moment the digest announced it, not the source's
publication date: `first_seen` is stored once and never changes, while the earliest publication
date moves back whenever an earlier copy turns up. A story that gains copies therefore keeps its
date and its guid, and no reader is told about it twice. Items whose `first_seen` lies after the
build clock (a skewed crawler clock) wait until their time: a feed never shows a future date.

feedgen's clock-dependent defaults (`lastBuildDate`/`updated` = now, entries prepended) are
replaced in one place, `new_feed`, so the output depends on the stories alone. Every feed is kept
under `MAX_FEED_BYTES` by dropping its oldest items (readers and proxies cap what they fetch).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import nh3
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from markupsafe import escape

from crawler.site import paths
from crawler.site.dates import EPOCH, rfc3339
from crawler.site.views import C, SiteView, SourceView, StoryView, announced_first

logger = logging.getLogger(__name__)

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
MAX_FEED_BYTES = 512 * 1024
_ENTRY_LINK_ATTRIBUTES = ("rel", "type", "hreflang", "title", "length")
_CONTENT_TAGS = {"p", "a"}


class _Entry(FeedEntry):  # type: ignore[misc]
    """A feedgen entry whose Atom links keep their attributes.

    feedgen 1.0's `atom_entry` reads `rel`, `type`... off the link element it has just created
    instead of off the link data, so every entry link comes out bare (lkiesow/python-feedgen#135).
    Put them back, in order. `tests/site/test_feeds.py` checks the bug is still there to fix.
    """

    def atom_entry(self, extensions: bool = True) -> Any:
        entry = super().atom_entry(extensions=extensions)
        for element, data in zip(entry.findall("link"), self.link() or [], strict=False):
            for key in _ENTRY_LINK_ATTRIBUTES:
                if data.get(key):
                    element.set(key, data[key])
        return entry


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What a feed says about itself: the site's feeds and each agency's differ only here."""

    title: str
    description: str
    home_url: str
    self_url: str
    self_type: str


def feed_items(views: Sequence[C], limit: int, now: datetime | None = None) -> list[C]:
    """The stories a feed announces: the latest `limit` by `first_seen`, none after `now`."""
    ordered = announced_first(views)
    if now is not None:
        ordered = [v for v in ordered if v.first_seen <= now]
    return ordered[:limit]


def paragraphs_html(paragraphs: Sequence[str]) -> str:
    """Plain paragraphs as escaped `<p>` HTML."""
    return "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)


def content_html(item: StoryView, site: SiteView) -> str:
    """An item's full content: the text, who carried it, and a link to its page; absolute URLs.

    Built from escaped text and checked http(s) URLs, then passed through nh3 with an allow-list
    of `<p>` and `<a href>`: whatever slipped past the escaping, a reader gets no markup beyond it.
    """
    first_copy: dict[str, str | None] = {}
    for copy in item.copies:
        first_copy.setdefault(copy.source, copy.url)
    carriers = [
        f'<a href="{escape(url)}">{escape(name)}</a>' if url else str(escape(name))
        for name, url in first_copy.items()
    ]
    parts = [paragraphs_html(item.paragraphs)]
    if carriers:
        parts.append(f"<p>Source: {escape(item.credit)}. Carried by {', '.join(carriers)}.</p>\n")
    parts.append(f'<p><a href="{escape(item.url)}">Read it on {escape(site.title)}</a></p>\n')
    return nh3.clean(
        "".join(parts),
        tags=_CONTENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    )


def item_author(item: StoryView) -> str:
    """The byline when there is one, else the credited agency or site: feeds want a name."""
    return item.author or item.credit


def site_meta(site: SiteView, path: str, mime: str) -> FeedMeta:
    return FeedMeta(
        title=site.title,
        description=site.description or site.title,
        home_url=site.base_url,
        self_url=site.url(path),
        self_type=mime,
    )


def agency_meta(site: SiteView, agency: SourceView) -> FeedMeta:
    return FeedMeta(
        title=f"{agency.name} · {site.title}",
        description=f"Stories from the {agency.name} wire, each once, on {site.title}.",
        home_url=site.url(agency.path),
        self_url=site.url(agency.feed or ""),
        self_type="application/rss+xml",
    )


def new_feed(site: SiteView, meta: FeedMeta, items: Sequence[StoryView]) -> FeedGenerator:
    """A FeedGenerator whose date is its newest item's and whose entries keep the given order.

    feedgen stamps `updated`/`lastBuildDate` with the current time and prepends each added entry;
    both are overridden here, and only here, which makes two builds byte-identical.
    """
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # dc:creator: RSS <author> must be an e-mail
    fg.id(meta.home_url)
    fg.title(meta.title)
    fg.description(meta.description)
    fg.link(href=meta.self_url, rel="self", type=meta.self_type)
    # Last: feedgen makes the last feed link, whatever its rel, the RSS channel <link>.
    fg.link(href=meta.home_url, rel="alternate", type="text/html")
    fg.language(site.language)
    fg.author({"name": site.title})
    fg.generator("syndigest")
    fg.updated(max((item.first_seen for item in items), default=EPOCH))
    for item in items:
        entry = fg.add_entry(_Entry(), order="append")
        entry.guid(item.guid, permalink=False)  # also the Atom id
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.summary(str(escape(item.summary)), type="html")  # RSS <description> too
        entry.content(content_html(item, site), type="html")  # content:encoded in RSS
        entry.published(item.first_seen)
        entry.updated(item.first_seen)
        entry.author({"name": item_author(item)})
        entry.dc.dc_creator(item_author(item))
    return fg


def rss_feed(site: SiteView, items: Sequence[StoryView], meta: FeedMeta | None = None) -> bytes:
    meta = meta or site_meta(site, paths.RSS, "application/rss+xml")
    # Readers render a channel's <description> as HTML, as they do an item's: escape it likewise.
    meta = replace(meta, description=str(escape(meta.description)))
    return new_feed(site, meta, items).rss_str(pretty=True)  # type: ignore[no-any-return]


def atom_feed(site: SiteView, items: Sequence[StoryView]) -> bytes:
    meta = site_meta(site, paths.ATOM, "application/atom+xml")
    return new_feed(site, meta, items).atom_str(pretty=True)  # type: ignore[no-any-return]


def _json_item(item: StoryView, site: SiteView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.guid,
        "url": item.url,
    }
    if item.source_url:
        data["external_url"] = item.source_url
    data.update(
        title=item.title,
        content_html=content_html(item, site),
        summary=item.summary,
        date_published=rfc3339(item.first_seen),
        authors=[{"name": item_author(item)}],
    )
    if item.language:
        data["language"] = item.language
    return data


def json_feed(site: SiteView, items: Sequence[StoryView]) -> bytes:
    """JSON Feed 1.1, with `<`, `>` and `&` written as `\\u` escapes.

    The escapes parse to the same strings, but no `<script` can appear in the file's bytes, so a
    browser sniffing it as HTML finds no markup.
    """
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": site.title,
        "home_page_url": site.base_url,
        "feed_url": site.url(paths.JSON_FEED),
        "description": site.description,
        "language": site.language,
        "authors": [{"name": site.title}],
        "items": [_json_item(item, site) for item in items],
    }
    text = json.dumps(feed, ensure_ascii=False, indent=2)
    # Outside strings JSON has no <, > or &, so replacing them everywhere only touches strings.
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return (text + "\n").encode("utf-8")


Renderer = Callable[[Sequence[StoryView]], bytes]


def fit(
    renderers: Sequence[Renderer], items: Sequence[StoryView], limit: int = MAX_FEED_BYTES
) -> tuple[list[bytes], int]:
    """Render every format with the same newest items, as many as keep each under `limit` bytes.

    Returns the outputs and the number of items kept. The oldest items go first; the estimate
    shrinks the list in proportion, then one item at a time, so a few renders suffice.
    """
    count = len(items)
    while True:
        outputs = [render(items[:count]) for render in renderers]
        biggest = max(len(output) for output in outputs)
        if biggest <= limit or count == 0:
            if count < len(items):
                logger.info(
                    "feed kept to %d of %d items to stay under %d bytes", count, len(items), limit
                )
            return outputs, count
        count = max(0, min(count - 1, count * limit // biggest))


def site_feeds(site: SiteView, items: Sequence[StoryView]) -> dict[str, bytes]:
    """`feed.xml`, `atom.xml` and `feed.json`, with the same items, each under the size cap."""
    (rss, atom, jsonfeed), _kept = fit(
        [
            lambda chosen: rss_feed(site, chosen),
            lambda chosen: atom_feed(site, chosen),
            lambda chosen: json_feed(site, chosen),
        ],
        items,
    )
    return {paths.RSS: rss, paths.ATOM: atom, paths.JSON_FEED: jsonfeed}


def agency_feed(site: SiteView, agency: SourceView, now: datetime | None = None) -> bytes:
    """The RSS feed of one wire agency's stories, the same items as the site feeds would show."""
    items = feed_items(agency.stories, site.feed_items, now)
    meta = agency_meta(site, agency)
    (rss,), _kept = fit([lambda chosen: rss_feed(site, chosen, meta)], items)
    return rss
