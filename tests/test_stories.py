"""Copies -> story: the primary copy, the fullest text, the agreed credit, the first date."""

from __future__ import annotations

from datetime import timedelta

from crawler.stories import assemble, load_stories
from tests.test_store import T0, article


def test_agency_own_page_is_primary_and_fullest_text_wins() -> None:
    regional = article(1, source="St Petersburg Star", original_source="RT.com",
                       paragraphs=("One.", "Two.", "Three more words here."))
    agency = article(2, source="RT", original_source="RT.com", paragraphs=("One.",),
                     title="Agency headline")
    story = assemble("s", T0, [regional, agency])
    assert story.title == "Agency headline" and story.source == "RT"
    assert story.paragraphs == regional.paragraphs
    assert story.published == regional.published  # the earliest real date
    assert [c.source for c in story.copies] == ["St Petersburg Star", "RT"]


def test_without_agency_copy_the_earliest_is_primary() -> None:
    late = article(5, source="Late")
    early = article(1, source="Early")
    story = assemble("s", T0, [late, early])
    assert story.source == "Early" and story.url == early.url


def test_credit_is_what_most_copies_say() -> None:
    copies = [article(1, original_source="ANI"), article(2, original_source="ANI"),
              article(3, original_source=None), article(4, original_source="PTI")]
    assert assemble("s", T0, copies).original_source == "ANI"


def test_estimated_dates_lose_to_real_ones() -> None:
    guessed = article(0, published_estimated=True, published=T0 - timedelta(days=3))
    real = article(4)
    story = assemble("s", T0, [guessed, real])
    assert story.published == real.published and not story.published_estimated


def test_load_stories_orders_newest_first_seen_first() -> None:
    grouped = {"old": (T0, [article(1)]), "new": (T0 + timedelta(hours=1), [article(2)]),
               "empty": (T0, [])}
    assert [s.id for s in load_stories(grouped)] == ["new", "old"]
