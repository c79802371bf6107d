from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest

from crawler.config import SiteConfig
from crawler.items import Copy, Story
from crawler.site.views import (
    SiteView,
    announced_first,
    group_by_day,
    newest_first,
    source_views,
    story_view,
    story_views,
)

SITE = SiteView.from_config(SiteConfig(title="T", base_url="https://example.org/d/"))


def test_date_is_published_but_never_after_first_seen(
    story_factory: Callable[..., Story], t0: datetime
) -> None:
    late = story_view(story_factory(published=t0 + timedelta(hours=3), first_seen=t0), SITE)
    assert late.date == t0
    assert late.date.tzinfo == UTC
    early = story_view(story_factory(published=t0 - timedelta(hours=3), first_seen=t0), SITE)
    assert early.date == t0 - timedelta(hours=3)


def test_lede_repeated_as_first_paragraph_is_shown_once(
    story_factory: Callable[..., Story],
) -> None:
    view = story_view(story_factory(lede="Lede.", paragraphs=("Lede.", "Body.")), SITE)
    assert view.body == ("Body.",)
    assert view.paragraphs == ("Lede.", "Body.")


def test_text_fields_are_cleaned(story_factory: Callable[..., Story]) -> None:
    view = story_view(
        story_factory(title="A\x00 title\x1b", author=" \x07 ", paragraphs=("x\x0c y", "\x00")),
        SITE,
    )
    assert view.title == "A title"
    assert view.author is None
    assert view.body == ("x y",)


def test_copies_sorted_sites_counted_and_unsafe_links_dropped(
    story_factory: Callable[..., Story], t0: datetime
) -> None:
    copies = (
        Copy(url="https://b.example/2", source="Beta", title="B", published=t0 + timedelta(1)),
        Copy(url="javascript:alert(1)", source="alpha", title="A", published=t0),
        Copy(url="https://b.example/3", source="Beta", title="B again", published=t0),
    )
    view = story_view(story_factory(source="Beta", copies=copies), SITE)
    assert [c.title for c in view.copies] == ["A", "B again", "B"]
    assert view.copies[0].url is None
    assert view.sites == ("alpha", "Beta")


def test_bad_and_duplicate_stories_are_skipped_not_fatal(
    story_factory: Callable[..., Story], caplog: pytest.LogCaptureFixture
) -> None:
    naive = story_factory(id="naive", published=datetime(2025, 6, 2, 1, 30))
    views = story_views(
        [
            story_factory(id="one"),
            naive,
            story_factory(id="one", title="dup"),
            story_factory(id=""),
        ],
        SITE,
    )
    assert [v.id for v in views] == ["one"]
    assert views[0].title == "A plain story"
    assert "naive" in caplog.text


def test_grouping_and_orders(story_factory: Callable[..., Story], t0: datetime) -> None:
    a = story_factory(id="a", published=t0, first_seen=t0 + timedelta(days=3))
    b = story_factory(id="b", published=t0 + timedelta(hours=1), first_seen=t0 + timedelta(hours=1))
    c = story_factory(id="c", published=t0 - timedelta(days=1), first_seen=t0 - timedelta(days=1))
    views = story_views([c, a, b], SITE)
    days = group_by_day(views)
    assert [d.day.isoformat() for d in days] == ["2025-06-02", "2025-06-01"]
    assert [s.id for s in days[0].stories] == ["b", "a"]
    # feeds announce by first_seen: a was seen last, so it comes first there
    assert [s.id for s in announced_first(views)] == ["a", "b", "c"]


def test_orders_break_ties_by_id_whatever_order_they_are_given(
    story_factory: Callable[..., Story], t0: datetime
) -> None:
    same = [story_factory(id=i, published=t0, first_seen=t0) for i in "cab"]
    older = story_factory(id="z", published=t0 - timedelta(hours=1), first_seen=t0 - timedelta(1))
    for order in permutations(story_views([older, *same], SITE)):
        assert [v.id for v in newest_first(order)] == ["a", "b", "c", "z"]
        assert [v.id for v in announced_first(order)] == ["a", "b", "c", "z"]


def test_source_views_list_every_carrying_site(
    story_factory: Callable[..., Story], t0: datetime
) -> None:
    copy = Copy(url="https://z.example/1", source="Zeta", title="Z", published=t0)
    views = story_views([story_factory(id="a", copies=(copy,)), story_factory(id="b")], SITE)
    sources = {s.name: [v.id for v in s.stories] for s in source_views(views)}
    assert sources == {"Daily Gazette": ["a", "b"], "Zeta": ["a"]}
