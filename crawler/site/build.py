"""Orchestration of a site build: stories in, a complete static site swapped into place out.

Two phases, as in Pelican: gather (views, pages, feed items) and then write through the one
`Writer`. Nothing here reads a clock, so the same stories always give byte-identical output.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import crawler
from crawler.config import Config
from crawler.items import Story
from crawler.site import paths
from crawler.site.assets import load_assets
from crawler.site.feeds import atom_feed, feed_items, json_feed, rss_feed
from crawler.site.pages import plan_pages
from crawler.site.render import Renderer
from crawler.site.sitemap import sitemap_xml
from crawler.site.views import SiteView, story_views
from crawler.site.writer import publish

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced: HTML pages, stories shown, all files written, and where."""

    pages: int
    stories: int
    out_dir: Path
    files: int = 0
    skipped: int = 0


def default_templates_dir() -> Path:
    """The repository's `site_templates/`, beside the `crawler` package."""
    return Path(crawler.__file__).resolve().parent.parent / "site_templates"


def robots_txt(site: SiteView) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {site.url(paths.SITEMAP)}\n"


def build_site(
    stories: Sequence[Story],
    config: Config,
    out_dir: Path,
    *,
    templates_dir: Path | None = None,
    durable: bool = True,
) -> BuildResult:
    """Render `stories` into `out_dir`, replacing what was there atomically (see `writer`).

    A story that cannot be shown (say, a naive datetime) is logged and left out; any other error
    leaves the previous site as it was. `durable=False` skips fsync, for throwaway builds.
    """
    templates = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    site = SiteView.from_config(config.site)
    views = story_views(stories, site)
    assets = load_assets(templates)
    renderer = Renderer(templates, site, assets)
    pages = plan_pages(site, views)
    items = feed_items(views, site.feed_items)

    with publish(Path(out_dir), durable=durable) as writer:
        for asset in assets.values():
            writer.write(asset.path, asset.data)
        for page in pages:
            writer.write(page.path, renderer.render(page))
        writer.write(paths.RSS, rss_feed(site, items))
        writer.write(paths.ATOM, atom_feed(site, items))
        writer.write(paths.JSON_FEED, json_feed(site, items))
        writer.write(
            paths.SITEMAP,
            sitemap_xml((site.url(p.path), p.lastmod) for p in pages if p.indexed),
        )
        writer.write(paths.ROBOTS, robots_txt(site))
        files = len(writer.written)

    result = BuildResult(
        pages=len(pages),
        stories=len(views),
        out_dir=Path(out_dir),
        files=files,
        skipped=len(stories) - len(views),
    )
    logger.info(
        "built %s: %d stories, %d pages, %d files (%d stories skipped)",
        result.out_dir,
        result.stories,
        result.pages,
        result.files,
        result.skipped,
    )
    return result
