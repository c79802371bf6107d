"""The clean pipeline learns a site's own boilerplate during the run."""

from __future__ import annotations

from dataclasses import replace

from crawler.pipelines.clean import CleanPipeline
from tests.test_store import article

PROMO = "Follow the Harbour Gazette on every platform for the latest from the coast and beyond."


def test_a_block_recurring_on_a_sites_stories_is_dropped() -> None:
    pipeline = CleanPipeline()
    outputs = []
    for n in range(6):
        story = (f"Story {n} opens with news about item {n} in the district of number {n}.",
                 f"Story {n} goes on with details that differ for every story, number {n * 13}.")
        outputs.append(pipeline.process_item(replace(article(n), paragraphs=(*story, PROMO))))
    assert PROMO in outputs[0].paragraphs  # one page alone proves nothing
    assert all(PROMO not in out.paragraphs for out in outputs[3:])
    assert all(len(out.paragraphs) >= 2 for out in outputs)
