"""Orchestration of a site build: stories in, a complete static site swapped into place out.

Two phases, as in Pelican: gather (views, pages, feed items) and then write through the one
`Writer`. The only clock is `now`, passed in (it keeps future-dated items out of the feeds), so
the same stories always give byte-identical output.

Builds are incremental. A key over everything the build reads (the stories, the templates and
static files, the build code, the config) is kept in the site's manifest: when it matches, the
build stops at once and leaves the site alone. Otherwise every page gets its own key over what it
shows; pages whose key is unchanged are hard-linked from the previous site instead of rendered,
and the search index is reused when no story page changed. See `fingerprint` and `writer`.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import crawler
from crawler.config import Config
from crawler.items import Story
from crawler.site import paths
from crawler.site.assets import load_assets
from crawler.site.dates import to_utc
from crawler.site.feeds import agency_feed, feed_items, site_feeds
from crawler.site.fingerprint import (
    build_salt,
    bytes_digest,
    digest,
    story_fingerprint,
    value_fingerprint,
)
from crawler.site.manifest import Manifest
from crawler.site.opml import sources_opml
from crawler.site.pages import PER_PAGE, plan_pages
from crawler.site.render import Page, Renderer
from crawler.site.search import index_site, pagefind_available
from crawler.site.sitemap import sitemap_xml
from crawler.site.status_page import status_page
from crawler.site.text import clean_line
from crawler.site.views import SiteView, StoryView, agency_views, newest_first, story_views
from crawler.site.writer import Writer, publish
from crawler.status import SourceHealth

logger = logging.getLogger(__name__)

SEARCH_TEMPLATE = "story.html"  # the pages Pagefind indexes (see `search.INDEXED_GLOB`)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced: HTML pages, stories shown, all files written, and where.

    `rendered` pages were rendered this time (the others were unchanged and linked), `reused`
    files were linked from the previous site, `unchanged` means nothing was new and the site
    was left as it was, and `search` that the site has a search index.
    """

    pages: int
    stories: int
    out_dir: Path
    files: int = 0
    skipped: int = 0
    rendered: int = 0
    reused: int = 0
    unchanged: bool = False
    search: bool = False


def default_templates_dir() -> Path:
    """The repository's `site_templates/`, beside the `crawler` package."""
    return Path(crawler.__file__).resolve().parent.parent / "site_templates"


def robots_txt(site: SiteView) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {site.url(paths.SITEMAP)}\n"


def _announced_later(story: Story, now: datetime) -> bool:
    """Whether a story's first_seen lies after `now` (its feed item must wait)."""
    try:
        return to_utc(story.first_seen) > now
    except (ValueError, TypeError, AttributeError):
        return False  # an unusable story is skipped by `story_views`, with a warning


def _in_key_order(stories: Sequence[Story], fingerprints: list[str]) -> list[str]:
    """The fingerprints sorted, unless story ids repeat: then which one is shown depends on order.

    Sorting lets the same store read in another order count as unchanged.
    """
    if len({clean_line(s.id) for s in stories}) == len(stories):
        return sorted(fingerprints)
    return fingerprints


def _search_salt(enabled: bool) -> str:
    if not enabled:
        return "no search"
    try:
        return "pagefind " + importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "pagefind"


def _resolve_search(search: bool | None) -> bool:
    if search is False:
        return False
    if pagefind_available():
        return True
    if search:
        raise RuntimeError('search requested but Pagefind is missing: pip install "pagefind[bin]"')
    logger.warning(
        'Pagefind is not installed (pip install "pagefind[bin]"): building without search'
    )
    return False


