"""Which HTML pages the site has and what each shows: the gathering phase before rendering.

Deciding every page up front (paths, titles, descriptions, data) lets the sitemap list exactly the
pages that are written, and keeps templates free of decisions. Each page's context holds only what
that page shows (a slice of stories, counts, links), never a whole list it does not print: the
incremental build fingerprints contexts, and a page must change only when what it shows does.

Pages are planned from story cards (`views.StoryCard`), which a rebuild has for every story
without reading it again; a story page is made, with its story's whole view, only when it is
rendered (`StoryPage.page`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple, TypeVar

from crawler.site import paths
from crawler.site.dates import human_day
from crawler.site.fingerprint import digest
from crawler.site.render import FeedLink, Page
from crawler.site.text import excerpt
from crawler.site.views import (
    DayView,
    SiteView,
    SourceView,
    StoryCard,
    StoryView,
    agency_views,
    group_by_day,
    newest_first,
    related_by_wire,
    source_views,
)

PER_PAGE = 50  # stories (or days, in the archive) per page of every list that grows
RELATED = 8  # related stories shown on a story page

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page sits in its list: `number` is None on the first page (the newest stories),
    else the older page's number counted from the oldest; links are paths or None."""

    number: int | None
    newest: str
    newer: str | None
    older: str | None
    oldest: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """A line of an index: a name, its page, how many stories, and its feed if it has one."""

    name: str
    path: str
    count: int
    feed: str | None = None


@dataclass(frozen=True, slots=True)
class DayLink:
    day: date
    path: str
    count: int


@dataclass(frozen=True, slots=True)
class Listing:
    """The stories of a list page, newest first, grouped by day (`DayView`s) when iterated: only
    when the page is rendered, as planning and keying a page need only its stories."""

    stories: tuple[StoryCard, ...]

    def __iter__(self) -> Iterator[DayView]:
        return iter(group_by_day(self.stories))

    def __bool__(self) -> bool:
        return bool(self.stories)


def paginate(items: Sequence[T], first: str, per_page: int) -> list[tuple[Pager, Sequence[T]]]:
    """Split a newest-first list into pages whose content stays put as the list grows.

    Older pages are numbered from the oldest end: page k holds the k-th `per_page` items counted
    from the oldest, and keeps holding them, so a new item changes the first page only (and adds
    a page each time `per_page` more have come): an incremental build rewrites a few pages, not
    every page of every list. The first page shows the newest items: the newest, partial chunk
    and the full one before it, so from `per_page` to `2 * per_page` items (all, when fewer).
    """
    count = len(items)
    older = max(0, math.ceil(count / per_page) - 2)  # older pages besides the first
    pages: list[tuple[Pager, Sequence[T]]] = []
    oldest = paths.paged_path(first, 1) if older else None

    def path(k: int) -> str:
        return paths.paged_path(first, k) if k <= older else first

    pages.append(
        (
            Pager(
                number=None,
                newest=first,
                newer=None,
                older=path(older) if older else None,
                oldest=oldest,
            ),
            items[: count - older * per_page],
        )
    )
    for k in range(older, 0, -1):
        pager = Pager(
            number=k,
            newest=first,
            newer=path(k + 1),
            older=path(k - 1) if k > 1 else None,
            oldest=oldest,
        )
        pages.append((pager, items[count - k * per_page : count - (k - 1) * per_page]))
    return pages


def _page_path(first: str, pager: Pager) -> str:
    return first if pager.number is None else paths.paged_path(first, pager.number)


def _title(heading: str, site: SiteView, pager: Pager | None = None) -> str:
    if pager is not None and pager.number is not None:
        heading = f"{heading}, page {pager.number}"
    return f"{heading} · {site.title}"


def _described(text: str, pager: Pager) -> str:
    return text if pager.number is None else f"{text} Older page {pager.number}."


def _newest(stories: Sequence[StoryCard]) -> StoryCard | None:
    return stories[0] if stories else None


def home_pages(site: SiteView, ordered: Sequence[StoryCard], per_page: int) -> list[Page]:
    pages = []
    for pager, chunk in paginate(ordered, paths.HOME, per_page):
        newest = _newest(chunk)
        pages.append(
            Page(
                path=_page_path(paths.HOME, pager),
                template="index.html",
                heading="Latest stories",
                title=site.title if pager.number is None else _title("Latest stories", site, pager),
                description=_described(site.description or site.title, pager),
                context={"days": Listing(tuple(chunk)), "pager": pager},
                lastmod=newest.date if newest else None,
            )
        )
    return pages


