"""Jinja rendering of pages: one environment, autoescape on, strict about missing names.

`autoescape=True` for every template (not only `.html`), so no source text can become markup; no
template marks source text `|safe`. `StrictUndefined` turns a misspelt variable into a build error
instead of a silently empty spot on the page.

Every page carries a Content-Security-Policy that forbids scripts; only the search page relaxes it,
and only for its own script and the index files it fetches from the site itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from crawler.site import dates, paths
from crawler.site.assets import Asset
from crawler.site.views import SiteView, StoryCard

logger = logging.getLogger(__name__)

_CSP_COMMON = (
    "default-src 'none'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
CSP = f"{_CSP_COMMON}; img-src 'self'; script-src 'none'"
# The search page: its own script and the index files it fetches, all from this site.
SEARCH_CSP = f"{_CSP_COMMON}; img-src 'self'; script-src 'self'; connect-src 'self'"


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page announces for autodiscovery (`<link rel="alternate">`)."""

    title: str
    type: str
    path: str


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render: where it goes, how it presents itself, and its own data.

    `heading` is the page's own name (its h1 and og:title); `title` adds the site's name.

    `host_relative` is for pages a server shows at any URL (the 404): their links start from the
    site root instead of from the page's own folder. `feeds` are announced before the site's
    own feeds (an agency page offers the agency's feed first). `search` marks the one page that
    runs scripts.
    """

    path: str
    template: str
    heading: str
    title: str
    description: str
    context: Mapping[str, Any] = field(default_factory=dict)
    og_type: str = "website"
    published: datetime | None = None
    host_relative: bool = False
    indexed: bool = True
    lastmod: datetime | None = None
    feeds: tuple[FeedLink, ...] = ()
    search: bool = False


# Stand-ins for a listed story's heading level and link, which differ between the pages that
# list it: it is rendered once with these and they are replaced in each copy. No shown text can
# hold them: `text.clean_line` removes every control character.
_HEADING, _HREF = "\x02", "\x01"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """`1 site`, `5 sites`."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


class Renderer:
    """Renders `Page`s with the templates of one folder.

    What is the same on many pages is rendered once per build and reused: the header and footer,
    once per folder of pages (their links are relative to it); each story of a list once (`story_items`), its
    link and heading level filled in for each page (the `listed_story` macro: a story is listed on its
    day, its sites' and its agency's pages and the home page); each related story once per link
    to it (`related_story`). Each is keyed by everything it is rendered from.
    """

    def __init__(
        self,
        templates_dir: Path,
        site: SiteView,
        assets: Mapping[str, Asset],
        *,
        search: bool = False,
    ) -> None:
        self.site = site
        self.assets = assets
        self.site_feeds = (
            FeedLink(f"{site.title} (RSS)", "application/rss+xml", paths.RSS),
            FeedLink(f"{site.title} (Atom)", "application/atom+xml", paths.ATOM),
            FeedLink(f"{site.title} (JSON Feed)", "application/feed+json", paths.JSON_FEED),
        )
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.env.filters.update(
            rfc3339=dates.rfc3339,
            human_time=dates.human_time,
            human_day=dates.human_day,
            clock=dates.clock,
            local_clock=dates.local_clock,
        )
        self.env.globals.update(count=count, paths=paths, site=site)
        self.nav = (
            (paths.HOME, "Latest"),
            (paths.ARCHIVE, "Archive"),
            (paths.AGENCIES_INDEX, "Agencies"),
            (paths.SOURCES_INDEX, "Sources"),
            *(((paths.SEARCH, "Search"),) if search else ()),
        )
        self._partials: dict[tuple[Any, ...], Markup] = {}
        self._macros = self.env.get_template("_macros.html").module

    def _partial(self, name: str, key: tuple[Any, ...], **context: Any) -> Markup:
        """`name` rendered with `context`, once per `key` (which must cover the context). Its
        final newline is dropped: the line it stands on in the page ends with one."""
        html = self._partials.get((name, *key))
        if html is None:
            html = Markup(self.env.get_template(name).render(context).rstrip("\n"))
            self._partials[(name, *key)] = html
        return html

    def render(self, page: Page) -> str:
        """The page's HTML. Links inside it are relative to the page (or to the site root)."""
        base_url = self.site.base_url

        def url_for(target: str) -> str:
            if page.host_relative:
                return paths.root_url(base_url, target)
            return paths.relative_url(page.path, target)

        def asset(name: str) -> str:
            return url_for(self.assets[name].path)

        def story_items(stories: Sequence[StoryCard], heading: str) -> Markup:
            """The stories of a list, one per line (a loop here: this runs for every story of
            every list page, and a call from the template costs more than the item)."""
            partials, macro = self._partials, self._macros.listed_story
            items = []
            for story in stories:
                key = ("story_item", story.id, story.fingerprint)
                html = partials.get(key)
                if html is None:
                    html = partials[key] = str(macro(story, _HEADING, _HREF)).strip("\n")
                href = escape(url_for(story.path))
                items.append(html.replace(_HREF, href).replace(_HEADING, heading))
            return Markup("\n".join(items))

        def related_item(story: StoryCard) -> Markup:
            href = url_for(story.path)
            key = ("related_item", story.id, story.fingerprint, href)
            html = self._partials.get(key)
            if html is None:
                html = self._partials[key] = self._macros.related_story(story, href)
            return html

        folder = (page.path.rpartition("/")[0], page.host_relative)
        current = page.path if any(page.path == target for target, _ in self.nav) else None
        context = dict(page.context)
        context.update(
            masthead=self._partial(
                "_masthead.html", (*folder, current), url_for=url_for, current=current, nav=self.nav
            ),
            footer=self._partial("_footer.html", folder, url_for=url_for),
            story_items=story_items,
            related_item=related_item,
            page=page,
            canonical=self.site.url(page.path),
            csp=SEARCH_CSP if page.search else CSP,
            feeds=[
                (f.title, f.type, self.site.url(f.path)) for f in (*page.feeds, *self.site_feeds)
            ],
            url_for=url_for,
            asset=asset,
        )
        logger.debug("rendering %s with %s", page.path, page.template)
        return self.env.get_template(page.template).render(context)
