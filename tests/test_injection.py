"""No injection, end to end: a network of fixture sites serves every vector of
`fixtures/injection_vectors.json` in every field a source controls (body, title, og and JSON-LD
metadata, canonical URL, URL path and query, site name), a real `digest run` crawls and builds it,
and no page or feed of the result would run or load anything but the project's own scripts.

Run with `-s` (or read the figures at the end of the session) for the counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from crawler.site import paths
from crawler.site.assets import load_assets
from crawler.site.build import default_templates_dir
from tests.commands import digest, export
from tests.figures import record
from tests.injection import (
    Finding,
    html_findings,
    json_feed_findings,
    load_vectors,
    runs_script,
    xml_feed_findings,
)
from tests.sites import FixtureSite, Reply, html, xml
from tests.spiders.test_digest_crawl import prose

VECTORS = load_vectors()
HOSTS = ("127.0.0.51", "127.0.0.52", "127.0.0.53", "127.0.0.54")
# Site names are the config's, but a digest's operator copies them from the sites themselves.
SITE_NAMES = (
    '"><img src=x onerror=alert(1)> Gazette',
    "</title><script>alert(1)</script> Herald",
    "<svg onload=alert(1)> ]]> Times & Co",
    "javascript:alert(1) ' onfocus='alert(2)",
)
AGENCIES = ("ANI", "AFP", "Xinhua", "PTI")
# Where each vector goes on its page and in its site's feed.
PLACES = (
    "title",
    "og:title",
    "h1",
    "meta author",
    "og:site_name",
    "canonical URL",
    "JSON-LD headline",
    "JSON-LD author",
    "body markup",
    "body text",
    "URL path",
    "URL query",
    "feed item title",
)
ALLOW_ALL = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
OWN_HOST = "127.0.0.1"
_ARTICLE = re.compile(r"^/news/(\d+)/")
_URL_SAFE = "/'();:=!*,$@&+~"  # left raw by clients, so they reach the digest as they are


def article(site: FixtureSite, index: int) -> Reply:
    """Article `index`: its vector in the title, metadata, canonical URL, byline and body."""
    vector = VECTORS[index]
    title = f"Report {index}: {vector}"
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "author": {"@type": "Person", "name": vector},
            "datePublished": "2025-06-02T11:30:00+10:00",
        }
    ).replace("</", "<\\/")
    paragraphs = "".join(f"<p>{text}</p>" for text in prose(f"Vector{index}", 4))
    return html(
        f"<!doctype html><html lang='en'><head><title>{escape(title)} | Site</title>"
        f"<meta property='og:title' content='{escape(title)}'>"
        f"<meta name='author' content='{escape(vector)}'>"
        f"<meta property='og:site_name' content='{escape(vector)}'>"
        f"<link rel='canonical' href='{escape(site.url(f'/news/{index}/') + vector)}'>"
        f"<meta property='article:published_time' content='2025-06-02T11:30:00+10:00'>"
        f"<script type='application/ld+json'>{ld}</script></head>"
        f"<body><article><h1>{escape(title)}</h1>{paragraphs}"
        f"<p>Witnesses quoted the message {escape(vector)} word for word on Monday.</p>"
        f"{vector}<p>More of the report follows the quoted message, officials said.</p>"
        f"<p>({AGENCIES[index % len(AGENCIES)]})</p></article></body></html>"
    )


def serve_article(site: FixtureSite, handler: object) -> Reply:
    match = _ARTICLE.match(unquote(site.requests[-1]))
    if not match or int(match[1]) >= len(VECTORS):
        return 404, {"Content-Type": "text/plain"}, b"no"
    return article(site, int(match[1]))


def feed(site: FixtureSite, indexes: range) -> Reply:
    links = [
        site.url(
            f"/news/{i}/{quote(VECTORS[i], safe=_URL_SAFE)}?q={quote(VECTORS[i], safe=_URL_SAFE)}"
        )
        for i in indexes
    ]
    items = "".join(
        f"<item><title>{escape(VECTORS[i])}</title><link>{escape(link)}</link></item>"
        for i, link in zip(indexes, links, strict=True)
    )
    return xml(f"<rss version='2.0'><channel><title>Feed</title>{items}</channel></rss>")


@pytest.fixture(scope="module")
def network() -> Iterator[list[FixtureSite]]:
    sites = [FixtureSite(host).start() for host in HOSTS]
    for number, site in enumerate(sites):
        site.fallback = serve_article
        site.routes["/robots.txt"] = ALLOW_ALL
        site.routes["/feed.xml"] = feed(site, range(number, len(VECTORS), len(sites)))
    yield sites
    for site in sites:
        site.stop()


@pytest.fixture(scope="module")
def built(
    network: list[FixtureSite], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """(state, output) of one crawl and build of the whole network."""
    folder = tmp_path_factory.mktemp("injection")
    config, state, out = folder / "sources.toml", folder / "state", folder / "out"
    sources = "".join(
        f"[[sources]]\nname = {json.dumps(name, ensure_ascii=False)}\n"
        f"feeds = [\"{site.url('/feed.xml')}\"]\narticle_pattern = '/news/\\d+/'\n"
        for name, site in zip(SITE_NAMES, network, strict=True)
    )
    config.write_text(
        f"""