def build_site(
    stories: Sequence[Story],
    config: Config,
    out_dir: Path,
    *,
    templates_dir: Path | None = None,
    durable: bool = True,
    now: datetime | None = None,
    search: bool | None = None,
    per_page: int = PER_PAGE,
    status: Sequence[SourceHealth] | None = None,
    extras: Mapping[str, bytes] | None = None,
) -> BuildResult:
    """Render `stories` into `out_dir`, replacing what was there atomically (see `writer`).

    A story that cannot be shown (say, a naive datetime) is logged and left out; any other error
    leaves the previous site as it was. `durable=False` skips fsync, for throwaway builds. `now`
    defaults to the current time; `search` to "with Pagefind when it is installed". With
    `status`, the site gets a status page of the sources' health; `extras` are files published
    as they are (the state's archive).
    """
    now = to_utc(now) if now is not None else datetime.now(UTC)
    templates = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    site = SiteView.from_config(config.site)
    with_search = _resolve_search(search)
    salt = build_salt(
        code_dir=Path(__file__).resolve().parent,
        templates_dir=templates,
        site=site,
        sources=config.sources,
        search=_search_salt(with_search),
    )
    fingerprints = [story_fingerprint(story) for story in stories]
    waiting = sorted(s.id for s in stories if _announced_later(s, now))
    extras = dict(extras or {})
    key = digest(
        salt,
        str(per_page),
        *_in_key_order(stories, fingerprints),
        "waiting",
        *waiting,
        "status",
        value_fingerprint(status),
        "extras",
        *(f"{path} {bytes_digest(data)}" for path, data in sorted(extras.items())),
    )

    with publish(Path(out_dir), durable=durable) as writer:
        previous = writer.previous
        if (
            previous is not None
            and previous.key == key
            and writer.previous_root is not None
            and previous.intact(writer.previous_root)
        ):
            writer.keep_previous()
            stats = previous.stats
            result = BuildResult(
                pages=stats.get("pages", 0),
                stories=stats.get("stories", 0),
                out_dir=Path(out_dir),
                files=stats.get("files", 0),
                skipped=stats.get("skipped", 0),
                reused=stats.get("files", 0),
                unchanged=True,
                search=previous.search is not None,
            )
        else:
            views = story_views(stories, site, fingerprints)
            result = _write_site(
                writer,
                views,
                config,
                site,
                templates,
                key=key,
                salt=salt,
                now=now,
                search=with_search,
                per_page=per_page,
                out_dir=Path(out_dir),
                skipped=len(stories) - len(views),
                status=status,
                extras=extras,
            )
    logger.info(
        "built %s: %d stories, %d pages (%d rendered), %d files (%d unchanged), %d stories skipped%s",
        result.out_dir,
        result.stories,
        result.pages,
        result.rendered,
        result.files,
        result.reused,
        result.skipped,
        " (nothing new)" if result.unchanged else "",
    )
    return result


def page_key(salt: str, page: Page) -> str:
    """What a page's bytes depend on beyond the salt: its own fields and the data it shows."""
    return digest(salt, value_fingerprint(page))


def _write_pages(
    writer: Writer, renderer: Renderer, pages: Sequence[Page], keys: dict[str, str]
) -> int:
    """Render pages whose key changed, link the others; the number rendered."""
    previous = writer.previous.pages if writer.previous is not None else {}
    rendered = 0
    for page in pages:
        if previous.get(page.path) == keys[page.path] and writer.reuse(page.path):
            continue
        writer.write(page.path, renderer.render(page))
        rendered += 1
    return rendered


def _write_search(writer: Writer, pages: Sequence[Page], keys: dict[str, str]) -> str:
    """Pagefind's index of the story pages, reused when none of them changed; its key."""
    search_key = digest(*(keys[p.path] for p in pages if p.template == SEARCH_TEMPLATE))
    previous = writer.previous
    if (
        previous is not None
        and previous.search == search_key
        and writer.reuse_tree(paths.SEARCH_BUNDLE)
    ):
        logger.info("search index unchanged: reused")
        return search_key
    index_site(writer.root)
    files = writer.adopt_tree(paths.SEARCH_BUNDLE)
    logger.info("search index built: %d files", files)
    return search_key


def _write_site(
    writer: Writer,
    views: list[StoryView],
    config: Config,
    site: SiteView,
    templates: Path,
    *,
    key: str,
    salt: str,
    now: datetime,
    search: bool,
    per_page: int,
    out_dir: Path,
    skipped: int,
    status: Sequence[SourceHealth] | None,
    extras: Mapping[str, bytes],
) -> BuildResult:
    assets = load_assets(templates)
    renderer = Renderer(templates, site, assets, search=search)
    pages = plan_pages(site, views, search=search, per_page=per_page)
    if status is not None:
        pages.append(status_page(site, status))
    keys = {page.path: page_key(salt, page) for page in pages}

    for asset in assets.values():
        writer.write(asset.path, asset.data)
    rendered = _write_pages(writer, renderer, pages, keys)
    for path, data in site_feeds(site, feed_items(views, site.feed_items, now)).items():
        writer.write(path, data)
    for agency in agency_views(newest_first(views)):
        writer.write(agency.feed or "", agency_feed(site, agency, now))
    writer.write(paths.OPML, sources_opml(site, config.sources))
    writer.write(
        paths.SITEMAP,
        sitemap_xml((site.url(p.path), p.lastmod) for p in pages if p.indexed),
    )
    writer.write(paths.ROBOTS, robots_txt(site))
    for path, data in extras.items():
        writer.write(path, data)
    search_key = _write_search(writer, pages, keys) if search else None

    files = len(writer.records) + 1  # and the manifest
    stats = {
        "pages": len(pages),
        "stories": len(views),
        "files": files,
        "skipped": skipped,
    }
    manifest = Manifest(
        key=key, files=dict(writer.records), pages=keys, search=search_key, stats=stats
    )
    reused = writer.linked
    writer.write(paths.MANIFEST, manifest.to_bytes())
    return BuildResult(
        pages=len(pages),
        stories=len(views),
        out_dir=out_dir,
        files=files,
        skipped=skipped,
        rendered=rendered,
        reused=reused,
        search=search,
    )
