"""Jinja rendering of pages: one environment, autoescape on, strict about missing names.

`autoescape=True` for every template (not only `.html`), so no source text can become markup; no
template marks source text `|safe`. `StrictUndefined` turns a misspelt variable into a build error
instead of a silently empty spot on the page.

Every page carries a Content-Security-Policy that forbids scripts; only the search page relaxes it,
and only for its own script and the index files it fetches from the site itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
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
    """Renders `Page`s with the templates of one folder; with `cache`, a folder that keeps them
    compiled between builds.

    What is the same on many pages is rendered once per build and reused: the header and footer,
    once per folder of pages (their links are relative to it); the feed links, once per set of
    feeds; each story of a list once (`story_items`), its link and heading level filled in for
    each page (the `listed_story` macro: a story is listed on its day, its sites' and its
    agency's pages and the home page); each related story once per link to it
    (`related_items`). Each is keyed by everything it is rendered from.
    """

    def __init__(
        self,
        templates_dir: Path,
        site: SiteView,
        assets: Mapping[str, Asset],
        *,
        search: bool = False,
        cache: Path | None = None,
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
            # Compiling the templates costs a tenth of a rebuild: kept between builds, if asked,
            # by their path and source (a changed template is compiled again).
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)) if cache else None,
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
        self._nav_targets = frozenset(target for target, _ in self.nav)
        self._partials: dict[tuple[Any, ...], Markup] = {}
        # Listed stories by id and fingerprint: rendered with stand-ins (`_listed_stories`), then
        # split around the link for each heading level (`_listed`). Related ones by their link.
        self._listed_stories: dict[tuple[str, str], str] = {}
        self._listed: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._related: dict[tuple[str, str, str], str] = {}
        self._templates: dict[str, jinja2.Template] = {}
        self._macros: Any = self._template("_macros.html").module  # its macros by name

    def _template(self, name: str) -> jinja2.Template:
        """The compiled template, without the environment's loader cache lookup on every page."""
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self.env.get_template(name)
        return template

    def _partial(self, name: str, key: tuple[Any, ...], **context: Any) -> Markup:
        """`name` rendered with `context`, once per `key` (which must cover the context). Its
        final newline is dropped: the line it stands on in the page ends with one."""
        html = self._partials.get((name, *key))
        if html is None:
            html = Markup(self._template(name).render(context).rstrip("\n"))
            self._partials[(name, *key)] = html
        return html

    def _feed_links(self, feeds: tuple[FeedLink, ...]) -> Markup:
        """The `<link>`s of the page's own feeds and then the site's, once per set of feeds."""
        html = self._partials.get(("_feeds.html", *feeds))
        if html is None:
            links = [(f.title, f.type, self.site.url(f.path)) for f in (*feeds, *self.site_feeds)]
            html = self._partial("_feeds.html", feeds, feeds=links)
        return html

    def _listed_story(self, story: StoryCard, heading: str) -> tuple[str, str]:
        """The story as a list shows it under `heading`, before and after its link."""
        html = self._listed_stories.get((story.id, story.fingerprint))
        if html is None:
            html = str(self._macros.listed_story(story, _HEADING, _HREF)).strip("\n")
            self._listed_stories[(story.id, story.fingerprint)] = html
        before, _, after = html.replace(_HEADING, heading).partition(_HREF)
        self._listed[(story.id, story.fingerprint, heading)] = before, after
        return before, after

    def render(self, page: Page) -> str:
        """The page's HTML. Links inside it are relative to the page (or to the site root)."""
        folder = page.path.rpartition("/")[0]
        url_for: Callable[[str], str]
        if page.host_relative:
            url_for = partial(paths.root_url, self.site.base_url)
        else:
            url_for = partial(paths.relative_url_in, folder)

        def asset(name: str) -> str:
            return url_for(self.assets[name].path)

        def story_items(stories: Sequence[StoryCard], heading: str) -> Markup:
            """The stories of a list, one per line (a loop here: this runs for every story of
            every list page, and a call from the template costs more than the item)."""
            listed = self._listed
            items = []
            for story in stories:
                around = listed.get((story.id, story.fingerprint, heading))
                if around is None:
                    around = self._listed_story(story, heading)
                items.append(f"{around[0]}{escape(url_for(story.path))}{around[1]}")
            return Markup("\n".join(items))

        def related_items(stories: Sequence[StoryCard]) -> Markup:
            """The related stories of a story page, one per line (one call from the template)."""
            related, macro = self._related, self._macros.related_story
            items = []
            for story in stories:
                href = url_for(story.path)
                key = (story.id, story.fingerprint, href)
                html = related.get(key)
                if html is None:
                    html = related[key] = str(macro(story, href)).strip("\n")
                items.append(html)
            return Markup("\n".join(items))

        place = (folder, page.host_relative)
        current = page.path if page.path in self._nav_targets else None
        context = {
            **self.env.globals,
            **page.context,
            "masthead": self._partial(
                "_masthead.html", (*place, current), url_for=url_for, current=current, nav=self.nav
            ),
            "footer": self._partial("_footer.html", place, url_for=url_for),
            "feed_links": self._feed_links(page.feeds),
            "story_items": story_items,
            "related_items": related_items,
            "page": page,
            "canonical": self.site.url(page.path),
            "csp": SEARCH_CSP if page.search else CSP,
            "url_for": url_for,
            "asset": asset,
        }
        logger.debug("rendering %s with %s", page.path, page.template)
        template = self._template(page.template)
        # `template.render(context)`, but for the globals: it merges them into the context from
        # a ChainMap on every page (a twentieth of a story page's time); here they are unpacked.
        try:
            return self.env.concat(
                template.root_render_func(template.new_context(context, shared=True))
            )
        except Exception:
            self.env.handle_exception()
