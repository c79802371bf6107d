"""clean_article: a new, normalised Article without boilerplate; nothing else changes."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import UTC, datetime

from crawler.clean import RULES, clean_article, regex_rule
from crawler.items import Article

WHEN = datetime(2025, 6, 2, 1, 30, tzinfo=UTC)


def article(**changes: object) -> Article:
    base = Article(
        url="https://a.com/x",
        canonical_url="https://a.com/x",
        source="A",
        title="Arctic route busy",
        published=WHEN,
        published_estimated=False,
        author=None,
        original_source="RT.com",
        lede="Cargo volumes jumped by a third.",
        paragraphs=("First real paragraph.", "Second real paragraph."),
        language="en",
        fetched_at=WHEN,
        images=("https://a.com/i.jpg",),
    )
    return dataclasses.replace(base, **changes)


def test_returns_a_new_article_and_leaves_the_input_alone() -> None:
    original = article(paragraphs=("Real text.", "ADVERTISEMENT"))
    cleaned = clean_article(original)
    assert cleaned is not original
    assert original.paragraphs == ("Real text.", "ADVERTISEMENT")
    assert cleaned.paragraphs == ("Real text.",)


def test_other_fields_are_untouched() -> None:
    original = article()
    cleaned = clean_article(original)
    for name in (
        "url",
        "canonical_url",
        "source",
        "published",
        "published_estimated",
        "original_source",
        "language",
        "fetched_at",
        "images",
    ):
        assert getattr(cleaned, name) == getattr(original, name)


def test_whitespace_and_unicode_are_normalised() -> None:
    cleaned = clean_article(
        article(
            title="  CafÃ©\u00a0owners   rally ",
            lede="Cafe\u0301  owners\u200b rally.",
            author="  Renée   Dubois ",
            paragraphs=("  Line one\nstill line one.  ", "", "   ", "Zoe\u0308 said  “no”."),
        )
    )
    assert cleaned.title == "Café owners rally"
    assert cleaned.lede == "Café owners rally."
    assert cleaned.author == "Renée Dubois"
    assert cleaned.paragraphs == ("Line one still line one.", "Zoë said “no”.")
    for text in (cleaned.title, cleaned.lede, *cleaned.paragraphs):
        assert unicodedata.is_normalized("NFC", text)


def test_repeated_paragraphs_collapse() -> None:
    cleaned = clean_article(article(paragraphs=("Same text.", "Same  text.", "Other text.")))
    assert cleaned.paragraphs == ("Same text.", "Other text.")


def test_seed_style_tail_is_removed() -> None:
    cleaned = clean_article(
        article(
            paragraphs=(
                "The previous round of talks saw 1,000 prisoners exchanged per side.",
                "(RT.com)",
                (
                    "Get a daily dose of Baltic Harbour Star news through our daily email, its complimentary "
                    "and keeps you fully up to date with world and business news as well."
                ),
                (
                    "Publish news of your business, community or sports group, personnel appointments, major "
                    "event and more by submitting a news release to Baltic Harbour Star."
                ),
                "More InformationThe next stage of negotiations has started in Istanbul ...",
                "Kyiv [Ukraine], June 2 (ANI): Major General X tendered his resignation on Sunday,...",
                "BEIJING, June 2 (Xinhua) -- As International Children's Day fell on Sunday, --...",
                "SEOUL, South Korea: Lee Jae-myung is leading in the polls ahead of the June 3 snap...",
            )
        )
    )
    assert cleaned.paragraphs == (
        "The previous round of talks saw 1,000 prisoners exchanged per side.",
    )


def test_boilerplate_lede_falls_back_to_first_clean_paragraph() -> None:
    cleaned = clean_article(
        article(
            lede="Sign up for our newsletter",
            paragraphs=("Share", "Officials said the route was busier than ever."),
        )
    )
    assert cleaned.lede == "Officials said the route was busier than ever."


def test_empty_lede_falls_back_and_empty_article_stays_empty() -> None:
    assert clean_article(article(lede="")).lede == "First real paragraph."
    cleaned = clean_article(article(lede="", paragraphs=("ADVERTISEMENT", "Share")))
    assert cleaned.paragraphs == () and cleaned.lede == ""


def test_blank_author_becomes_none() -> None:
    assert clean_article(article(author="   ")).author is None


def test_extra_rules_are_honoured() -> None:
    rules = (*RULES, regex_rule("site-footer", r"^Riverside Courier welcomes letters"))
    cleaned = clean_article(
        article(paragraphs=("Real.", "Riverside Courier welcomes letters from readers.")),
        rules=rules,
    )
    assert cleaned.paragraphs == ("Real.",)