class StoryPage(NamedTuple):
    """A story's page as planned: its card, its related stories' cards and the pages it links to.

    `made_of` digests all of that: with the story's fingerprint (which covers its whole text) it
    is everything the page shows, so the build keys the page by it. The `Page` itself is made only
    when the page is rendered, with the whole story (`page`): ten thousand of them would be made
    for nothing in a rebuild.
    """

    story: StoryCard
    related: tuple[StoryCard, ...]
    source_paths: dict[str, str]
    agency_path: str | None
    made_of: str

    def page(self, site: SiteView, view: StoryView) -> Page:
        """The page to render, with `view`, the whole story of the card."""
        return Page(
            path=view.path,
            template="story.html",
            heading=view.title,
            title=_title(view.title, site),
            description=excerpt(view.summary, 160),
            context={
                "story": view,
                "related": self.related,
                "source_paths": self.source_paths,
                "agency_path": self.agency_path,
            },
            og_type="article",
            published=view.date,
            lastmod=view.date,
        )


def story_pages(
    ordered: Sequence[StoryCard],
    source_paths: dict[str, str],
    agency_paths: dict[str, str],
    wanted: Collection[str] | None = None,
) -> list[StoryPage]:
    """The pages of the stories (newest first), or of those whose id is in `wanted`."""
    related = related_by_wire(ordered, RELATED, wanted)
    pages = []
    for story in ordered if wanted is None else (s for s in ordered if s.id in wanted):
        others = related.get(story.id, ())
        sources = {name: source_paths[name] for name in story.sites}
        agency = agency_paths.get(story.original_source or "")
        # One joined string: fingerprints are hex, paths hold no control character.
        made_of = digest(
            "\x1f".join(
                (
                    story.fingerprint,
                    *(other.fingerprint for other in others),
                    "",
                    *sources.values(),
                    agency or "",
                )
            )
        )
        pages.append(StoryPage(story, others, sources, agency, made_of))
    return pages


def page_links(cards: Iterable[StoryCard]) -> str:
    """A digest of the paths of every source and agency page, which story pages link to.

    Those paths depend on the names alone (`paths.source_slugs`), so this is known from the
    cards before any page is planned."""
    sites: set[str] = set()
    agencies: set[str] = set()
    for card in cards:
        sites.update(card.sites)
        if card.original_source:
            agencies.add(card.original_source)
    return digest(
        *(f"{name}\x1f{paths.source_path(slug)}" for name, slug in _by_name(sites)),
        "",
        *(f"{name}\x1f{paths.agency_path(slug)}" for name, slug in _by_name(agencies)),
    )


def _by_name(names: Iterable[str]) -> list[tuple[str, str]]:
    return sorted(paths.source_slugs(names).items())


def touched_by(ordered: Sequence[StoryCard], changed: Iterable[StoryCard]) -> set[str]:
    """The stories whose pages may differ when these cards changed (each as it was and as it is
    now, or gone): their own and those of the same wire and day, which list them as related.
    Every other story page shows what it showed, as long as the site's source and agency pages
    stay where they were (`page_links`)."""
    changed = list(changed)
    groups = {(c.original_source, c.day) for c in changed if c.original_source}
    touched = {c.id for c in changed}
    if groups:
        touched.update(
            c.id for c in ordered if c.original_source and (c.original_source, c.day) in groups
        )
    return touched


def archive_pages(site: SiteView, days: Sequence[DayView], per_page: int) -> list[Page]:
    links = [DayLink(day=d.day, path=d.path, count=len(d.stories)) for d in days]
    by_day = {d.day: d for d in days}
    pages = []
    for pager, chunk in paginate(links, paths.ARCHIVE, per_page):
        newest_day = by_day[chunk[0].day] if chunk else None
        pages.append(
            Page(
                path=_page_path(paths.ARCHIVE, pager),
                template="archive.html",
                heading="Archive",
                title=_title("Archive", site, pager),
                description=_described(f"Every day of {site.title}, newest first.", pager),
                context={"days": tuple(chunk), "pager": pager},
                lastmod=newest_day.stories[0].date if newest_day else None,
            )
        )
    return pages


def day_pages(site: SiteView, days: Sequence[DayView]) -> list[Page]:
    """A page per day; `newer`/`older` link the neighbouring days that have stories."""
    # Neighbours without their counts: a new story on one day must not rewrite the next day's page.
    links = [DayLink(day=d.day, path=d.path, count=0) for d in days]
    pages = []
    for index, day in enumerate(days):
        heading = human_day(day.day)
        pages.append(
            Page(
                path=day.path,
                template="day.html",
                heading=heading,
                title=_title(heading, site),
                description=f"Stories of {heading} (UTC) on {site.title}.",
                context={
                    "day": day,
                    "newer": links[index - 1] if index > 0 else None,
                    "older": links[index + 1] if index + 1 < len(links) else None,
                },
                lastmod=day.stories[0].date,
            )
        )
    return pages


