"""Stories -> JSON Lines in the schema the design fixes (other tools read it; keep it stable)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from crawler.items import Story


def story_record(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "url": story.url,
        "source": story.source,
        "published": story.published.isoformat(),
        "original_source": story.original_source,
        "text": story.text,
        "copies": [
            {"url": c.url, "source": c.source, "title": c.title, "published": c.published.isoformat()}
            for c in story.copies
        ],
    }


def json_lines(stories: Iterable[Story]) -> Iterator[str]:
    for story in stories:
        yield json.dumps(story_record(story), ensure_ascii=False)
