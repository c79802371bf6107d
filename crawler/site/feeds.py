"""The three feeds: RSS 2.0 and Atom 1.0 through feedgen, JSON Feed 1.1 by hand.

All three carry the same items, in the same order (`views.announced_first`), with the same
permanent id (`paths.story_guid`), so a reader who switches format sees no story twice.
feedgen's clock-dependent defaults (`lastBuildDate`/`updated` = now, entries prepended) are
replaced in one place, `new_feed`, so the output depends on the stories alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from markupsafe import escape

from crawler.site import paths
from crawler.site.dates import EPOCH, rfc3339
from crawler.site.views import SiteView, StoryView, announced_first

logger = logging.getLogger(__name__)

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_ENTRY_LINK_ATTRIBUTES = ("rel", "type", "hreflang", "title", "length")


class _Entry(FeedEntry):  # type: ignore[misc]
    """A feedgen entry whose Atom links keep their attributes.

    feedgen 1.0's `atom_entry` reads `rel`, `type`... off the link element it has just created
    instead of off the link data, so every entry link comes out bare. Put them back, in order.
    """

    def atom_entry(self, extensions: bool = True) -> Any:
        entry = super().atom_entry(extensions=extensions)
        for element, data in zip(entry.findall("link"), self.link() or [], strict=False):
            for key in _ENTRY_LINK_ATTRIBUTES:
                if data.get(key):
                    element.set(key, data[key])
        return entry


def feed_items(views: Sequence[StoryView], limit: int) -> list[StoryView]:
    """The stories a feed announces: the latest `limit` by `first_seen`."""
    return announced_first(views)[:limit]


def paragraphs_html(paragraphs: Sequence[str]) -> str:
    """Plain paragraphs as escaped `<p>` HTML: the only markup a feed's content ever holds."""
    return "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)


def item_author(item: StoryView) -> str:
    """The byline when there is one, else the credited agency or site: feeds want a name."""
    return item.author or item.credit


def new_feed(
    site: SiteView, self_url: str, self_type: str, items: Sequence[StoryView]
) -> FeedGenerator:
    """A FeedGenerator whose date is its newest item's and whose entries keep the given order.

    feedgen stamps `updated`/`lastBuildDate` with the current time and prepends each added entry;
    both are overridden here, and only here, which makes two builds byte-identical.
    """
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # dc:creator: RSS <author> must be an e-mail
    fg.id(site.base_url)
    fg.title(site.title)
    fg.description(site.description or site.title)
    fg.link(href=self_url, rel="self", type=self_type)
    # Last: feedgen makes the last feed link, whatever its rel, the RSS channel <link>.
    fg.link(href=site.base_url, rel="alternate", type="text/html")
    fg.language(site.language)
    fg.author({"name": site.title})
    fg.generator("syndigest")
    fg.updated(max((item.date for item in items), default=EPOCH))
    for item in items:
        entry = fg.add_entry(_Entry(), order="append")
        entry.guid(item.guid, permalink=False)  # also the Atom id
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.summary(str(escape(item.summary)), type="html")  # RSS <description> too
        entry.content(paragraphs_html(item.paragraphs), type="html")  # content:encoded in RSS
        entry.published(item.date)
        entry.updated(item.date)
        entry.author({"name": item_author(item)})
        entry.dc.dc_creator(item_author(item))
    return fg


def rss_feed(site: SiteView, items: Sequence[StoryView]) -> bytes:
    return new_feed(site, site.url(paths.RSS), "application/rss+xml", items).rss_str(pretty=True)


def atom_feed(site: SiteView, items: Sequence[StoryView]) -> bytes:
    return new_feed(site, site.url(paths.ATOM), "application/atom+xml", items).atom_str(pretty=True)


def _json_item(item: StoryView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.guid,
        "url": item.url,
    }
    if item.source_url:
        data["external_url"] = item.source_url
    data.update(
        title=item.title,
        content_html=paragraphs_html(item.paragraphs),
        summary=item.summary,
        date_published=rfc3339(item.date),
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
        "items": [_json_item(item) for item in items],
    }
    text = json.dumps(feed, ensure_ascii=False, indent=2)
    # Outside strings JSON has no <, > or &, so replacing them everywhere only touches strings.
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return (text + "\n").encode("utf-8")