def _entries(groups: Sequence[SourceView]) -> tuple[Entry, ...]:
    return tuple(Entry(g.name, g.path, len(g.stories), g.feed) for g in groups)


def group_pages(
    site: SiteView, groups: Sequence[SourceView], per_page: int, *, kind: str
) -> list[Page]:
    """The paginated pages of every site (`kind="source"`) or wire agency (`kind="agency"`)."""
    pages = []
    for group in groups:
        entry = Entry(group.name, group.path, len(group.stories), group.feed)
        if kind == "agency":
            description = f"Stories from the {group.name} wire, each once, on {site.title}."
            feeds: tuple[FeedLink, ...] = (
                FeedLink(
                    f"{group.name} on {site.title} (RSS)", "application/rss+xml", group.feed or ""
                ),
            )
        else:
            description = f"Stories carried by {group.name}, each once, on {site.title}."
            feeds = ()
        for pager, chunk in paginate(group.stories, group.path, per_page):
            pages.append(
                Page(
                    path=_page_path(group.path, pager),
                    template=f"{kind}.html",
                    heading=group.name,
                    title=_title(group.name, site, pager),
                    description=_described(description, pager),
                    # the count only on the first page, which changes with every story anyway
                    context={
                        "group": entry if pager.number is None else replace(entry, count=0),
                        "days": Listing(tuple(chunk)),
                        "pager": pager,
                    },
                    lastmod=chunk[0].date if chunk else None,
                    feeds=feeds,
                )
            )
    return pages


def index_page(
    site: SiteView,
    path: str,
    template: str,
    heading: str,
    description: str,
    entries: tuple[Entry, ...],
) -> Page:
    return Page(
        path=path,
        template=template,
        heading=heading,
        title=_title(heading, site),
        description=description,
        context={"entries": entries},
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """Every HTML page of the site. The story pages apart: they are planned only when asked for
    (`story_pages`), as a rebuild needs the pages of the stories that changed only, and made
    only to be rendered."""

    pages: list[Page]
    ordered: list[StoryCard]  # every story, newest first: one page each
    source_paths: dict[str, str]
    agency_paths: dict[str, str]

    def story_pages(self, wanted: Collection[str] | None = None) -> list[StoryPage]:
        """The planned pages of every story, or of the stories whose id is in `wanted`."""
        return story_pages(self.ordered, self.source_paths, self.agency_paths, wanted)


def plan_pages(
    site: SiteView,
    cards: Sequence[StoryCard],
    *,
    search: Sequence[str] | None = None,
    per_page: int = PER_PAGE,
) -> Plan:
    """Every HTML page of the site, home first, in a fixed order; `search`, the folders of the
    search index's shards (None: no search page)."""
    ordered = newest_first(cards)
    days = group_by_day(ordered)
    sources = source_views(ordered)
    agencies = agency_views(ordered)
    pages = home_pages(site, ordered, per_page)
    pages += archive_pages(site, days, per_page)
    pages += day_pages(site, days)
    pages.append(
        index_page(
            site,
            paths.SOURCES_INDEX,
            "sources.html",
            "Sources",
            f"The sites whose copies {site.title} gathered, with their stories.",
            _entries(sources),
        )
    )
    pages += group_pages(site, sources, per_page, kind="source")
    pages.append(
        index_page(
            site,
            paths.AGENCIES_INDEX,
            "agencies.html",
            "Wire agencies",
            f"The news agencies credited with the stories on {site.title}, each with a feed.",
            _entries(agencies),
        )
    )
    pages += group_pages(site, agencies, per_page, kind="agency")
    if search is not None:
        pages.append(
            Page(
                path=paths.SEARCH,
                template="search.html",
                heading="Search",
                title=_title("Search", site),
                description=f"Search every story on {site.title}.",
                context={"bundles": tuple(search)},
                indexed=False,
                search=True,
            )
        )
    pages.append(
        Page(
            path=paths.NOT_FOUND,
            template="404.html",
            heading="Page not found",
            title=_title("Page not found", site),
            description="There is no page at this address.",
            host_relative=True,
            indexed=False,
        )
    )
    return Plan(
        pages, ordered, {s.name: s.path for s in sources}, {a.name: a.path for a in agencies}
    )
