"""Copies -> story: which copy speaks for the story, and what the story says.

Pure functions over stored articles; the build and the export both read stories through here, so
the site, the feeds and `digest export` always agree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter

from crawler.items import Article, Copy, Story

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _is_agency_site(article: Article) -> bool:
    """Whether the copy is the credited agency's own page (its site is named for the agency)."""
    credit = article.original_source
    return credit is not None and _names_agency(article.source, credit)


@functools.lru_cache(maxsize=4096)  # a few sites and agencies, asked for every copy
def _names_agency(source: str, credit: str) -> bool:
    squashed = _NOT_ALNUM.sub("", credit.removesuffix(".com").casefold())
    return squashed in _NOT_ALNUM.sub("", source.casefold())


def _credit(copies: Sequence[Article]) -> str | None:
    """The wire credit most copies agree on (ties: the earliest copy's)."""
    counts: dict[str, int] = {}  # in the order of the copies: `max` keeps the first of equals
    for article in copies:
        if article.original_source:
            counts[article.original_source] = counts.get(article.original_source, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _published(copies: Sequence[Article]) -> tuple[datetime, bool]:
    """First-published instant: the earliest real date; estimated only when no copy has one."""
    dated = [a.published for a in copies if not a.published_estimated]
    if dated:
        return min(dated), False
    return min(a.published for a in copies), True


_ORDER = attrgetter("published", "fetched_at", "canonical_url")  # how copies are ordered


def _common_opening(texts: Sequence[tuple[str, ...]]) -> int:
    """How many leading paragraphs the texts all share."""
    shared = 0
    for column in zip(*texts, strict=False):  # as far as the shortest
        if column.count(column[0]) < len(texts):
            break
        shared += 1
    return shared


def _fullest(ordered: Sequence[Article], primary: Article) -> Article:
    """The copy with the most words; of equals, `primary`, else the earliest.

    Copies mostly have the same text. Else, the paragraphs that open every text alike add the
    same words to each, so only the rest is counted (excerpts are mostly a story's first
    paragraphs), and a paragraph that several texts have is counted once.
    """
    texts = [a.paragraphs for a in ordered]
    if texts.count(texts[0]) == len(texts):  # compared by identity first: `store` shares them
        return primary
    shared = _common_opening(texts)
    words: dict[str, int] = {}

    def count(article: Article) -> tuple[int, bool]:
        total = 0
        for paragraph in article.paragraphs[shared:]:
            if paragraph not in words:
                words[paragraph] = len(paragraph.split())
            total += words[paragraph]
        return total, article is primary

    return max(ordered, key=count)


def assemble(story_id: str, first_seen: datetime, copies: Iterable[Article]) -> Story:
    """Build a story from its copies (at least one).

    The primary copy is the agency's own page where present, else the earliest published. The
    text is the fullest copy's: excerpts and trimmed republications lose to the whole story.
    """
    ordered = sorted(copies, key=_ORDER)
    if not ordered:
        raise ValueError(f"story {story_id} has no copies")
    primary = next((a for a in ordered if _is_agency_site(a)), ordered[0])
    fullest = _fullest(ordered, primary)
    published, estimated = _published(ordered)
    return Story(
        id=story_id,
        title=primary.title,
        url=primary.url,
        source=primary.source,
        published=published,
        published_estimated=estimated,
        original_source=_credit(ordered),
        author=primary.author or fullest.author,
        lede=primary.lede or fullest.lede,
        paragraphs=fullest.paragraphs,
        language=primary.language or fullest.language,
        first_seen=first_seen,
        copies=tuple(Copy(a.url, a.source, a.title, a.published) for a in ordered),
        images=primary.images or fullest.images,
    )


def assemble_stories(copies: Iterable[tuple[str, datetime, Sequence[Article]]]) -> list[Story]:
    """The stories of (id, first seen, copies) that have a copy, newest first-seen first (ties
    by id). Takes them one at a time (`Store.story_copies`): only the stories are kept."""
    stories = [assemble(sid, seen, arts) for sid, seen, arts in copies if arts]
    stories.sort(key=lambda s: (s.first_seen, s.id), reverse=True)
    return stories
