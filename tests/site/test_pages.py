"""Pagination, day-to-day links, related stories, agency pages, the OPML file, every template."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from crawler.config import SiteConfig
from crawler.items import Story
from crawler.site import default_templates_dir, paths
from crawler.site.build import BuildResult
from crawler.site.pages import page_links, paginate, plan_pages
from crawler.site.status_page import status_page
from crawler.site.views import SiteView, story_views

from .conftest import SITES, make_story, sample_health

BASE = "https://digest.example.org/news/"


def parse(path: Path) -> etree._Element:
    parser = html5lib.HTMLParser(
        strict=True, namespaceHTMLElements=False, tree=html5lib.getTreeBuilder("lxml")
    )
    return parser.parse(path.read_bytes()).getroot()  # type: ignore[no-any-return]


def story_links(root: etree._Element) -> list[str]:
    return [a.get("href") or "" for a in root.findall(".//main//article//a")]


@pytest.fixture
def many(story_factory: Callable[..., Story], t0: datetime) -> list[Story]:
    """Seven stories over two days, all from Xinhua but s6, each carried by the same site."""
    return [
        story_factory(
            id=f"s{i}",
            title=f"Story number {i}",
            published=t0 - timedelta(hours=5 * i),
            first_seen=t0 - timedelta(hours=5 * i),
            original_source="AFP" if i == 6 else "Xinhua",
        )
        for i in range(7)
    ]


@pytest.fixture
def paged(tmp_path: Path, many: list[Story], build: Callable[..., BuildResult]) -> Path:
    build(many, tmp_path / "out", per_page=3, search=False)
    return tmp_path / "out"


def test_paginate_numbers_older_pages_from_the_oldest() -> None:
    pages = paginate(list(range(10)), "sources/x.html", 3)
    assert [(p.number, list(chunk)) for p, chunk in pages] == [
        (None, [0, 1, 2, 3]),  # the newest: the partial chunk and the full one before it
        (2, [4, 5, 6]),
        (1, [7, 8, 9]),
    ]
    first, second, oldest = (pager for pager, _ in pages)
    assert (first.newer, first.older, first.oldest) == (
        None,
        "sources/x/2.html",
        "sources/x/1.html",
    )
    assert (second.newer, second.older) == ("sources/x.html", "sources/x/1.html")
    assert (oldest.newer, oldest.older) == ("sources/x/2.html", None)
    assert [p.number for p, _ in paginate([], paths.HOME, 3)] == [None]  # an empty list: one page
    assert [len(c) for _, c in paginate(list(range(6)), paths.HOME, 3)] == [6]
    assert paths.paged_path(paths.HOME, 2) == "page/2.html"
    assert paths.paged_path(paths.ARCHIVE, 3) == "days/page/3.html"


def test_older_pages_keep_their_content_as_the_list_grows() -> None:
    before = {p.number: list(c) for p, c in paginate(list(range(100)), "x.html", 10)}
    after = {p.number: list(c) for p, c in paginate(list(range(-3, 100)), "x.html", 10)}
    for number, chunk in before.items():
        if number is not None:
            assert after[number] == chunk  # an older page never changes...
    assert set(after) - set(before) == {9}  # ...one more is added once the top chunk is full
    assert after[None][:3] == [-3, -2, -1]


def test_home_is_paginated_newest_first(paged: Path) -> None:
    seen = []
    for path in ("index.html", "page/1.html"):
        root = parse(paged / path)
        seen += [href.rsplit("/", 1)[-1] for href in story_links(root)]
    assert seen == [f"s{i}.html" for i in range(7)]
    assert not (paged / "page/2.html").exists()
    older = parse(paged / "page/1.html")
    nav = older.find(".//nav[@class='pager']")
    assert nav is not None
    rels = {a.get("rel"): a.get("href") for a in nav.iter("a") if a.get("rel")}
    assert rels == {"prev": "../index.html"}
    assert "page 1" in (older.findtext(".//title") or "")
    canonical = [link.get("href") for link in older.iter("link") if link.get("rel") == "canonical"]
    assert canonical == [BASE + "page/1.html"]
    first_nav = parse(paged / "index.html").find(".//nav[@class='pager']")
    assert first_nav is not None
    assert [a.get("href") for a in first_nav.iter("a")] == ["page/1.html"]


def test_source_and_agency_pages_are_paginated(paged: Path) -> None:
    gazette = [
        parse(paged / p) for p in ("sources/daily-gazette.html", "sources/daily-gazette/1.html")
    ]
    assert [len(story_links(page)) for page in gazette] == [4, 3]
    assert "7 stories carried by this site" in "".join(gazette[0].itertext())
    assert "7 stories" not in "".join(gazette[1].itertext())  # counts only on the first page
    assert len(story_links(parse(paged / "agencies/xinhua.html"))) == 6  # two chunks: one page
    assert len(story_links(parse(paged / "agencies/afp.html"))) == 1
    assert not (paged / "agencies/afp/1.html").exists()
    index = parse(paged / "agencies/index.html")
    entries = [((a.text or "").strip(), a.get("href")) for a in index.findall(".//main//li/a")]
    assert ("AFP", "afp.html") in entries and ("Xinhua", "xinhua.html") in entries
    assert ("RSS", "xinhua/feed.xml") in entries


def test_archive_is_paginated_by_day(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    build: Callable[..., BuildResult],
) -> None:
    stories = [
        story_factory(
            id=f"d{i}", published=t0 - timedelta(days=i), first_seen=t0 - timedelta(days=i)
        )
        for i in range(5)
    ]
    build(stories, tmp_path / "out", per_page=2, search=False)
    days = []
    for path in ("days/index.html", "days/page/1.html"):
        days += [
            t.get("datetime") for t in parse(tmp_path / "out" / path).findall(".//main//li/a/time")
        ]
    assert days == ["2025-06-02", "2025-06-01", "2025-05-31", "2025-05-30", "2025-05-29"]


def test_day_pages_link_the_neighbouring_days(paged: Path) -> None:
    middle = parse(paged / "days/2025-06-01.html")
    nav = middle.find(".//nav[@class='pager day-pager']")
    assert nav is not None
    rels = {a.get("rel"): a.get("href") for a in nav.iter("a") if a.get("rel")}
    assert rels == {"prev": "2025-05-31.html", "next": "2025-06-02.html"}
    newest = parse(paged / "days/2025-06-02.html").find(".//nav[@class='pager day-pager']")
    assert newest is not None
    assert {a.get("rel") for a in newest.iter("a")} == {"prev", None}


def test_story_page_lists_related_stories_of_the_same_wire_that_day(paged: Path) -> None:
    # s0 is Xinhua's only story of 2 June; s1..s5 are Xinhua's of 1 June; s6 is AFP's
    root = parse(paged / "stories/s1.html")
    related = root.find(".//section[@class='related']")
    assert related is not None
    assert [a.get("href") for a in related.iter("a")] == [f"s{i}.html" for i in (2, 3, 4, 5)]
    assert "More from Xinhua that day" in "".join(related.itertext())
    for lonely in ("s0", "s6"):
        assert parse(paged / f"stories/{lonely}.html").find(".//section[@class='related']") is None
    kicker = root.find(".//p[@class='kicker']//a")
    assert kicker is not None and kicker.get("href") == "../agencies/xinhua.html"


def test_page_links_change_when_a_source_page_moves() -> None:
    """What a rebuild checks before keeping story pages unplanned: the paths of the source and
    agency pages they link to, known from the cards alone."""
    site = SiteView.from_config(SiteConfig(base_url=BASE))
    old = story_views([make_story(id="a"), make_story(id="b", original_source="AFP")], site)
    more = story_views([make_story(id="c")], site)
    clash = replace(make_story().copies[0], source=SITES[0].upper())  # the same slug as SITES[0]
    moved = story_views([make_story(id="c", copies=(clash,))], site)
    assert page_links(old) == page_links([*old, *more])
    assert page_links(old) != page_links([*old, *moved])
    before, after = plan_pages(site, old), plan_pages(site, [*old, *moved])
    assert before.source_paths[SITES[0]] != after.source_paths[SITES[0]]


def test_story_page_shows_the_sources_local_time(site: Path) -> None:
    root = parse(site / "stories/kyiv-talks.html")
    local = root.find(".//span[@class='local']")
    assert local is not None and local.text == "(11:30 UTC+10 at the source)"


def test_every_template_is_rendered_and_parses(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    site = SiteView.from_config(SiteConfig(base_url=BASE))
    views = story_views(stories, site)
    plan = plan_pages(site, views, search=["search-index/shard"])
    first = plan.story_pages()[0]
    view = next(v for v in views if v.id == first.story.id)
    pages = [*plan.pages, first.page(site, view), status_page(site, [])]
    used = {page.template for page in pages}
    templates = {
        p.name for p in default_templates_dir().glob("*.html") if not p.name.startswith("_")
    } - {"base.html"}
    assert templates <= used, templates - used
    build(stories, tmp_path / "out", status=sample_health())
    assert (tmp_path / "out" / paths.STATUS).is_file()
    for page in sorted((tmp_path / "out").rglob("*.html")):
        parse(page)


def test_sources_opml(site: Path) -> None:
    root = etree.fromstring((site / "sources.opml").read_bytes(), etree.XMLParser(recover=False))
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Sources of Test Digest"
    outlines = [(o.get("type"), o.get("text"), o.get("xmlUrl")) for o in root.iter("outline")]
    assert outlines == [
        ("rss", "Daily Gazette", "https://site0.example/rss.xml"),
        ("rss", "Eurasia Review (1)", "https://site1.example/feed/"),
        ("rss", "Eurasia Review (2)", "https://site1.example/asia/feed/"),
    ]  # Pacific Times has no feed to offer
    sources = parse(site / "sources/index.html")
    assert "../sources.opml" in [a.get("href") for a in sources.iter("a")]
