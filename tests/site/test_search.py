"""Search shards: a few large old ones that stay, smaller newer ones, the newest taking new stories."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from crawler.items import Story
from crawler.site.search import plan_shards, shard_sizes
from crawler.site.views import SiteView, story_views

from .conftest import sample_config


@pytest.mark.parametrize("count", [0, 1, 511, 512, 1000, 10_000, 10_050, 65_536, 100_000])
def test_shard_sizes_cover_every_story_in_few_shards(count: int) -> None:
    sizes = shard_sizes(count, 256)
    assert sum(sizes) == count
    assert len(sizes) <= max(1, (count // 256).bit_length() + 3)
    if count >= 512:
        assert max(sizes) <= count // 2  # two indexers share a full build
        assert sizes == sorted(sizes, reverse=True)


def test_new_stories_mostly_change_only_the_small_newest_shards() -> None:
    """Older shards stay as they were, except where small ones merge into a larger one (as in a
    binary counter): 50 new stories at a time, nine builds in ten index fewer than 600 stories."""
    small, steps = 0, 0
    for count in range(512, 30_000, 50):
        before, after = shard_sizes(count, 256), shard_sizes(count + 50, 256)
        kept = 0
        while kept < min(len(before), len(after)) and before[kept] == after[kept]:
            kept += 1
        steps += 1
        small += sum(after[kept:]) < 600
    assert small >= 0.9 * steps


def test_plan_shards_names_follow_their_stories(
    story_factory: Callable[..., Story], t0: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crawler.site.search.SMALLEST", 2)
    site = SiteView.from_config(sample_config().site)

    def cards(count: int) -> list:  # type: ignore[type-arg]
        made = [
            story_factory(id=f"s{i}", first_seen=t0 + timedelta(hours=i), lede=f"Lede {i}.")
            for i in range(count)
        ]
        return story_views(made, site)

    assert [len(s.ids) for s in plan_shards([], "salt")] == [0]  # an empty index, still one
    first = plan_shards(cards(9), "salt")
    assert [s.ids for s in first] == [("s8",), ("s4", "s5", "s6", "s7"), ("s0", "s1", "s2", "s3")]
    more = plan_shards(cards(10), "salt")
    assert [s.name for s in more][1:] == [s.name for s in first][1:]  # the old shards stay
    assert {s.name for s in plan_shards(cards(8), "other salt")}.isdisjoint(s.name for s in first)
