"""new_story_id: short, stable, distinct."""

from __future__ import annotations

import re

from crawler.dedup.ids import ID_LENGTH, new_story_id


def test_short_hex_and_stable() -> None:
    story_id = new_story_id("https://example.com/news/story-1")
    assert re.fullmatch(r"[0-9a-f]{12}", story_id)
    assert len(story_id) == ID_LENGTH
    # pinned: the id is stored once and must come out the same on every machine and version
    assert story_id == new_story_id("https://example.com/news/story-1") == "598daa332b56"


def test_distinct_urls_distinct_ids() -> None:
    ids = {new_story_id(f"https://example.com/news/{n}") for n in range(20_000)}
    assert len(ids) == 20_000
