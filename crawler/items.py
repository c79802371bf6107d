"""The records that flow between stages. Frozen: a stage returns a new record, never edits one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched article page, as the spider hands it on: extraction happens in the pipelines
    (in worker processes, which is why the spider does not extract).

    `encoding` is the charset of the HTTP Content-Type, if it named one.
    """

    url: str
    source: str
    body: bytes
    encoding: str | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction reads off one page: pure data, no crawl context.

    `published` is timezone-aware or None when the page carries no date. `original_source` is the
    canonical name of the credited wire agency (``"RT.com"``, ``"ANI"``, ``"Xinhua"``) or None.
    `paragraphs` is the article body as plain-text paragraphs, lede excluded only if the page
    shows the lede apart from the body (a standfirst).
    """

    url: str
    canonical_url: str
    title: str
    published: datetime | None
    author: str | None
    original_source: str | None
    lede: str
    paragraphs: tuple[str, ...]
    language: str | None
    images: tuple[str, ...] = ()

    def article(
        self, source: str, fetched_at: datetime, url: str | None = None,
        canonical_url: str | None = None,
    ) -> Article:
        """The article of a page of `source` fetched at `fetched_at` (its date when the page
        has none); `url` and `canonical_url` default to the page's own."""
        return Article(
            url=self.url if url is None else url,
            canonical_url=self.canonical_url if canonical_url is None else canonical_url,
            source=source,
            title=self.title,
            published=self.published or fetched_at,
            published_estimated=self.published is None,
            author=self.author,
            original_source=self.original_source,
            lede=self.lede,
            paragraphs=self.paragraphs,
            language=self.language,
            fetched_at=fetched_at,
            images=self.images,
        )


@dataclass(frozen=True, slots=True)
class Article:
    """One fetched copy of a story, as the pipelines pass it on.

    `source` is the configured site name. When the page had no date, `published` is the time the
    page was first seen and `published_estimated` is True.
    """

    url: str
    canonical_url: str
    source: str
    title: str
    published: datetime
    published_estimated: bool
    author: str | None
    original_source: str | None
    lede: str
    paragraphs: tuple[str, ...]
    language: str | None
    fetched_at: datetime
    images: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The clean body: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class AssignedArticle:
    """An article with the story it belongs to (the dedup stage's output)."""

    article: Article
    story_id: str
    new_story: bool


@dataclass(frozen=True, slots=True)
class Copy:
    """One syndicated copy of a story, as readers see it listed."""

    url: str
    source: str
    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class Story:
    """A story assembled from its copies; what the build and the export read.

    `first_seen` is when the story entered the store: feeds order and announce by it, so a story
    that gains copies later is never re-announced.
    """

    id: str
    title: str
    url: str
    source: str
    published: datetime
    published_estimated: bool
    original_source: str | None
    author: str | None
    lede: str
    paragraphs: tuple[str, ...]
    language: str | None
    first_seen: datetime
    copies: tuple[Copy, ...] = field(default_factory=tuple)
    images: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)
