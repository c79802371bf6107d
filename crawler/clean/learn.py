"""Boilerplate learned from the crawl itself: what one site repeats, and teasers of known stories.

The generic rules in `crawler.clean.boilerplate` know what junk looks like in general. A site's
own junk ("About Ascom: Ascom is a global solutions provider...", a fixed disclaimer, a house
promo in an unusual wording) is recognisable only by repetition: the same block on many of that
site's pages, under different stories. And a teaser of another story ("Kyiv [Ukraine], June 2
(ANI): The next stage of negotiations ...") is recognisable for certain once that story's
opening is known.

Pure, in-memory classes (no I/O, no clock): feed them articles as they arrive, ask them for
`Rule`s to pass to `clean_article`. A block is learned only from what has been seen so far, so
the first pages of a site are cleaned with the generic rules alone.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crawler.clean.boilerplate import Rule
from crawler.extract.dateline import strip_dateline
from crawler.extract.text import normalise_text
from crawler.items import Article

logger = logging.getLogger(__name__)

_KEY_STRIP = " .…!?:;,\"'”’»“‘«-–—()[]"
_ELLIPSIS_RE = re.compile(r"\s*(?:\.\s?\.\s?\.|…)\s*[\"'”’)\]]?\s*$")
# In normalised text (single spaces) a trailing ellipsis is a few characters long: searching the
# tail finds the same as searching the whole paragraph, at a fraction of the cost.
_ELLIPSIS_TAIL = 16


@functools.lru_cache(maxsize=1024)
def block_key(text: str) -> str:
    """How blocks are compared: normalised, case-folded, outer punctuation dropped. Cached: a
    page's paragraphs are keyed when the site's blocks are counted, then again when each is
    tested against them."""
    return normalise_text(text).casefold().strip(_KEY_STRIP)


@dataclass(slots=True)
class SiteBoilerplate:
    """Blocks that recur across many different stories of one site.

    A block is boilerplate once it has been seen under at least `min_pages` different stories
    and on at least `min_share` of the site's stories. Stories, not pages, are counted: a site
    that serves one story at three URLs (a category path, an AMP copy, an updated slug) does not
    make that story's paragraphs look like boilerplate; a story seen again is not counted again.
    Blocks longer than `max_words` are never learned: no real promo is that long, and a story's
    long paragraphs are exactly what must never be mistaken for one. Memory stays small: blocks
    are kept as hashes with a count.
    """

    min_pages: int = 3
    min_share: float = 0.3
    max_words: int = 80
    _stories: set[int] = field(default_factory=set)
    _counts: dict[int, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Distinct stories observed on this site."""
        return len(self._stories)

    def observe(self, paragraphs: Sequence[str], story: str | None = None) -> None:
        """Count one page's blocks. `story` identifies the story (the headline, say; default:
        the first paragraph). A story already observed is skipped."""
        keys = [block_key(p) for p in paragraphs]
        keys = [k for k in keys if k]
        if not keys:
            return
        story_id = hash(block_key(story) if story else keys[0])
        if story_id in self._stories:
            return
        self._stories.add(story_id)
        for key in {k for k in keys if len(k.split()) <= self.max_words}:
            block = hash(key)
            self._counts[block] = self._counts.get(block, 0) + 1

    def is_boilerplate(self, paragraph: str) -> bool:
        """True once `paragraph` recurs on enough of this site's stories."""
        count = self._counts.get(hash(block_key(paragraph)), 0)
        return count >= self.min_pages and count >= self.min_share * len(self._stories)

    def rule(self) -> Rule:
        return Rule("site-repeated", self.is_boilerplate)


@dataclass(slots=True)
class StoryOpenings:
    """Openings (standfirst, first paragraph) of stories seen so far, across all sites.

    A paragraph that trails off in "..." or "…" and whose text, dateline aside, begins another
    known story's opening is a teaser of that story. Stems shorter than `min_chars` are too
    short to tell a teaser from a sentence that happens to start the same way.
    """

    min_chars: int = 40
    _by_prefix: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def observe(self, url: str, openings: Iterable[str]) -> None:
        """Remember `url`'s story openings (lede, first paragraph)."""
        for text in openings:
            key = block_key(strip_dateline(normalise_text(text)))
            if len(key) >= self.min_chars:
                self._by_prefix[key[: self.min_chars]][key] = url

    def teaser_of(self, paragraph: str, *, own_url: str | None = None) -> str | None:
        """The URL of the story `paragraph` teases, or None. A story never teases itself
        (an excerpt page's own truncated opening is its body, not a teaser)."""
        text = normalise_text(paragraph)
        if not _ELLIPSIS_RE.search(text, max(0, len(text) - _ELLIPSIS_TAIL)):
            return None
        stem = block_key(strip_dateline(_ELLIPSIS_RE.sub("", text)))
        if len(stem) < self.min_chars:
            return None
        for opening, url in self._by_prefix.get(stem[: self.min_chars], {}).items():
            if url != own_url and opening.startswith(stem):
                return url
        return None

    def rule(self, own_url: str | None = None) -> Rule:
        return Rule(
            "teaser-of-known-story",
            lambda text: self.teaser_of(text, own_url=own_url) is not None,
        )


@dataclass(slots=True)
class BoilerplateMemory:
    """What the clean pipeline keeps across articles: one `SiteBoilerplate` per source site and
    one `StoryOpenings` for all. Per article, `observe` then `rules_for`:

        memory.observe(article)
        cleaned = clean_article(article, rules=RULES + memory.rules_for(article))
    """

    min_pages: int = 3
    min_share: float = 0.3
    sites: dict[str, SiteBoilerplate] = field(default_factory=dict)
    openings: StoryOpenings = field(default_factory=StoryOpenings)

    def observe(self, article: Article) -> None:
        """Learn from one fetched article (before it is cleaned)."""
        site = self.sites.get(article.source)
        if site is None:
            site = SiteBoilerplate(self.min_pages, self.min_share)
            self.sites[article.source] = site
        site.observe(article.paragraphs, story=article.title or None)
        first = article.paragraphs[:1]
        self.openings.observe(article.url, [article.lede, *first])

    def rules_for(self, article: Article) -> tuple[Rule, ...]:
        """Learned rules to add to the generic ones when cleaning `article`."""
        rules = [self.openings.rule(own_url=article.url)]
        site = self.sites.get(article.source)
        if site is not None:
            rules.append(site.rule())
        return tuple(rules)
