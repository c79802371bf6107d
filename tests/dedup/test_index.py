"""StoryIndex: copies join their story; different stories stay apart."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from crawler.dedup.index import Prepared, StoryIndex
from crawler.items import Article

from .stories import (
    BACKGROUND,
    GRAIN,
    ISTANBUL,
    MARKETS_MONDAY,
    MARKETS_TUESDAY,
    PROMO,
    SANCTIONS,
)


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


@pytest.fixture
def index() -> StoryIndex:
    """An index holding the Istanbul story under id "istanbul"."""
    index = StoryIndex()
    assert index.match(ISTANBUL) is None
    index.add("istanbul", ISTANBUL)
    return index


def test_exact_copy(index: StoryIndex) -> None:
    assert index.match(ISTANBUL) == "istanbul"
    assert index.match(str(ISTANBUL)) == "istanbul"


def test_whitespace_and_quotes(index: StoryIndex) -> None:
    retyped = (
        "  "
        + ISTANBUL.replace("\n\n", "\n \n")
        .replace(". ", ".\u00a0 ")
        .replace('"all for all"', "\u201call for all\u201d")
        .replace("'", "\u2019")
        + "\n"
    )
    assert retyped != ISTANBUL
    assert index.match(retyped) == "istanbul"


def test_kiev_kyiv_and_other_word_edits(index: StoryIndex) -> None:
    edited = (
        ISTANBUL.replace("Kiev", "Kyiv")
        .replace("Defense", "Defence")
        .replace("Türkiye", "Turkey")
        .replace("30-day", "thirty-day")
    )
    assert index.match(edited) == "istanbul"


def test_dateline_added(index: StoryIndex) -> None:
    assert index.match("ISTANBUL, June 2 (RT.com) -- " + ISTANBUL) == "istanbul"


def test_different_headline_same_body(index: StoryIndex) -> None:
    """The index sees body text only: Article.text leaves the title and the lede out."""
    when = datetime(2025, 6, 2, 1, 30, tzinfo=UTC)
    copies = [
        Article(
            url=f"https://{site}/news/1",
            canonical_url=f"https://{site}/news/1",
            source=site,
            title=title,
            published=when,
            published_estimated=False,
            author=None,
            original_source="RT.com",
            lede=lede,
            paragraphs=tuple(_paragraphs(ISTANBUL)),
            language="en",
            fetched_at=when,
        )
        for site, title, lede in [
            ("a.example", "Istanbul talks begin", "Second round opens."),
            ("b.example", "Kiev's drone strikes overshadow talks", ""),
        ]
    ]
    assert [index.match(copy.text) for copy in copies] == ["istanbul", "istanbul"]


def test_dropped_paragraphs(index: StoryIndex) -> None:
    assert index.match("\n\n".join(_paragraphs(ISTANBUL)[:3])) == "istanbul"
    assert index.match("\n\n".join(_paragraphs(ISTANBUL)[1:])) == "istanbul"


def test_truncated_excerpt_joins_the_full_story(index: StoryIndex) -> None:
    excerpt = " ".join(ISTANBUL.split()[:45]) + "..."
    assert index.match(excerpt) == "istanbul"


def test_full_copy_after_the_excerpt_joins_the_excerpt_story() -> None:
    index = StoryIndex()
    excerpt = " ".join(ISTANBUL.split()[:45]) + "..."
    index.add("teaser", excerpt)
    assert index.match(ISTANBUL) == "teaser"
    assert index.match(ISTANBUL.replace("Kiev", "Kyiv") + "\n\n" + PROMO) == "teaser"


def test_extra_boilerplate_paragraph(index: StoryIndex) -> None:
    assert index.match(ISTANBUL + "\n\n" + PROMO) == "istanbul"
    assert index.match(ISTANBUL + "\n\n" + PROMO + "\n\n(RT.com)") == "istanbul"
    short = "\n\n".join(_paragraphs(ISTANBUL)[:2])
    assert index.match(short + "\n\n" + PROMO) == "istanbul"


def test_stories_sharing_a_background_paragraph_stay_apart() -> None:
    index = StoryIndex()
    index.add("grain", GRAIN)
    assert BACKGROUND in SANCTIONS and BACKGROUND in GRAIN
    assert index.match(SANCTIONS) is None
    index.add("sanctions", SANCTIONS)
    # and each still gets its own copies, even cut down to the paragraphs around the background
    assert index.match("\n\n".join(_paragraphs(SANCTIONS)[:3])) == "sanctions"
    assert index.match("\n\n".join(_paragraphs(GRAIN)[1:])) == "grain"
    assert index.match(BACKGROUND) is None


def test_market_reports_with_other_numbers_stay_apart() -> None:
    index = StoryIndex()
    index.add("monday", MARKETS_MONDAY)
    assert index.match(MARKETS_TUESDAY) is None
    # the hardest kind: the same words, only the figures differ
    refigured = (
        MARKETS_MONDAY.replace("312.45", "287.10")
        .replace("0.38", "0.35")
        .replace("81,138.99", "81,164.34")
        .replace("91.20", "84.65")
        .replace("24,659.45", "24,666.00")
    )
    assert index.match(refigured) is None
    # while a copy of the same report, and its excerpt, still join it
    assert index.match(MARKETS_MONDAY + "\n\n" + PROMO) == "monday"
    assert index.match(" ".join(MARKETS_MONDAY.split()[:42])) == "monday"


def test_short_agency_briefs_sharing_a_sign_off_stay_apart() -> None:
    sign_off = (
        "ANI is a leading multimedia news agency providing content to broadcasters, publishers "
        "and digital platforms across South Asia and the world, with more than 100 bureaus."
    )
    first = (
        "The Delhi High Court on Monday sought a response from the city government on a plea "
        "against the felling of trees for a road project in the south of the capital.\n\n"
        + sign_off
    )
    second = (
        "Heavy rain lashed parts of Mumbai on Monday, flooding low-lying areas and disrupting "
        "local train services during the morning rush hour, officials said.\n\n" + sign_off
    )
    index = StoryIndex()
    index.add("court", first)
    assert index.match(second) is None


def test_short_texts_never_match_on_loose_similarity(index: StoryIndex) -> None:
    teaser = " ".join(ISTANBUL.split()[:20]) + "..."
    for reworded in (
        teaser.replace("begins in Istanbul", "opens in the Turkish city of Istanbul"),
        teaser.replace("second round", "second and final round"),
    ):
        assert index.match(reworded) is None  # most words shared, but under 25 words


def test_very_short_texts_match_only_exactly() -> None:
    index = StoryIndex()
    flash = "Russia and Ukraine began a second round of peace talks in Istanbul on Monday."
    index.add("flash", flash)
    assert index.match(flash.upper()) == "flash"
    assert index.match(flash.replace("second", "third")) is None
    assert index.match("") is None and index.match(" ... ") is None
    index.add("empty", "")
    assert index.match("") is None


def test_load_with_add_then_match() -> None:
    index = StoryIndex()
    for story_id, text in [("istanbul", ISTANBUL), ("grain", GRAIN), ("monday", MARKETS_MONDAY)]:
        index.add(story_id, text)
    index.add("istanbul", ISTANBUL + "\n\n" + PROMO)  # a second stored copy of one story
    assert len(index) == 4
    assert index.match(GRAIN.replace("Kiev", "Kyiv")) == "grain"
    assert index.match(ISTANBUL) == "istanbul"
    assert index.match(SANCTIONS) is None
    assert index.match(MARKETS_TUESDAY) is None


def test_first_story_keeps_an_identical_text() -> None:
    index = StoryIndex()
    index.add("first", ISTANBUL)
    index.add("second", ISTANBUL)
    assert index.match(ISTANBUL) == "first"


SEQUENCE = [
    ISTANBUL,
    GRAIN,
    SANCTIONS,
    MARKETS_MONDAY,
    MARKETS_TUESDAY,
    ISTANBUL.replace("Kiev", "Kyiv"),
    " ".join(GRAIN.split()[:50]),
    SANCTIONS + "\n\n" + PROMO,
    MARKETS_MONDAY.replace(",", ""),
]


def _answers(texts: Sequence[str | Prepared] = SEQUENCE) -> list[str | None]:
    index = StoryIndex()
    answers = []
    for number, text in enumerate(texts):
        answer = index.match(text)
        answers.append(answer)
        index.add(answer or f"story-{number}", text)
    return answers


def test_deterministic() -> None:
    """Same calls, same answers; nothing depends on PYTHONHASHSEED or set order (the hashes are
    pinned in test_shingles, so another process computes the same signatures)."""
    answers = _answers()
    assert answers == _answers()
    assert answers == [None, None, None, None, None, "story-0", "story-1", "story-2", "story-3"]


def test_texts_prepared_in_another_process_get_the_same_answers() -> None:
    sketcher = StoryIndex().sketcher
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # nothing shared but pickles
        prepared = pool.map(sketcher.prepare, SEQUENCE)
    assert _answers(prepared) == _answers()
    assert _answers([sketcher.prepare(text) for text in SEQUENCE]) == _answers()


def test_bad_settings() -> None:
    with pytest.raises(ValueError):
        StoryIndex(threshold=0)
    with pytest.raises(ValueError):
        StoryIndex(containment=1.5)
    with pytest.raises(ValueError):
        StoryIndex(num_perm=16, head_perm=32)
