"""View models: what the templates and feeds see of a story, cleaned and decided once.

Every text field is cleaned here (`text.clean_line`), every date is UTC, every link from a source
is checked to be http(s), and every choice a page or feed would otherwise make on its own (the
date to show, the order of copies, which sites carried a story) is made here, so the HTML pages
and the three feeds can never disagree. Nothing here escapes: templates and serialisers do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar

from crawler.config import SiteConfig
from crawler.items import Copy, Story
from crawler.site import paths
from crawler.site.dates import to_utc
from crawler.site.fingerprint import digest, story_fingerprint
from crawler.site.text import clean_language, clean_line, clean_paragraphs, excerpt

logger = logging.getLogger(__name__)

UNTITLED = "Untitled story"

T = TypeVar("T")


def _pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickle a frozen slots dataclass as its class and its fields in order, rebuilt through
    `__init__`: a build sends thousands of story views from one process to another, and the
    `__setstate__` that dataclasses give such a class loads them a third slower."""
    get = attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]

    def reduce(self: T) -> tuple[type[T], tuple[Any, ...]]:
        return cls, get(self)

    cls.__reduce__ = reduce  # type: ignore[assignment,method-assign]
    return cls


@dataclass(frozen=True, slots=True)
class SiteView:
    """The site's own identity, as pages and feeds show it."""

    title: str
    description: str
    language: str
    base_url: str
    feed_items: int

    @classmethod
    def from_config(cls, site: SiteConfig) -> SiteView:
        return cls(
            title=clean_line(site.title) or "syndigest",
            description=clean_line(site.description),
            language=clean_language(site.language) or "en",
            base_url=site.base_url,
            feed_items=site.feed_items,
        )

    def url(self, path: str) -> str:
        return paths.page_url(self.base_url, path)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class CopyView:
    """One site's copy; `url` is None when the source gave no http(s) URL (never linked then)."""

    source: str
    title: str
    url: str | None
    published: datetime


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class StoryCard:
    """What lists show of a story (home, day, site and agency pages, related stories) and what
    the build needs to tell whether its page changed: kept between builds in the manifest, so a
    rebuild reads again only the stories that changed. `StoryView` is the whole story.

    `date` is the publication date but never later than `first_seen`: a source clock that runs
    ahead must not give a story a date in the future. `fingerprint` is the stored story's
    (`fingerprint.story_fingerprint`): incremental builds compare it, never the fields. `search`
    is the digest of all that the search index takes from the story (`search.record`).
    """

    id: str
    path: str
    title: str
    lede: str
    summary: str
    source: str
    original_source: str | None
    language: str | None
    date: datetime
    first_seen: datetime
    sites: tuple[str, ...]
    fingerprint: str
    search: str

    @property
    def credit(self) -> str:
        """Who to credit: the wire agency when known, else the site it was first found on."""
        return self.original_source or self.source

    @property
    def day(self) -> dt.date:
        return self.date.date()

    def to_json(self) -> list[Any]:
        """The card as values for orjson to write into the manifest (`card_from_json` reads it
        back): its datetimes, which orjson writes as `isoformat` does (at a fifth of the cost),
        and its tuple as arrays. The summary is most often the lede, and then null."""
        return [
            self.id,
            self.path,
            self.title,
            self.lede,
            None if self.summary == self.lede else self.summary,
            self.source,
            self.original_source,
            self.language,
            self.date,
            self.first_seen,
            self.sites,
            self.fingerprint,
            self.search,
        ]


def card_from_json(data: list[Any]) -> StoryCard:
    """A card from `StoryCard.to_json`; raises ValueError or TypeError for anything else."""
    (story_id, path, title, lede, summary, source, credit, language, date, first_seen, sites,
     fingerprint, search) = data  # fmt: skip
    return StoryCard(
        story_id,
        path,
        title,
        lede,
        lede if summary is None else summary,
        source,
        credit,
        language,
        datetime.fromisoformat(date),
        datetime.fromisoformat(first_seen),
        tuple(sites),
        fingerprint,
        search,
    )


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class StoryView(StoryCard):
    """A story as its page and the feeds show it: its card and all the rest.

    `local` is the publication instant in the source's own offset, kept only when that offset is
    not UTC (pages show both). `body` omits the lede when the source repeated it as the first
    paragraph, so the standfirst is not read twice.
    """

    url: str
    guid: str
    body: tuple[str, ...]
    source_url: str | None
    author: str | None
    estimated: bool
    copies: tuple[CopyView, ...]
    local: datetime | None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The full text, standfirst first: what a feed's full content carries."""
        return ((self.lede,) if self.lede else ()) + self.body


