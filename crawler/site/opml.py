"""sources.opml: the configured sources' own feeds, for a reader who wants the originals.

Only feed URLs go in (an OPML outline of type rss needs one); a source crawled through sitemaps or
listing pages alone has no feed to offer and is left out. No dates: the file depends on the config
alone, so rebuilding gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from crawler.config import SourceConfig
from crawler.site.text import clean_line
from crawler.site.views import SiteView


def sources_opml(site: SiteView, sources: Sequence[SourceConfig]) -> bytes:
    """OPML 2.0: one outline per feed, titled by its source (numbered when a source has several)."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = f"Sources of {site.title}"
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    for source in sources:
        name = clean_line(source.name)
        feeds = [clean_line(url) for url in source.feeds]
        for number, url in enumerate(feeds, start=1):
            text = name if len(feeds) == 1 else f"{name} ({number})"
            etree.SubElement(body, "outline", type="rss", text=text, title=text, xmlUrl=url)
    return etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True)  # type: ignore[no-any-return]
