"""Jinja rendering of pages: one environment, autoescape on, strict about missing names.

`autoescape=True` for every template (not only `.html`), so no source text can become markup; no
template marks source text `|safe`. `StrictUndefined` turns a misspelt variable into a build error
instead of a silently empty spot on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from crawler.site import dates, paths
from crawler.site.assets import Asset
from crawler.site.views import SiteView

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render: where it goes, how it presents itself, and its own data.

    `heading` is the page's own name (its h1 and og:title); `title` adds the site's name.

    `host_relative` is for pages a server shows at any URL (the 404): their links start from the
    site root instead of from the page's own folder.
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


def count(number: int, singular: str, plural: str | None = None) -> str:
    """`1 site`, `5 sites`."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


class Renderer:
    """Renders `Page`s with the templates of one folder."""

    def __init__(self, templates_dir: Path, site: SiteView, assets: Mapping[str, Asset]) -> None:
        self.site = site
        self.assets = assets
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
        )
        self.env.globals.update(count=count)

    def render(self, page: Page) -> str:
        """The page's HTML. Links inside it are relative to the page (or to the site root)."""
        base_url = self.site.base_url

        def url_for(target: str) -> str:
            if page.host_relative:
                return paths.root_url(base_url, target)
            return paths.relative_url(page.path, target)

        def asset(name: str) -> str:
            return url_for(self.assets[name].path)

        context = dict(page.context)
        context.update(
            site=self.site,
            page=page,
            canonical=self.site.url(page.path),
            feeds={
                "rss": self.site.url(paths.RSS),
                "atom": self.site.url(paths.ATOM),
                "json": self.site.url(paths.JSON_FEED),
            },
            url_for=url_for,
            asset=asset,
            paths=paths,
        )
        logger.debug("rendering %s with %s", page.path, page.template)
        return self.env.get_template(page.template).render(context)