C = TypeVar("C", bound=StoryCard)
_BY_ID = attrgetter("id")
_BY_DATE = attrgetter("date")
_BY_FIRST_SEEN = attrgetter("first_seen")
_EPOCH = datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class DayView:
    day: dt.date
    path: str
    stories: tuple[StoryCard, ...]


@dataclass(frozen=True, slots=True)
class SourceView:
    """A site that carried stories, or a wire agency credited with them (then `feed` is set)."""

    name: str
    slug: str
    path: str
    stories: tuple[StoryCard, ...]
    feed: str | None = None


def _copy_view(copy: Copy) -> CopyView:
    url = clean_line(copy.url)
    return CopyView(
        source=clean_line(copy.source) or "Unknown site",
        title=clean_line(copy.title) or UNTITLED,
        url=url if paths.is_web_url(url) else None,
        published=to_utc(copy.published),
    )


def _local(published: datetime, shown: datetime) -> datetime | None:
    """The source's own clock reading, when it is worth showing beside UTC."""
    offset = published.utcoffset()
    if shown != published or not offset:
        return None
    return published


def story_view(story: Story, site: SiteView, fingerprint: str | None = None) -> StoryView:
    """Build the view of one story; raises ValueError for a story that cannot be shown."""
    story_id = clean_line(story.id)
    if not story_id:
        raise ValueError("story has an empty id")
    first_seen = to_utc(story.first_seen)
    shown = min(to_utc(story.published), first_seen)
    lede = clean_line(story.lede)
    body = clean_paragraphs(story.paragraphs)
    if lede and body and body[0] == lede:
        body = body[1:]
    title = clean_line(story.title) or UNTITLED
    source = clean_line(story.source) or "Unknown site"
    original_source = clean_line(story.original_source) or None
    language = clean_language(story.language)
    credit = original_source or source
    copies = tuple(
        sorted(
            (_copy_view(c) for c in story.copies),
            key=lambda c: (c.published, c.source.casefold(), c.source, c.url or ""),
        )
    )
    sites = tuple(sorted({source, *(c.source for c in copies)}, key=lambda s: (s.casefold(), s)))
    source_url = clean_line(story.url)
    path = paths.story_path(story_id)
    return StoryView(
        id=story_id,
        path=path,
        title=title,
        lede=lede,
        summary=excerpt(lede or (body[0] if body else title), 300),
        source=source,
        original_source=original_source,
        language=language,
        date=shown,
        first_seen=first_seen,
        sites=sites,
        fingerprint=fingerprint or story_fingerprint(story),
        # All that the search index takes from the story (`search.record`), for the names of
        # its shards: the credit, the language, the day of its date.
        search=digest(path, title, lede, *body, shown.date().isoformat(), credit, language or ""),
        url=site.url(path),
        guid=paths.story_guid(story_id),
        body=body,
        source_url=source_url if paths.is_web_url(source_url) else None,
        author=clean_line(story.author) or None,
        estimated=story.published_estimated,
        copies=copies,
        local=_local(story.published, shown),
    )


def story_views(
    stories: Iterable[Story], site: SiteView, fingerprints: Sequence[str] | None = None
) -> list[StoryView]:
    """Views of every usable story; a bad or duplicate story is logged and left out, not fatal.

    `fingerprints`, when given, are the stories' `story_fingerprint`s in the same order (a build
    has them already).
    """
    views: list[StoryView] = []
    for index, story in enumerate(stories):
        try:
            views.append(story_view(story, site, fingerprints[index] if fingerprints else None))
        except (ValueError, TypeError, AttributeError) as exc:
            logger.warning("skipping story %r: %s", getattr(story, "id", None), exc)
    return unique_paths(views)


