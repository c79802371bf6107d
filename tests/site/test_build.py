"""The built site as a reader (and a crawler) would find it."""

import gc
import itertools
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from crawler.config import Config
from crawler.items import Story
from crawler.site import build_site, default_templates_dir, render
from crawler.site.build import BuildResult
from crawler.site.views import StoryView

from .conftest import indexed_pages, search_bundles

BASE = "https://digest.example.org/news/"
IDS = ["kyiv-talks", "monsoon", "rail-link"]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


SITE_FEEDS = [
    ("application/rss+xml", BASE + "feed.xml"),
    ("application/atom+xml", BASE + "atom.xml"),
    ("application/feed+json", BASE + "feed.json"),
]


def html_pages(root: Path) -> list[Path]:
    """The site's own pages."""
    return sorted(root.rglob("*.html"))


def parse(path: Path) -> etree._Element:
    """Parse strictly: any HTML parse error fails the test."""
    parser = html5lib.HTMLParser(
        strict=True, namespaceHTMLElements=False, tree=html5lib.getTreeBuilder("lxml")
    )
    return parser.parse(path.read_bytes()).getroot()  # type: ignore[no-any-return]


def test_build_result_and_layout(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    result = build(stories, tmp_path / "output")
    assert result.stories == 3 and result.out_dir == tmp_path / "output"
    assert gc.isenabled()  # paused for the build only
    names = set(files(result.out_dir))
    for required in (
        "index.html",
        "404.html",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "sources/index.html",
        "sources.opml",
        "agencies/index.html",
        "agencies/rt-com.html",
        "agencies/rt-com/feed.xml",
        "agencies/pti.html",
        "agencies/pti/feed.xml",
        "days/index.html",
        "days/2025-06-02.html",
        "days/2025-06-01.html",
        "days/2025-05-31.html",
        "search/index.html",
        ".manifest.json",
        *(f"stories/{i}.html" for i in IDS),
    ):
        assert required in names, required
    assert len(list(result.out_dir.glob("sources/*.html"))) == 1 + 5  # the index and five sites
    assert len(list(result.out_dir.glob("agencies/*.html"))) == 1 + 2  # rail-link has no wire
    assert result.pages == len(html_pages(result.out_dir))
    assert result.files == len(names)
    assert result.search and not result.unchanged and result.rendered == result.pages
    assert any(re.fullmatch(r"static/style\.[0-9a-f]{10}\.css", n) for n in names)
    assert any(re.fullmatch(r"static/search\.[0-9a-f]{10}\.js", n) for n in names)
    bundles = search_bundles(result.out_dir)
    assert len(bundles) == 1  # three stories: one shard
    assert bundles[0].parent == result.out_dir / "search-index"
    for name in ("entry.json", "d/0.json", "t/k.json"):  # "Kyiv talks...", a small shard
        assert (bundles[0] / name).is_file(), name
    assert indexed_pages(result.out_dir) == 3


def test_every_html_page_parses_strictly(site: Path) -> None:
    pages = html_pages(site)
    assert len(pages) > 10
    for page in pages:
        parse(page)


def test_every_page_has_its_head(site: Path) -> None:
    for page in html_pages(site):
        root = parse(page)
        rel = page.relative_to(site).as_posix()
        assert root.get("lang") == "en", rel
        head = root.find("head")
        assert head is not None
        assert head.findtext("title"), rel
        metas = {
            (m.get("name") or m.get("property") or m.get("http-equiv")): m.get("content")
            for m in head.iter("meta")
        }
        assert metas["viewport"] == "width=device-width, initial-scale=1"
        assert metas["description"], rel
        csp = metas["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "object-src 'none'" in csp
        if rel == "search/index.html":  # its script and the index it fetches, from the site only
            assert "script-src 'self'" in csp and "connect-src 'self'" in csp
            assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        else:
            assert "script-src 'none'" in csp and "connect-src" not in csp, rel
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert metas[prop], (rel, prop)
        links = [
            (link.get("rel"), link.get("type"), link.get("href")) for link in head.iter("link")
        ]
        canonical = [href for r, _, href in links if r == "canonical"]
        assert len(canonical) == 1 and canonical[0].startswith(BASE), rel
        assert metas["og:url"] == canonical[0]
        alternates = [(t, h) for r, t, h in links if r == "alternate"]
        if rel.startswith("agencies/") and rel != "agencies/index.html":
            slug = rel.removeprefix("agencies/").split("/")[0].removesuffix(".html")
            assert alternates == [
                ("application/rss+xml", f"{BASE}agencies/{slug}/feed.xml"),
                *SITE_FEEDS,
            ]
        else:
            assert alternates == SITE_FEEDS, rel
        body = root.find("body")
        assert body is not None
        assert body.find(".//main") is not None and body.find(".//nav") is not None
        assert body.find("a").get("href") == "#main"  # type: ignore[union-attr]  # skip link
        assert root.find(".//main").get("id") == "main"  # type: ignore[union-attr]
        assert len(root.findall(".//h1")) == 1, rel


def test_headings_never_skip_a_level(site: Path) -> None:
    for page in html_pages(site):
        levels = [int(el.tag[1]) for el in parse(page).iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), page


def test_no_script_and_no_third_party_requests(site: Path) -> None:
    for name, data in files(site).items():
        if name.startswith("search-index/") or name == "search/index.html":
            continue
        assert b"<script" not in data.lower(), name
    for page in html_pages(site):
        root = parse(page)
        scripts = [s.get("src") for s in root.iter("script")]
        if page.relative_to(site).as_posix() == "search/index.html":
            # the only page with a script: the site's own search, a local file
            assert len(scripts) == 1
            assert re.fullmatch(r"\.\./static/search\.[0-9a-f]{10}\.js", scripts[0])
            assert all(not s.text for s in root.iter("script"))  # no inline code
        else:
            assert not scripts, page
        for el in root.iter("link", "img", "iframe", "source", "video", "audio"):
            for attr in ("href", "src"):
                value = el.get(attr)
                rel = el.get("rel")
                if value and rel not in ("canonical", "alternate"):
                    assert not re.match(r"^(https?:)?//", value), (page, value)
        for el in root.iter():
            assert not any(k.startswith("on") for k in el.attrib), page  # no event handlers
            assert "style" not in el.attrib


def test_hostile_text_is_escaped_and_cleaned(site: Path) -> None:
    page = (site / "stories/monsoon.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Monsoon reaches Kerala early" in page
    assert "&lt;b&gt;three days&lt;/b&gt;" in page
    assert "Überraschung — 早い。" in page
    assert "javascript:" not in page
    assert "\x07" not in page and "\x00" not in page and "\x1b" not in page
    root = parse(site / "stories/monsoon.html")
    assert root.findtext(".//h1") == "<script>alert(1)</script> Monsoon reaches Kerala early"


def test_story_page_shows_text_and_every_copy(site: Path) -> None:
    root = parse(site / "stories/kyiv-talks.html")
    article = root.find(".//article")
    assert article is not None
    paragraphs = [
        p.text
        for p in article.iter("p")
        if "lede" in (p.get("class") or "") or p.getparent().get("class") == "story-body"
    ]  # type: ignore[union-attr]
    assert paragraphs == [
        "Delegations met for less than two hours before talks broke off.",
        "The second round ended without a date for the next meeting.",
        "Observers said the prisoner exchange would go ahead regardless.",
    ]
    text = "".join(root.itertext())
    assert "RT.com" in text and "By Jane Doe" in text
    assert article.find(".//time").get("datetime") == "2025-06-02T01:30:00Z"  # type: ignore[union-attr]
    copies = root.findall(".//ol[@class='copy-list']/li")
    assert len(copies) == 5
    assert "Carried by 5 sites" in text
    for i, li in enumerate(copies):
        external = li.find("a[@class='copy-title']")
        assert external is not None
        assert external.get("href") == f"https://site{i}.example/news/kyiv-talks"
        assert external.get("rel") == "noopener noreferrer"
        assert li.find("time") is not None
        assert li.find("a[@class='copy-site']").get("href").startswith("../sources/")  # type: ignore[union-attr]


def test_unsafe_copy_url_is_not_a_link(site: Path) -> None:
    root = parse(site / "stories/monsoon.html")
    items = root.findall(".//ol[@class='copy-list']/li")
    assert len(items) == 3
    hrefs = [a.get("href") for li in items for a in li.iter("a")]
    assert not any(h.startswith("javascript") for h in hrefs)
    assert "<img src=x onerror=alert(4)>" in "".join(root.itertext())


def test_home_groups_by_day_newest_first(site: Path) -> None:
    root = parse(site / "index.html")
    days = root.findall(".//section[@class='day']")
    assert [d.find("h2/a/time").get("datetime") for d in days] == [  # type: ignore[union-attr]
        "2025-06-02",
        "2025-06-01",
        "2025-05-31",
    ]
    assert days[0].findtext("h2/a/time") == "Monday 2 June 2025"
    titles = [[a.get("href") for a in d.findall("article/h3/a")] for d in days]
    assert titles == [[f"stories/{i}.html"] for i in IDS]
    first = days[0].find("article")
    assert first is not None
    text = " ".join("".join(first.itertext()).split())
    assert "Source: RT.com" in text and "carried by 5 sites" in text
    assert "Delegations met" in text
    assert first.find(".//time").get("datetime") == "2025-06-02T01:30:00Z"  # type: ignore[union-attr]
    assert first.findtext(".//time") == "01:30 UTC"


def test_source_pages_list_what_each_site_carried(site: Path) -> None:
    index = parse(site / "sources/index.html")
    names = [a.text for a in index.findall(".//main//li/a")]
    assert names == [
        "Daily Gazette",
        "Eurasia Review",
        "Mumbai Mirror",
        "Pacific Times",
        "The Wire Desk",
    ]
    gazette = parse(site / "sources/daily-gazette.html")
    hrefs = [a.get("href") for a in gazette.findall(".//article//a")]
    assert hrefs == [f"../stories/{i}.html" for i in IDS]
    wire = parse(site / "sources/the-wire-desk.html")
    assert [a.get("href") for a in wire.findall(".//article//a")] == ["../stories/kyiv-talks.html"]


def test_sitemap_lists_every_page(site: Path) -> None:
    root = etree.fromstring((site / "sitemap.xml").read_bytes(), etree.XMLParser(recover=False))
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [loc.text for loc in root.iter(f"{ns}loc")]
    assert len(locs) == len(set(locs))
    expected = set()
    for page in html_pages(site):
        rel = page.relative_to(site).as_posix()
        if rel in ("404.html", "search/index.html"):  # noindex pages
            continue
        if rel == "index.html":
            expected.add(BASE)
        elif rel.endswith("/index.html"):
            expected.add(BASE + rel.removesuffix("index.html"))
        else:
            expected.add(BASE + rel)
    assert set(locs) == expected
    assert BASE + "stories/kyiv-talks.html" in locs


def test_404_links_from_the_site_root(site: Path) -> None:
    root = parse(site / "404.html")
    stylesheet = [link.get("href") for link in root.iter("link") if link.get("rel") == "stylesheet"]
    assert stylesheet[0].startswith("/news/static/style.")
    assert root.find(".//meta[@name='robots']").get("content") == "noindex"  # type: ignore[union-attr]


def test_relative_links_resolve_to_written_files(site: Path) -> None:
    for page in html_pages(site):
        if page.name == "404.html":
            continue
        for el in parse(page).iter("a", "link"):
            href = el.get("href")
            if not href or re.match(r"^[a-z]+:|^#", href):
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            assert target.is_file(), (page, href)


def test_building_twice_is_byte_identical(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    build(stories, tmp_path / "a")
    build(list(reversed(stories)), tmp_path / "b")
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_second_build_replaces_the_first(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    out = tmp_path / "output"
    build(stories, out)
    assert (out / "stories/monsoon.html").exists()
    build([s for s in stories if s.id != "monsoon"], out)
    assert not (out / "stories/monsoon.html").exists()
    assert not (out / "days/2025-06-01.html").exists()
    assert b"monsoon" not in (out / "sources/mumbai-mirror.html").read_bytes()
    assert b"monsoon" not in (out / "feed.xml").read_bytes()
    assert b"monsoon" not in (out / "sitemap.xml").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]  # the first site, kept


def test_failing_build_leaves_the_previous_site(
    tmp_path: Path,
    stories: list[Story],
    build: Callable[..., BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "output"
    build(stories, out)
    before = files(out)
    real_render = render.Renderer.render
    calls = {"n": 0}

    def failing_render(self: render.Renderer, page: render.Page) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("template exploded")
        return real_render(self, page)

    monkeypatch.setattr(render.Renderer, "render", failing_render)
    with pytest.raises(RuntimeError, match="template exploded"):
        build(stories[:1], out)
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert gc.isenabled()  # paused for the build only, failed or not


def test_durable_build_with_default_templates(
    tmp_path: Path, stories: list[Story], config: Config
) -> None:
    assert (default_templates_dir() / "base.html").is_file()
    result = build_site(stories, config, tmp_path / "output")
    assert (result.out_dir / "index.html").is_file()


def test_empty_build(tmp_path: Path, build: Callable[..., BuildResult]) -> None:
    result = build([], tmp_path / "output")
    assert result.stories == 0
    assert "No stories yet." in (tmp_path / "output/index.html").read_text(encoding="utf-8")
    for page in html_pages(tmp_path / "output"):
        parse(page)


def test_custom_templates_dir_and_asset_hash_follow_content(
    tmp_path: Path, stories: list[Story], config: Config
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(default_templates_dir(), templates)
    first = build_site(stories, config, tmp_path / "a", templates_dir=templates, durable=False)
    (templates / "static" / "style.css").write_text("body { color: red; }\n")
    second = build_site(stories, config, tmp_path / "b", templates_dir=templates, durable=False)
    css_a = [p.name for p in (first.out_dir / "static").glob("style.*.css")]
    css_b = [p.name for p in (second.out_dir / "static").glob("style.*.css")]
    assert len(css_a) == len(css_b) == 1 and css_a != css_b
    assert css_b[0] in (second.out_dir / "index.html").read_text(encoding="utf-8")


def test_compiled_templates_are_kept_and_an_edited_one_is_compiled_again(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    shutil.copytree(default_templates_dir(), templates)
    cache.mkdir()
    first = build(stories, tmp_path / "a", templates_dir=templates, cache=cache)
    kept = sorted(cache.iterdir())
    assert kept  # compiled once, for the next build
    base = templates / "base.html"
    base.write_text(base.read_text().replace("<main ", "<main data-edited ", 1))
    second = build(stories, tmp_path / "b", templates_dir=templates, cache=cache)
    assert "data-edited" not in (first.out_dir / "index.html").read_text(encoding="utf-8")
    assert "<main data-edited " in (second.out_dir / "index.html").read_text(encoding="utf-8")
    third = build(stories, tmp_path / "c", cache=cache)  # other templates, the same names
    assert files(third.out_dir) == files(build(stories, tmp_path / "d").out_dir)


def test_a_finished_build_leaves_no_story_to_the_cycle_collector(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    """Everything a build held is freed as it returns: with the collector paused during the
    build, stories kept alive by reference cycles (say, a template's context and its macros)
    would wait for a full collection, which walks all of them (half a second at 10,000)."""
    gc.collect()
    gc.disable()
    try:
        build(stories, tmp_path / "output")
        alive = [o for o in gc.get_objects() if isinstance(o, StoryView | render.Page)]
    finally:
        gc.enable()
    assert alive == []
