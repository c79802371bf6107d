"""The demo corpus: fictional wire stories (``data/stories.json``) and which sites carry them.

Every story is invented for the demo; names, figures and quotes are fictional. A story is kept
exactly as its agency filed it: `paragraphs[0]` starts with the agency dateline when it has one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources

AGENCIES = ("RT.com", "ANI", "Xinhua", "Reuters")


@dataclass(frozen=True, slots=True)
class Story:
    """One wire story as the agency filed it, plus the sites that republish it.

    `published` is timezone-aware, in the agency's own offset. `copies` pairs a site key with
    that site's headline for the story (the agency headline when the site keeps it).
    """

    key: str
    agency: str
    phase: int
    published: datetime
    section: str
    dateline: str
    headline: str
    standfirst: str
    paragraphs: tuple[str, ...]
    copies: tuple[tuple[str, str], ...]
    photo_caption: str = ""

    @property
    def site_keys(self) -> tuple[str, ...]:
        return tuple(site for site, _ in self.copies)

    def headline_on(self, site_key: str) -> str:
        """The headline the given site shows for this story."""
        for site, headline in self.copies:
            if site == site_key:
                return headline
        raise KeyError(f"{self.key} is not carried by {site_key}")


@dataclass(frozen=True, slots=True)
class Corpus:
    """All stories, in file order, and the pairs of distinct stories that share a paragraph."""

    stories: tuple[Story, ...]
    hard_negatives: tuple[tuple[str, str], ...]

    def story(self, key: str) -> Story:
        for story in self.stories:
            if story.key == key:
                return story
        raise KeyError(key)

    def carried_by(self, site_key: str, phase: int) -> list[Story]:
        """The stories a site shows in a phase, newest first."""
        found = [s for s in self.stories if s.phase <= phase and site_key in s.site_keys]
        return sorted(found, key=lambda s: s.published, reverse=True)


def _story(raw: dict[str, object]) -> Story:
    published = datetime.fromisoformat(str(raw["published"]))
    if published.tzinfo is None:
        raise ValueError(f"{raw['key']}: published needs a UTC offset")
    paragraphs = tuple(str(p) for p in raw["paragraphs"])  # type: ignore[attr-defined]
    dateline = str(raw.get("dateline", ""))
    if dateline and not paragraphs[0].startswith(dateline + " "):
        raise ValueError(f"{raw['key']}: first paragraph must start with the dateline")
    headline = str(raw["headline"])
    copies_raw: dict[str, str | None] = raw["copies"]  # type: ignore[assignment]
    return Story(
        key=str(raw["key"]),
        agency=str(raw["agency"]),
        phase=int(raw["phase"]),  # type: ignore[call-overload]
        published=published,
        section=str(raw["section"]),
        dateline=dateline,
        headline=headline,
        standfirst=str(raw["standfirst"]),
        paragraphs=paragraphs,
        copies=tuple((site, variant or headline) for site, variant in copies_raw.items()),
        photo_caption=str(raw.get("photo_caption", "")),
    )


@lru_cache(maxsize=1)
def load_corpus() -> Corpus:
    """Load and check the bundled corpus (cached: it never changes)."""
    text = resources.files("crawler.demo").joinpath("data/stories.json").read_text("utf-8")
    raw = json.loads(text)
    stories = tuple(_story(entry) for entry in raw["stories"])
    for story in stories:
        if story.agency not in AGENCIES:
            raise ValueError(f"{story.key}: unknown agency {story.agency!r}")
    pairs = tuple((str(a), str(b)) for a, b in raw["hard_negatives"])
    return Corpus(stories=stories, hard_negatives=pairs)