def unique_paths(cards: Iterable[C]) -> list[C]:
    """The stories in order, but one whose page another has taken already is logged, left out."""
    kept: list[C] = []
    seen_paths: dict[str, str] = {}
    for card in cards:
        if card.path in seen_paths:
            logger.warning(
                "skipping story %r: its page %s is taken by story %r",
                card.id,
                card.path,
                seen_paths[card.path],
            )
            continue
        seen_paths[card.path] = card.id
        kept.append(card)
    return kept


def newest_first(views: Iterable[C]) -> list[C]:
    """Reading order for pages: by shown date, newest first; ties by id for a stable build."""
    # Two stable sorts on C-level keys: this runs over every story many times per build.
    return sorted(sorted(views, key=_BY_ID), key=_BY_DATE, reverse=True)


def announced_first(views: Iterable[C]) -> list[C]:
    """Feed order: by `first_seen`, newest first, so a story that gains copies is not re-sent."""
    return sorted(sorted(views, key=_BY_ID), key=_BY_FIRST_SEEN, reverse=True)


def group_by_day(views: Sequence[StoryCard]) -> list[DayView]:
    """Stories grouped by UTC day, newest day first, newest story first within a day."""
    days: dict[dt.date, list[StoryCard]] = defaultdict(list)
    for view in newest_first(views):
        days[view.day].append(view)
    return [
        DayView(day=day, path=paths.day_path(day), stories=tuple(days[day]))
        for day in sorted(days, reverse=True)
    ]


def source_views(views: Sequence[StoryCard]) -> list[SourceView]:
    """One entry per site that carried anything, by name; each lists its stories newest first."""
    carried: dict[str, list[StoryCard]] = defaultdict(list)
    for view in newest_first(views):
        for site in view.sites:
            carried[site].append(view)
    slugs = paths.source_slugs(carried)
    return [
        SourceView(
            name=name,
            slug=slugs[name],
            path=paths.source_path(slugs[name]),
            stories=tuple(carried[name]),
        )
        for name in sorted(carried, key=lambda s: (s.casefold(), s))
    ]


def agency_views(views: Sequence[StoryCard]) -> list[SourceView]:
    """One entry per credited wire agency, by name, each with its stories newest first."""
    credited: dict[str, list[StoryCard]] = defaultdict(list)
    for view in newest_first(views):
        if view.original_source:
            credited[view.original_source].append(view)
    slugs = paths.source_slugs(credited)
    return [
        SourceView(
            name=name,
            slug=slugs[name],
            path=paths.agency_path(slugs[name]),
            stories=tuple(credited[name]),
            feed=paths.agency_feed_path(slugs[name]),
        )
        for name in sorted(credited, key=lambda s: (s.casefold(), s))
    ]


def related_by_wire(
    views: Sequence[StoryCard], limit: int, wanted: Collection[str] | None = None
) -> dict[str, tuple[StoryCard, ...]]:
    """For each story (or each whose id is in `wanted`), up to `limit` other stories of the same
    wire agency on the same UTC day.

    Nearest in time first, so a long day still shows the neighbours a reader most likely wants;
    shown newest first.
    """
    groups: dict[tuple[str, dt.date], list[StoryCard]] = defaultdict(list)
    for view in newest_first(views):
        if view.original_source:
            groups[(view.original_source, view.day)].append(view)
    related: dict[str, tuple[StoryCard, ...]] = {}
    for group in groups.values():
        if wanted is not None and not any(view.id in wanted for view in group):
            continue
        micros = [(view.date - _EPOCH) // _MICROSECOND for view in group]
        for index, view in enumerate(group):
            if wanted is not None and view.id not in wanted:
                continue
            # The group is in time order, so the nearest stories are within `limit` either side;
            # the nearest, by their place in the group, are in reading order.
            window = [
                *range(max(0, index - limit), index),
                *range(index + 1, min(len(group), index + 1 + limit)),
            ]
            window.sort(key=lambda i: (abs(micros[i] - micros[index]), group[i].id))
            related[view.id] = tuple(group[i] for i in sorted(window[:limit]))
    return related
