"""Copies -> story: the primary copy, the fullest text, the agreed credit, the first date."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from crawler.stories import assemble, assemble_stories
from tests.test_store import T0, article

# Paragraphs that copies share, repeat, or have apart; some with odd whitespace or none at all.
PARAGRAPHS = ("One two.", "Three.", "Four five six.", "Seven  eight\tnine.", " ", "")


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


def test_assemble_stories_orders_newest_first_seen_first() -> None:
    grouped = [("old", T0, [article(1)]), ("new", T0 + timedelta(hours=1), [article(2)]),
               ("empty", T0, [])]
    assert [s.id for s in assemble_stories(grouped)] == ["new", "old"]


def test_assemble_stories_takes_them_one_at_a_time() -> None:
    copies = iter([("old", T0, [article(1)]), ("empty", T0, []),
                   ("new", T0 + timedelta(hours=1), [article(2)])])
    assert [s.id for s in assemble_stories(copies)] == ["new", "old"]


@given(st.lists(st.lists(st.sampled_from(PARAGRAPHS), max_size=5), min_size=1, max_size=5))
def test_the_fullest_copy_has_the_most_words(texts: list[list[str]]) -> None:
    """Whatever the copies share, the text is the one with the most words; of equals, the
    primary's (the earliest here), else the earliest copy's."""
    copies = [article(n, author=f"author {n}" if n else None, paragraphs=tuple(text))
              for n, text in enumerate(texts)]
    most = max(sum(len(p.split()) for p in text) for text in texts)
    fullest = next(a for a in copies if sum(len(p.split()) for p in a.paragraphs) == most)
    story = assemble("s", T0, reversed(copies))
    assert (story.paragraphs, story.author) == (fullest.paragraphs, fullest.author)