[site]
title = {json.dumps(SITE_NAMES[1] + " Digest")}
description = {json.dumps(VECTORS[0] + " " + SITE_NAMES[0])}
base_url = "http://{OWN_HOST}:8000/"
feed_items = {len(VECTORS) + 10}

[crawl]
download_delay = 0
autothrottle = false
concurrent_per_domain = 8
retry_times = 0
timeout = 20

{sources}""",
        encoding="utf-8",
    )
    result = digest("run", "--config", str(config), "--state", str(state), "--out", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return state, out


def own_scripts(page: str) -> set[str]:
    """The exact `src` of the project's own scripts, as the search page links them."""
    if page != paths.SEARCH:
        return set()
    assets = load_assets(default_templates_dir())
    return {paths.relative_url(page, assets["search.js"].path)}


def site_findings(out: Path) -> tuple[list[Finding], dict[str, int]]:
    """Every injection in every page and feed of a built site, and how many of each were read."""
    found: list[Finding] = []
    read = {"pages": 0, "feeds": 0, "other xml": 0}
    for file in sorted(out.rglob("*")):
        name = file.relative_to(out).as_posix()
        if file.suffix == ".html":
            markup = file.read_text(encoding="utf-8")
            found += html_findings(
                markup,
                name,
                OWN_HOST,
                own_scripts=own_scripts(name),
                own_form="search" if name == paths.SEARCH else None,
            )
            read["pages"] += 1
        elif name == paths.JSON_FEED:
            found += json_feed_findings(file.read_bytes(), name, OWN_HOST)
            read["feeds"] += 1
        elif name in (paths.RSS, paths.ATOM) or re.fullmatch(r"agencies/[^/]+/feed\.xml", name):
            found += xml_feed_findings(file.read_bytes(), name, OWN_HOST)
            read["feeds"] += 1
        elif file.suffix in (".xml", ".opml"):
            found += xml_feed_findings(file.read_bytes(), name, OWN_HOST)  # sitemap, OPML
            read["other xml"] += 1
    return found, read


def stored_vectors(state: Path) -> dict[int, dict]:  # type: ignore[type-arg]
    """The stories of the crawl by the vector they were served with."""
    stories: dict[int, dict] = {}  # type: ignore[type-arg]
    for story in export(state):
        for copy in story["copies"]:
            if match := _ARTICLE.match(unquote(urlsplit(copy["url"]).path)):
                stories[int(match[1])] = story
    return stories


def test_no_vector_gets_through(built: tuple[Path, Path]) -> None:
    state, out = built
    stories = stored_vectors(state)
    titled = [i for i, s in stories.items() if s["title"].startswith(f"Report {i}:")]
    found, read = site_findings(out)
    for finding in found:
        print(finding)
    figures = {
        "injection vectors": len(VECTORS),
        "hostile values served (vectors x places + site names)": len(VECTORS) * len(PLACES)
        + len(SITE_NAMES),
        "vectors stored as stories": len(stories),
        "vectors shown in titles": len(titled),
        "pages checked": read["pages"],
        "feeds checked": read["feeds"],
        "injections through": len(found),
    }
    for name, value in figures.items():
        record(name, value)
    print("\n" + ", ".join(f"{name}: {value}" for name, value in figures.items()))
    print("not stored:", [VECTORS[i] for i in range(len(VECTORS)) if i not in stories])
    # The test means something only if the hostile text reached the site.
    assert len(stories) >= 0.9 * len(VECTORS), sorted(set(range(len(VECTORS))) - set(stories))
    assert len(titled) >= 0.8 * len(stories)
    assert read["pages"] > len(stories) and read["feeds"] >= 4
    assert found == []


def test_hostile_text_is_shown_as_text(built: tuple[Path, Path]) -> None:
    """The markup of a vector reaches readers as the characters it was, escaped, not dropped."""
    state, out = built
    stories = stored_vectors(state)
    index = VECTORS.index("<script>alert(1)</script>")
    page = (out / paths.story_path(stories[index]["id"])).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not any(runs_script(s["url"]) for s in stories.values())


def test_hostile_site_names_keep_their_report(built: tuple[Path, Path]) -> None:
    """A name with `/`, quotes or markup is still one source in the report, with its counts."""
    state, _ = built
    report = json.loads((state / "report.json").read_text(encoding="utf-8"))
    counted = {s["name"]: (s["status"], s["articles"]) for s in report["sources"]}
    assert set(counted) == set(SITE_NAMES)
    assert all(status == "ok" and articles > 0 for status, articles in counted.values()), counted
