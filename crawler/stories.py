"""Copies -> story: which copy speaks for the story, and what the story says.

Pure functions over stored articles; the build and the export both read stories through here, so
the site, the feeds and `digest export` always agree.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

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
    counts = Counter(a.original_source for a in copies if a.original_source)
    if not counts:
        return None
    best = max(counts.values())
    return next(a.original_source for a in copies if a.original_source and counts[a.original_source] == best)


def _published(copies: Sequence[Article]) -> tuple[datetime, bool]:
    """First-published instant: the earliest real date; estimated only when no copy has one."""
    dated = [a.published for a in copies if not a.published_estimated]
    if dated:
        return min(dated), False
    return min(a.published for a in copies), True


def _order(article: Article) -> tuple[datetime, datetime, str]:
    return (article.published, article.fetched_at, article.canonical_url)


def assemble(story_id: str, first_seen: datetime, copies: Iterable[Article]) -> Story:
    """Build a story from its copies (at least one).

    The primary copy is the agency's own page where present, else the earliest published. The
    text is the fullest copy's: excerpts and trimmed republications lose to the whole story.
    """
    ordered = sorted(copies, key=_order)
    if not ordered:
        raise ValueError(f"story {story_id} has no copies")
    own = [a for a in ordered if _is_agency_site(a)]
    primary = own[0] if own else ordered[0]
    words: dict[str, int] = {}  # copies mostly share their paragraphs: count each once

    def count(article: Article) -> int:
        total = 0
        for paragraph in article.paragraphs:
            if paragraph not in words:
                words[paragraph] = len(paragraph.split())
            total += words[paragraph]
        return total

    fullest = max(ordered, key=lambda a: (count(a), a is primary))
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


def load_stories(grouped: dict[str, tuple[datetime, list[Article]]]) -> list[Story]:
    """All stories with at least one copy, newest first-seen first (ties by id)."""
    stories = [assemble(sid, seen, arts) for sid, (seen, arts) in grouped.items() if arts]
    stories.sort(key=lambda s: (s.first_seen, s.id), reverse=True)
    return stories
