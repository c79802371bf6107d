"""Boilerplate learned from the crawl: blocks a site repeats, and teasers of stories already seen."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.clean import (
    RULES,
    BoilerplateMemory,
    SiteBoilerplate,
    StoryOpenings,
    clean_article,
    strip_boilerplate,
)
from crawler.items import Article

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
FOOTER = (
    "Ascom is a global solutions provider focused on healthcare ICT and mobile workflow "
    "solutions, headquartered in Baar, Switzerland."
)
PROMO = "Download the Harbour Star app for breaking news alerts on your phone."


def story(n: int) -> list[str]:
    return [
        f"Story {n} opens with its own first sentence about council meeting number {n}.",
        f"Its second paragraph, also unique to story {n}, quotes a spokesperson at length.",
    ]


def article(
    url: str,
    paragraphs: list[str],
    *,
    source: str = "Harbour Star",
    title: str = "",
    lede: str = "",
) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        source=source,
        title=title or url.rsplit("/", 1)[-1],
        published=NOW,
        published_estimated=False,
        author=None,
        original_source=None,
        lede=lede or (paragraphs[0] if paragraphs else ""),
        paragraphs=tuple(paragraphs),
        language="en",
        fetched_at=NOW,
    )


def test_block_on_many_stories_of_a_site_is_learned() -> None:
    site = SiteBoilerplate()
    for n in range(5):
        site.observe([*story(n), FOOTER], story=f"title {n}")
    assert site.pages == 5
    assert site.is_boilerplate(FOOTER)
    assert site.is_boilerplate("  " + FOOTER.upper() + " ")  # compared normalised, case-folded
    assert not site.is_boilerplate(story(1)[0])


def test_needs_three_stories_and_thirty_percent() -> None:
    site = SiteBoilerplate()
    site.observe([*story(0), PROMO], story="a")
    site.observe([*story(1), PROMO], story="b")
    assert not site.is_boilerplate(PROMO)  # two stories are not enough
    site.observe([*story(2), PROMO], story="c")
    assert site.is_boilerplate(PROMO)
    for n in range(3, 12):
        site.observe(story(n), story=f"t{n}")
    assert site.pages == 12
    assert not site.is_boilerplate(PROMO)  # 3 of 12 stories is under 30%


def test_one_story_at_many_urls_is_not_boilerplate() -> None:
    site = SiteBoilerplate()
    for _ in range(4):  # /world/x, /amp/world/x, /news/x, /x?utm=...
        site.observe(story(7), story="Same headline")
    site.observe(story(8), story="Other headline")
    assert site.pages == 2
    assert not site.is_boilerplate(story(7)[1])


def test_long_paragraphs_are_never_learned() -> None:
    site = SiteBoilerplate(max_words=10)
    long_block = " ".join(["word"] * 30)
    for n in range(4):
        site.observe([story(n)[0], long_block], story=str(n))
    assert not site.is_boilerplate(long_block)


def test_site_rule_plugs_into_strip_boilerplate() -> None:
    site = SiteBoilerplate()
    for n in range(3):
        site.observe([*story(n), PROMO], story=str(n))
    assert strip_boilerplate([*story(9), PROMO], (*RULES, site.rule())) == tuple(story(9))


TEASED = (
    "The next stage of negotiations between Russia and Ukraine has started in Istanbul, with "
    "both delegations arriving at the Ciragan Palace on Monday morning."
)


def test_truncated_opening_of_a_known_story_is_a_teaser() -> None:
    openings = StoryOpenings()
    openings.observe("https://a.example/istanbul-talks", [TEASED])
    teaser = "Kyiv [Ukraine], June 2 (ANI): The next stage of negotiations between Russia and Ukraine has..."
    assert openings.teaser_of(teaser) == "https://a.example/istanbul-talks"
    assert openings.teaser_of("The next stage of negotiations between Russia and Ukraine has…")
    # not truncated, or not the opening of anything known: not a teaser
    assert openings.teaser_of(TEASED) is None
    assert (
        openings.teaser_of("The next stage of the Tour de France starts in Lyon tomorrow...")
        is None
    )
    # too short a stem to be sure
    assert openings.teaser_of("The next stage...") is None


def test_a_story_does_not_tease_itself() -> None:
    openings = StoryOpenings()
    url = "https://aggregator.example/excerpt"
    openings.observe(url, [TEASED])
    excerpt = TEASED[:90] + "..."
    assert openings.teaser_of(excerpt, own_url=url) is None
    assert openings.teaser_of(excerpt, own_url="https://other.example/") == url


def test_memory_the_pipeline_way() -> None:
    """The exact calls the clean pipeline makes per article."""
    memory = BoilerplateMemory()
    first = article(
        "https://harbourstar.example/news/1",
        [TEASED, "Second paragraph of talks."],
        source="Other Site",
        title="Talks",
    )
    memory.observe(first)
    cleaned = []
    for n in range(4):
        page = article(
            f"https://harbourstar.example/news/{n + 10}",
            [*story(n), PROMO, TEASED[:80] + "..."],
            title=f"Story {n}",
        )
        memory.observe(page)
        cleaned.append(clean_article(page, rules=RULES + memory.rules_for(page)))
    # the teaser is recognised from the first page on; the promo once 3 stories carried it
    assert all(TEASED[:80] + "..." not in c.paragraphs for c in cleaned)
    assert PROMO in cleaned[0].paragraphs and PROMO in cleaned[1].paragraphs
    assert cleaned[2].paragraphs == tuple(story(2)) and cleaned[3].paragraphs == tuple(story(3))
    # the other site is unaffected by this site's promo
    assert not memory.sites["Other Site"].is_boilerplate(PROMO)
