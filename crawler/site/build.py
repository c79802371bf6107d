"""Orchestration of a site build: stories in, a complete static site swapped into place out.

Two phases, as in Pelican: gather (story cards, pages, feed items, search shards) and then write
through the one `Writer`. The only clock is `now`, passed in (it keeps future-dated items out of
the feeds), so the same stories always give byte-identical output.

Builds are incremental, and a rebuild costs what changed, not what the site holds:

- Stories come from a `catalog.Catalog`, whose watermark the manifest keeps with a key over
  everything else the build reads (the templates and static files, the build code, the config).
  When the key matches, the build stops at once and leaves the site alone.
- Otherwise the catalog names the stories that changed since that watermark, and only those are
  read again: the others' cards (what lists show of a story) come from the manifest.
- Pages are planned from cards. Every page and feed gets its own key over what it shows; those
  whose key is unchanged are hard-linked from the previous site instead of rendered. The stories
  that the pages, feeds and search shards to redo show in full are read then.
- The search index is split into shards (`search`): unchanged ones are linked, the others written
  by a forked indexer process while the pages are rendered.

See `catalog`, `fingerprint`, `search` and `writer`.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import pickle
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import crawler
from crawler.config import Config
from crawler.items import Story
from crawler.site import paths, search
from crawler.site.assets import load_assets
from crawler.site.catalog import Catalog, Fingerprinted, Reader, StoryList
from crawler.site.dates import to_utc
from crawler.site.feeds import agency_feed, feed_items, site_feeds
from crawler.site.fingerprint import build_salt, digest, value_fingerprint
from crawler.site.forked import Forked, forked
from crawler.site.manifest import Manifest
from crawler.site.opml import sources_opml
from crawler.site.pages import (
    PER_PAGE,
    Plan,
    StoryPage,
    page_links,
    plan_pages,
    touched_by,
)
from crawler.site.render import Page, Renderer
from crawler.site.search import Shard, plan_shards
from crawler.site.sitemap import sitemap_paths, sitemaps
from crawler.site.status_page import status_page
from crawler.site.text import clean_line
from crawler.site.views import (
    SiteView,
    SourceView,
    StoryCard,
    StoryView,
    agency_views,
    card_from_json,
    story_views,
    unique_paths,
)
from crawler.site.writer import Share, Writer, publish
from crawler.status import SourceHealth

logger = logging.getLogger(__name__)

# A build with this many stories to read shares the work with a forked process, on the other
# core: both take READ_CHUNK stories at a time, whichever is free taking the next. One with this
# many pages to render, too: that process writes the sitemaps and the like while this one renders
# the list pages, then both take the story pages CHUNK at a time.
FORK_FROM = 1000
READ_CHUNK = 500
FORK_PAGES_FROM = 100
CHUNK = 64
# Feeds with this many items between them are written by a forked process of their own, from
# before the pages are planned (their items' full text is sanitised and formatted three ways).
FORK_FEEDS_FROM = 100
FORK_EXTRAS_FROM = 8  # extras (archive parts) to make before a forked process is worth it


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced: HTML pages, stories shown, all files written, and where.

    `rendered` pages were rendered this time (the others were unchanged and linked), `reused`
    files were linked from the previous site, `unchanged` means nothing was new and the site
    was left as it was, `search` that the site has a search index, and `indexed` how many
    stories were indexed for it this time (the others' shards were unchanged).
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
    indexed: int = 0


class Extras(Protocol):
    """Files published beside the pages (the state's archive), each made only when its key
    changed since the last build."""

    def keys(self) -> Mapping[str, str]:
        """Each file's key, by path."""
        ...

    def make(self, paths: Collection[str]) -> dict[str, bytes]:
        """These files' bytes; may run in a forked process."""
        ...


class _Made:
    """The extras' files that changed, made together: ahead, in a forked process while the
    stories are read and rendered, when there are many; else when the first is written."""

    def __init__(self, extras: Extras | None, stale: Sequence[str]) -> None:
        self.extras = extras
        self.stale = stale
        self._child = (
            Forked(partial(extras.make, stale), "extras")
            if extras is not None and len(stale) >= FORK_EXTRAS_FROM
            else None
        )
        self._made: dict[str, bytes] | None = None

    def take(self, path: str) -> bytes:
        """A file's bytes; one whose key did not change (its old copy was damaged) is made alone."""
        assert self.extras is not None
        if self._made is None:
            child = self._child
            self._made = child.result() if child is not None else self.extras.make(self.stale)
        data = self._made.pop(path, None)
        return data if data is not None else self.extras.make([path])[path]

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()


class TooFewStories(Exception):
    """The site would show fewer stories than the caller allows: nothing is published."""

    def __init__(self, stories: int, fewest: int) -> None:
        super().__init__(f"the site would show {stories} stories, fewer than {fewest}")
        self.stories = stories
        self.fewest = fewest


def default_templates_dir() -> Path:
    """The repository's `site_templates/`, beside the `crawler` package."""
    return Path(crawler.__file__).resolve().parent.parent / "site_templates"


def robots_txt(site: SiteView) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {site.url(paths.SITEMAP)}\n"


def _search_salt(site: SiteView) -> str:
    """What the search index depends on besides the stories: its format, the site's language."""
    return f"{search.FORMAT} {site.language}"


@dataclass(frozen=True, slots=True)
class Gathered:
    """The stories to show: a card for each, the whole view of those read this time, and the ids
    of the stories that could not be shown. `changed` holds the cards of the stories that
    changed since the last build, as they were and as they are (None: all were read)."""

    cards: list[StoryCard]
    views: dict[str, StoryView]
    skipped: tuple[str, ...]
    changed: tuple[StoryCard, ...] | None = None
    kept: Mapping[str, list[Any]] = field(default_factory=dict)  # unchanged cards, as JSON


def _views(loaded: Sequence[Fingerprinted], site: SiteView) -> list[StoryView]:
    return story_views([s for s, _ in loaded], site, [f for _, f in loaded])


def _not_shown(loaded: Sequence[Fingerprinted], views: Collection[StoryView]) -> list[str]:
    shown = {view.id for view in views}
    return [story.id for story, _ in loaded if clean_line(story.id) not in shown]


def _cached_cards(cached: Manifest) -> dict[str, StoryCard] | None:
    """The cards the last build kept, by id; None when they cannot be read (then all stories
    are read again)."""
    try:
        return {card.id: card for card in map(card_from_json, cached.cards.values())}
    except (ValueError, TypeError) as exc:
        logger.warning("ignoring the story cards of the last build: %s", exc)
        return None


_Views = tuple[list[StoryView], list[str]]  # views, and the ids of stories not shown


def _take(taken: Synchronized[int], count: int) -> int:
    """The first of the next `count` items of work shared with a forked process (`taken` is
    how many were handed out)."""
    with taken.get_lock():
        first = taken.value
        taken.value = first + count
    return first


def _read(load: Callable[[], Sequence[Fingerprinted]], site: SiteView) -> _Views:
    """The views of what `load` reads, and the ids of the stories that cannot be shown."""
    loaded = load()
    views = _views(loaded, site)
    return views, _not_shown(loaded, views)


def _read_all(catalog: Catalog, site: SiteView) -> tuple[list[StoryView], list[str]]:
    """Every story's view, newest first-seen first, and the ids of those that cannot be shown;
    read by two processes in turn when there are many and the catalog can."""
    ids = catalog.ids()
    reader = catalog.reader() if len(ids) >= FORK_FROM else None
    if reader is None:
        return _read(catalog.load, site)
    chunks = [ids[start : start + READ_CHUNK] for start in range(0, len(ids), READ_CHUNK)]
    taken = multiprocessing.Value("q", 0)

    def read_chunks(load: Callable[[Collection[str]], list[Fingerprinted]]) -> Iterator[_Views]:
        while (chunk := _take(taken, 1)) < len(chunks):
            yield _read(partial(load, chunks[chunk]), site)

    def in_child() -> list[bytes]:
        # Each chunk pickled as soon as it is read: pickling is then part of this process's
        # share, and the two finish together (pickled at the end, it kept the parent waiting).
        with reader as load:
            return [pickle.dumps(read, pickle.HIGHEST_PROTOCOL) for read in read_chunks(load)]

    with forked(in_child, "reader") as child:
        read = list(read_chunks(catalog.load))
        read += map(pickle.loads, child.result())
    views = [view for chunk_views, _ in read for view in chunk_views]
    views.sort(key=lambda v: (v.first_seen, v.id), reverse=True)
    return views, sorted(i for _, not_shown in read for i in not_shown)  # whichever read them


def _gather(catalog: Catalog, site: SiteView, cached: Manifest | None) -> Gathered:
    """Cards for every story: from the manifest of the last build (`cached`, when it was made by
    the same code and config) for the stories the catalog says are unchanged, else read."""
    changed = catalog.changed_since(cached.watermark) if cached is not None else None
    cards = _cached_cards(cached) if cached is not None and changed is not None else None
    if cached is None or changed is None or cards is None:
        views, skipped = _read_all(catalog, site)
        return Gathered(list(views), {v.id: v for v in views}, tuple(skipped))
    if not changed:
        return Gathered(list(cards.values()), {}, cached.skipped, (), cached.cards)
    loaded = catalog.load(changed)
    views = _views(loaded, site)
    old = [card for card in (cards.pop(clean_line(raw), None) for raw in changed) if card]
    gone = {card.id for card in old}
    kept = {i: card for i, card in cached.cards.items() if i not in gone}
    cards.update((view.id, view) for view in views)
    skipped = [i for i in cached.skipped if i not in changed] + _not_shown(loaded, views)
    ordered = sorted(cards.values(), key=lambda c: (c.first_seen, c.id), reverse=True)
    return Gathered(
        unique_paths(ordered), {v.id: v for v in views}, tuple(skipped), (*old, *views), kept
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a build.

    A build holds a card and a view of every story, which each full collection walks again
    (a tenth of a full build's CPU time), and garbage in cycles is rare while it runs (a few
    objects per list page rendered). Paused before the forks, it also leaves the forked
    processes' inherited memory unwritten, so it stays shared with this one.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def build_site(
    stories: Sequence[Story] | Catalog,
    config: Config,
    out_dir: Path,
    *,
    templates_dir: Path | None = None,
    durable: bool = True,
    now: datetime | None = None,
    search: bool = True,
    per_page: int = PER_PAGE,
    status: Sequence[SourceHealth] | None = None,
    extras: Extras | None = None,
    fewest: int = 0,
    cache: Path | None = None,
) -> BuildResult:
    """Render the stories (a list, or a `catalog.Catalog` such as the state's) into `out_dir`,
    replacing what was there atomically (see `writer`).

    A story that cannot be shown (say, a naive datetime) is logged and left out; any other error
    leaves the previous site as it was, as does a site that would show fewer than `fewest`
    stories (TooFewStories). `durable=False` skips fsync, for throwaway builds. `now` defaults
    to the current time; `search=False` builds no search page nor index. With `status`, the
    site gets a status page of the sources' health; `extras` are files published beside it
    (the state's archive). `cache` is a folder where the compiled templates are kept between
    builds (it must exist).
    """
    now = to_utc(now) if now is not None else datetime.now(UTC)
    templates = Path(templates_dir) if templates_dir is not None else default_templates_dir()
    site = SiteView.from_config(config.site)
    search_salt = _search_salt(site) if search else None
    catalog = StoryList(stories) if isinstance(stories, Sequence) else stories
    salt = build_salt(
        code_dir=Path(__file__).resolve().parent,
        templates_dir=templates,
        site=site,
        sources=config.sources,
        search=search_salt or "no search",
    )
    extra_keys = {
        path: digest(salt, "extra", key) for path, key in (extras.keys() if extras else {}).items()
    }
    watermark = catalog.watermark()
    inputs = digest(
        salt,
        str(per_page),
        watermark,
        "status",
        value_fingerprint(status),
        "extras",
        *(f"{path} {key}" for path, key in sorted(extra_keys.items())),
    )

    with publish(Path(out_dir), durable=durable) as writer:
        previous = writer.previous
        old_keys = previous.keys if previous is not None else {}
        made = _Made(
            extras, [path for path, key in extra_keys.items() if old_keys.get(path) != key]
        )
        try:
            gathered = _gather(
                catalog, site, previous if previous is not None and previous.salt == salt else None
            )
            if len(gathered.cards) < fewest:
                raise TooFewStories(len(gathered.cards), fewest)
            waiting = sorted(c.id for c in gathered.cards if c.first_seen > now)
            key = digest(inputs, "waiting", *waiting)
            if previous is not None and previous.key == key and writer.previous_intact():
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
                site_build = SiteBuild(writer, catalog, site, salt, gathered, now)
                result = site_build.write(
                    config,
                    templates,
                    key=key,
                    watermark=watermark,
                    search_salt=search_salt,
                    per_page=per_page,
                    out_dir=Path(out_dir),
                    status=status,
                    extras=extra_keys,
                    made=made,
                    cache=cache,
                )
        finally:
            made.stop()
    logger.info(
        "built %s: %d stories, %d pages (%d rendered), %d files (%d unchanged), "
        "%d stories indexed, %d stories skipped%s",
        result.out_dir,
        result.stories,
        result.pages,
        result.rendered,
        result.files,
        result.reused,
        result.indexed,
        result.skipped,
        " (nothing new)" if result.unchanged else "",
    )
    return result


def page_key(salt: str, page: Page) -> str:
    """What a page's bytes depend on beyond the salt: its own fields and the data it shows."""
    return digest(salt, value_fingerprint(page))


class KeptStories(NamedTuple):
    """The stories whose pages a rebuild keeps (`SiteBuild._keep_stories`)."""

    touched: set[str]  # the ids of the other stories, whose pages are planned
    unkeyed: set[str]  # the ids of kept stories whose page has no key: to render
    paths: dict[str, str]  # the kept pages' paths, with their story ids
    linking: Callable[[], list[str]]  # waits for the links; the paths not linked


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's files (the site's three formats, or an agency's RSS) and its items."""

    files: tuple[str, ...]
    agency: SourceView | None
    items: list[StoryCard]


class SiteBuild:
    """One build's writing phase: what to redo, reading the stories it needs, and the writing."""

    def __init__(
        self,
        writer: Writer,
        catalog: Catalog,
        site: SiteView,
        salt: str,
        gathered: Gathered,
        now: datetime,
    ) -> None:
        self.writer = writer
        self.catalog = catalog
        self.site = site
        self.salt = salt
        self.cards = gathered.cards
        self.views = gathered.views
        self.skipped = gathered.skipped
        self.changed = gathered.changed
        self.kept = gathered.kept
        self.now = now
        self.previous_keys = writer.previous.keys if writer.previous is not None else {}
        self.keys: dict[str, str] = {}

    def _reuse(self, path: str, key: str) -> bool:
        """Link a page or feed from the previous site if its key is unchanged."""
        self.keys[path] = key
        return self.previous_keys.get(path) == key and self.writer.reuse(path)

    def _read(self, ids: Collection[str]) -> None:
        """Make sure the whole views of these stories are at hand, reading those that are not."""
        missing = set(ids) - self.views.keys()
        if missing:
            self.views.update((v.id, v) for v in _views(self.catalog.load(missing), self.site))

    def _keep_stories(self, links: str) -> KeptStories | None:
        """Start linking the pages of the stories that what changed since the last build does
        not touch (`pages.touched_by`), if the source and agency pages kept their paths
        (`links`): those pages keep their keys, unplanned. None when every story page is to be
        planned (a full build, or paths that moved).

        Called first thing, before the pages are planned: after a full build, which leaves no
        spare, these are ten thousand links, made by a forked process while the build goes on
        (`Writer.reuse_many`)."""
        previous = self.writer.previous
        if self.changed is None or previous is None or previous.links != links:
            return None
        touched = touched_by(self.cards, self.changed)
        kept = {c.path: c.id for c in self.cards if c.id not in touched}
        keys = {path: self.previous_keys.get(path) for path in kept}
        self.keys.update((path, key) for path, key in keys.items() if key is not None)
        return KeptStories(
            touched,
            {kept[path] for path in kept if keys[path] is None},
            kept,
            self.writer.reuse_many(p for p in kept if keys[p]),
        )

    def _pages_to_render(
        self, pages: Sequence[Page]
    ) -> tuple[list[Page], Callable[[], list[Page]]]:
        """The pages whose key changed, and a function that gives those to render too once the
        others are linked from the previous site (pages damaged since)."""
        changed, unchanged = [], {}
        for page in pages:
            key = self.keys[page.path] = page_key(self.salt, page)
            if self.previous_keys.get(page.path) == key:
                unchanged[page.path] = page
            else:
                changed.append(page)
        linking = self.writer.reuse_many(unchanged)
        return changed, lambda: [unchanged[path] for path in linking()]

    def _stories_to_render(
        self, plan: Plan, kept: KeptStories | None
    ) -> tuple[list[StoryPage], Callable[[], list[StoryPage]]]:
        """The story pages whose key changed, and a function that gives those to render too
        once the `kept` ones are linked from the previous site (pages damaged since)."""
        stories = [
            s
            for s in plan.story_pages(kept.touched if kept is not None else None)
            if not self._reuse(s.story.path, digest(self.salt, s.made_of))
        ]
        if kept is None:
            return stories, list
        stories += self._redo(plan, kept.unkeyed)
        return stories, lambda: self._redo(plan, {kept.paths[path] for path in kept.linking()})

    def _redo(self, plan: Plan, ids: Collection[str]) -> list[StoryPage]:
        """The pages of these stories, unchanged but not to be had from the previous site."""
        redo = list(plan.story_pages(ids)) if ids else []
        for story in redo:
            self.keys[story.story.path] = digest(self.salt, story.made_of)
        return redo

    def _feeds(self) -> list[Feed]:
        """Every feed whose key changed, with those of its files still to write."""
        limit = self.site.feed_items
        feeds = [
            Feed(
                (paths.RSS, paths.ATOM, paths.JSON_FEED),
                None,
                feed_items(self.cards, limit, self.now),
            )
        ]
        for agency in agency_views(self.cards):
            chosen = feed_items(agency.stories, limit, self.now)
            feeds.append(Feed((agency.feed or "",), agency, chosen))
        todo = []
        for feed in feeds:
            key = digest(self.salt, "feed", *feed.files, *(c.fingerprint for c in feed.items))
            left = tuple(path for path in feed.files if not self._reuse(path, key))
            if left:
                todo.append(replace(feed, files=left))
        return todo

    def _write_feeds(
        self,
        feeds: Sequence[Feed],
        reader: Reader | None,
        write: Callable[[str, str | bytes], object],
    ) -> None:
        """Write the feeds; their stories not read yet are read here, or through `reader` (in
        a forked process, which must not share this one's database connection)."""
        site = self.site
        missing = {c.id for feed in feeds for c in feed.items} - self.views.keys()
        if reader is not None and missing:
            with reader as load:
                self.views.update((view.id, view) for view in _views(load(missing), site))
        else:
            self._read(missing)
        for feed in feeds:
            views = tuple(self.views[c.id] for c in feed.items)
            if feed.agency is None:
                written = site_feeds(site, views)
            else:
                agency = replace(feed.agency, stories=views)
                written = {feed.files[0]: agency_feed(site, agency, self.now)}
            for path in feed.files:
                write(path, written[path])

    def _fork_feeds(self, feeds: Sequence[Feed]) -> Forked[Share] | None:
        """A forked process writing the feeds, when they have FORK_FEEDS_FROM items or more and
        their stories not read yet can be read there."""
        items = {c.id for feed in feeds for c in feed.items}
        if len(items) < FORK_FEEDS_FROM:
            return None
        missing = items - self.views.keys()
        reader = self.catalog.reader() if missing else None
        if missing and reader is None:
            return None
        self.writer.claim(path for feed in feeds for path in feed.files)
        return Forked(partial(self._helper, partial(self._write_feeds, feeds, reader)), "feeds")

    def _write_side(
        self,
        config: Config,
        entries: Sequence[tuple[str, datetime | None]],
        write: Callable[[str, str | bytes], object],
    ) -> None:
        """Write the files that are neither pages nor feeds (`side_paths`): the OPML file, the
        sitemaps and robots.txt."""
        write(paths.OPML, sources_opml(self.site, config.sources))
        for path, data in sitemaps(entries, self.site.url).items():
            write(path, data)
        write(paths.ROBOTS, robots_txt(self.site))

    @staticmethod
    def side_paths(entries: int) -> list[str]:
        """The files `_write_side` writes, for a sitemap of so many entries."""
        return [paths.OPML, *sitemap_paths(entries), paths.ROBOTS]

    def _render_stories(
        self,
        renderer: Renderer,
        stories: Sequence[StoryPage],
        taken: Synchronized[int] | None,
        write: Callable[[str, str | bytes], object],
    ) -> None:
        """Render and write story pages: all of them, or, with `taken` (the number of pages
        handed out so far, shared with the forked copy of the build), the next CHUNK pages not
        yet taken until none are left, so the two processes finish together."""
        start, end = 0, len(stories)
        while start < len(stories):
            if taken is not None:
                start = _take(taken, CHUNK)
                end = start + CHUNK
            for story in stories[start:end]:
                page = story.page(self.site, self.views[story.story.id])
                write(page.path, renderer.render(page))
            self.writer.sync_ahead()
            start = end

    def _helper(self, work: Callable[[Callable[[str, str | bytes], object]], None]) -> Share:
        """A forked copy of the build: `work` writes files this process claimed beforehand; what
        it wrote is returned, to be merged."""
        writer = self.writer
        writer.detach()
        work(writer.write_claimed)
        return writer.share()

    def _render_side_and_stories(
        self,
        renderer: Renderer,
        stories: Sequence[StoryPage],
        taken: Synchronized[int],
        side: Callable[[Callable[[str, str | bytes], object]], None],
        write: Callable[[str, str | bytes], object],
    ) -> None:
        """The share of the forked copy that renders: the side files, then story pages in turn
        with this process."""
        side(write)
        self._render_stories(renderer, stories, taken, write)

    def _shards_to_index(self, shards: Sequence[Shard]) -> list[Shard]:
        previous = self.writer.previous
        reusable = set(previous.search or ()) if previous is not None else set()
        return [
            shard
            for shard in shards
            if not (shard.name in reusable and self.writer.reuse_tree(shard.folder))
        ]

    def write(
        self,
        config: Config,
        templates: Path,
        *,
        key: str,
        watermark: str,
        search_salt: str | None,
        per_page: int,
        out_dir: Path,
        status: Sequence[SourceHealth] | None,
        extras: Mapping[str, str],
        made: _Made,
        cache: Path | None,
    ) -> BuildResult:
        writer, site = self.writer, self.site
        links = page_links(self.cards)
        kept = self._keep_stories(links)
        assets = load_assets(templates)
        shards = plan_shards(self.cards, search_salt) if search_salt is not None else None
        to_index = self._shards_to_index(shards) if shards is not None else []
        self._read({i for shard in to_index for i in shard.ids})

        with ThreadPoolExecutor(max_workers=1) as pool, ExitStack() as children:
            indexing: Future[None] | None = None
            if to_index:  # first, so the indexer's process runs while this one plans
                work = [
                    (
                        writer.fresh_folder(shard.folder),
                        [self.views[i] for i in shard.ids],
                    )
                    for shard in to_index
                ]
                indexing = pool.submit(search.index_shards, work, site.language)
            feeds = self._feeds()
            feeding = self._fork_feeds(feeds)
            if feeding is not None:
                children.callback(feeding.stop)
            plan = plan_pages(
                site,
                self.cards,
                search=[s.folder for s in shards] if shards is not None else None,
                per_page=per_page,
            )
            pages = plan.pages
            if status is not None:
                pages.append(status_page(site, status))

            for asset in assets.values():
                writer.write(asset.path, asset.data)
            to_render, unlinked = self._pages_to_render(pages)
            stories, linked = self._stories_to_render(plan, kept)
            self._read({s.story.id for s in stories})

            renderer = Renderer(templates, site, assets, search=shards is not None, cache=cache)
            entries = [(site.url(p.path), p.lastmod) for p in pages if p.indexed]
            entries += ((site.url(c.path), c.date) for c in plan.ordered)
            side = partial(self._write_side, config, entries)
            if len(to_render) + len(stories) < FORK_PAGES_FROM:
                for page in to_render:
                    writer.write(page.path, renderer.render(page))
                self._render_stories(renderer, stories, None, writer.write)
                side(writer.write)
            else:
                taken = multiprocessing.Value("q", 0)
                writer.claim([*self.side_paths(len(entries)), *(s.story.path for s in stories)])
                rendering = partial(self._render_side_and_stories, renderer, stories, taken, side)
                with forked(partial(self._helper, rendering), "renderer") as child:
                    for page in to_render:
                        writer.write(page.path, renderer.render(page))
                    self._render_stories(renderer, stories, taken, writer.write_claimed)
                    writer.merge(child.result())
            if feeding is None:
                self._write_feeds(feeds, None, writer.write)
            else:
                writer.merge(feeding.result())
            for page in unlinked():  # damaged since the last build: rendered after all
                writer.write(page.path, renderer.render(page))
            damaged = linked()
            self._read({s.story.id for s in damaged})
            self._render_stories(renderer, damaged, None, writer.write)
            writer.sync_ahead()  # the bulk of the site is written
            for path, extra_key in extras.items():
                if not self._reuse(path, extra_key):
                    writer.write(path, made.take(path))
            if indexing is not None:
                indexing.result()
        for shard in to_index:
            writer.adopt_tree(shard.folder)

        files = len(writer.records) + 1  # and the manifest
        stats = {
            "pages": len(pages) + len(plan.ordered),
            "stories": len(self.cards),
            "files": files,
            "skipped": len(self.skipped),
        }
        reused = writer.linked
        writer.write(
            paths.MANIFEST,
            Manifest(
                key=key,
                files=dict(writer.records),
                keys=self.keys,
                search=tuple(s.name for s in shards) if shards is not None else None,
                salt=self.salt,
                links=links,
                watermark=watermark,
                cards={c.id: self.kept.get(c.id) or c.to_json() for c in self.cards},
                skipped=self.skipped,
                stats=stats,
            ).to_bytes(),
        )
        return BuildResult(
            pages=len(pages) + len(plan.ordered),
            stories=len(self.cards),
            out_dir=out_dir,
            files=files,
            skipped=len(self.skipped),
            rendered=len(to_render) + len(stories),
            reused=reused,
            search=shards is not None,
            indexed=sum(len(shard.ids) for shard in to_index),
        )
