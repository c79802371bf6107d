"""The demo network over real loopback HTTP: serving, discovery documents, ground truth, phases."""

from __future__ import annotations

import html
import json
import re
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest

from crawler.config import parse_config
from crawler.demo import DemoNetwork, ExpectedStory

# No proxy, ever: a proxy from the environment would take requests off loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch_url(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Response:
    """GET (or HEAD) a URL without following anything clever; 4xx/3xx come back as responses."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())
    except HTTPError as error:
        return Response(error.code, error.headers, error.read())


_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
           "article", "header", "footer", "nav", "aside", "main", "title", "figure", "form",
           "body", "html", "head"}


class PageParser(HTMLParser):
    """Visible text split into blocks, plus links, canonical URL and JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._script_type = ""
        self.jsonld: list[str] = []
        self.links: list[tuple[str, str, dict[str, str]]] = []
        self.canonical = ""

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current)).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
            self._script_type = values.get("type", "")
            return
        if tag in _BLOCKS:
            self._flush()
        for attr in ("href", "src"):
            if attr in values:
                self.links.append((tag, values[attr], values))
        if tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
            return
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._script_type == "application/ld+json":
                self.jsonld.append(data)
            return
        self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_page(html_text: str) -> PageParser:
    parser = PageParser()
    parser.feed(html_text)
    parser.close()
    return parser


Fetch = Callable[..., Response]


@pytest.fixture
def fetch() -> Fetch:
    return fetch_url

ATOM_NS = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def copies_on(stories: list[ExpectedStory], site_name: str) -> set[str]:
    return {url for story in stories for name, url in story.copies if name == site_name}


def robots_for(network: DemoNetwork, key: str) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(fetch_url(network.site(key).base_url + "robots.txt").text.splitlines())
    return parser


# -- discovery, one helper per method: returns every linked URL (query kept) --


def rss_links(url: str) -> list[str]:
    root = ET.fromstring(fetch_url(url).body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return [item.findtext("link", "") for item in root.iter("item")]


def atom_links(url: str) -> list[str]:
    root = ET.fromstring(fetch_url(url).body)
    assert root.tag == f"{ATOM_NS}feed"
    links = []
    for entry in root.iter(f"{ATOM_NS}entry"):
        published = entry.findtext(f"{ATOM_NS}published", "")
        assert re.search(r"[+-]\d\d:\d\d$", published), published
        links += [link.get("href", "") for link in entry.iter(f"{ATOM_NS}link")
                  if link.get("rel", "alternate") == "alternate"]
    return links


def sitemap_links(url: str, seen: list[str] | None = None) -> list[str]:
    """Locations of every page in a sitemap or sitemap index (indexes followed)."""
    response = fetch_url(url)
    assert response.status == 200 and response.headers["Content-Type"].startswith("application/xml")
    if seen is not None:
        seen.append(response.text)
    root = ET.fromstring(response.body)
    locs = [loc.text or "" for loc in root.iter(f"{SITEMAP_NS}loc")]
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        return [page for child in locs for page in sitemap_links(child, seen)]
    assert root.tag == f"{SITEMAP_NS}urlset"
    return locs


def listing_links(url: str) -> tuple[list[str], list[list[str]]]:
    """All links of a paginated listing (following rel=next) and the article links per page."""
    every: list[str] = []
    per_page: list[list[str]] = []
    pattern = re.compile(r"/news/\d{4}/")
    while url:
        parsed = parse_page(fetch_url(url).text)
        hrefs = [urljoin(url, href) for tag, href, _ in parsed.links if tag == "a"]
        every += hrefs
        per_page.append(sorted({h for h in hrefs if pattern.search(h)}))
        nexts = [urljoin(url, href) for tag, href, attrs in parsed.links
                 if tag == "a" and attrs.get("rel") == "next"]
        url = nexts[0] if nexts else ""
    return every, per_page


def discovered_articles(network: DemoNetwork, key: str) -> set[str]:
    """Article URLs (query stripped) a polite crawler finds on one site by its discovery method."""
    site = network.site(key)
    if site.discovery == "rss":
        links = [link for feed in site.feeds for link in rss_links(feed)]
    elif site.discovery == "atom":
        links = [link for feed in site.feeds for link in atom_links(feed)]
    elif site.discovery == "sitemap":
        links = [link for sitemap in site.sitemaps for link in sitemap_links(sitemap)]
    else:
        links = [link for start in site.start_urls for link in listing_links(start)[0]]
    robots = robots_for(network, key)
    pattern = re.compile(site.article_pattern)
    return {strip_query(link) for link in links
            if link.startswith(site.base_url) and pattern.search(link)
            and robots.can_fetch("syndigest-test", link)}


# -- the sites --


def test_sites_have_own_loopback_addresses_and_every_discovery_method(
        network: DemoNetwork) -> None:
    sites = network.sites
    assert len(sites) >= 4
    assert len({site.host for site in sites}) == len(sites)
    assert all(site.host.startswith("127.") and site.port > 0 for site in sites)
    assert {site.discovery for site in sites} == {"rss", "sitemap", "listing", "atom"}
    assert network.site("Neva Evening Star") == network.site("neva")
    with pytest.raises(KeyError):
        network.site("nope")


def test_robots_txt_on_every_site(network: DemoNetwork, fetch: Fetch) -> None:
    for site in network.sites:
        response = fetch(site.base_url + "robots.txt")
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "User-agent: *" in response.text
    assert "Disallow: /private/" in fetch(network.site("neva").base_url + "robots.txt").text
    riverside = network.site("riverside")
    robots = fetch(riverside.base_url + "robots.txt").text
    assert f"Sitemap: {riverside.sitemaps[0]}" in robots.splitlines()


def test_content_types_and_404(network: DemoNetwork, fetch: Fetch) -> None:
    neva, riverside = network.site("neva"), network.site("riverside")
    xinhua, deccan = network.site("xinhua"), network.site("deccan")
    assert fetch(neva.feeds[0]).headers["Content-Type"].startswith("application/rss+xml")
    assert fetch(xinhua.feeds[0]).headers["Content-Type"].startswith("application/atom+xml")
    assert fetch(riverside.sitemaps[0]).headers["Content-Type"].startswith("application/xml")
    listing = fetch(deccan.start_urls[0])
    assert listing.headers["Content-Type"] == "text/html; charset=utf-8"
    for story in network.expected_stories():
        for _, url in story.copies:
            assert fetch(url).headers["Content-Type"] == "text/html; charset=utf-8"
    for site in network.sites:
        missing = fetch(site.base_url + "no/such/page.html")
        assert missing.status == 404
        assert missing.headers["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(deccan.base_url + "news/page/9/").status == 404


def test_every_discovery_method_lists_exactly_the_expected_copies(network: DemoNetwork) -> None:
    stories = network.expected_stories(1)
    for site in network.sites:
        assert discovered_articles(network, site.key) == copies_on(stories, site.name), site.name


def test_rss_feed_has_tracking_links_and_a_disallowed_item(network: DemoNetwork,
                                                           fetch: Fetch) -> None:
    neva = network.site("neva")
    links = rss_links(neva.feeds[0])
    tracked = [link for link in links if "utm_source=" in link]
    assert tracked and len(tracked) < len(links)
    for link in tracked:
        page = fetch(link)
        assert page.status == 200
        assert page.body == fetch(strip_query(link)).body
        assert parse_page(page.text).canonical == strip_query(link)
    [private] = network.disallowed_urls()
    assert private in links
    assert re.search(neva.article_pattern, private), "only robots.txt may keep it out"
    assert not robots_for(network, "neva").can_fetch("syndigest-test", private)
    assert all(robots_for(network, "neva").can_fetch("syndigest-test", link)
               for link in links if link != private)


def test_feeds_parse_with_feedparser(network: DemoNetwork) -> None:
    feedparser = pytest.importorskip("feedparser")
    for key, version in (("neva", "rss20"), ("xinhua", "atom10")):
        parsed = feedparser.parse(fetch_url(network.site(key).feeds[0]).body)
        assert parsed.version == version and not parsed.bozo
        assert all(entry.published_parsed and entry.link for entry in parsed.entries)


def test_sitemap_chain_from_robots(network: DemoNetwork) -> None:
    riverside = network.site("riverside")
    bodies: list[str] = []
    pages = sitemap_links(riverside.sitemaps[0], bodies)
    assert len(bodies) == 3  # the index, the news sitemap, the plain sitemap
    news = [body for body in bodies if NEWS_NS in body]
    assert len(news) == 1 and "<news:publication_date>" in news[0]
    pattern = re.compile(riverside.article_pattern)
    assert any(not pattern.search(page) for page in pages), "plain sitemap lists non-articles"
    expected = copies_on(network.expected_stories(1), riverside.name)
    assert {page for page in pages if pattern.search(page)} == expected


def test_listing_pagination(network: DemoNetwork) -> None:
    deccan = network.site("deccan")
    every, per_page = listing_links(deccan.start_urls[0])
    assert len(per_page) == 2 and all(1 <= len(page) <= 3 for page in per_page)
    assert per_page[0] and len(per_page[0]) == 3
    assert deccan.base_url + "about/" in every
    assert any(not link.startswith(deccan.base_url) for link in every), "an off-site link"
    found = {link for page in per_page for link in page}
    assert found == copies_on(network.expected_stories(1), deccan.name)


# -- the ground truth --


def test_corpus_shape(network: DemoNetwork) -> None:
    phase1 = network.expected_stories(1)
    assert len(phase1) >= 8
    assert {s.agency for s in phase1} >= {"RT.com", "ANI", "Xinhua", "Reuters"}
    for story in phase1:
        assert len(story.copies) >= 2, story.key
        assert 5 <= len(story.paragraphs) <= 8, story.key
        assert story.published.utcoffset() == timedelta(0)
        assert story.headline and story.lede
        assert story.text == "\n\n".join(story.paragraphs)
        if story.dateline:
            assert story.paragraphs[0].startswith(story.dateline + " ")
    variants = [(s.headline, s.title_at(url)) for s in phase1 for url in s.urls
                if s.title_at(url) != s.headline]
    assert len(variants) >= 3
    assert any("Kiev" in agency and "Kyiv" in shown for agency, shown in variants)
    assert len({story.key for story in phase1}) == len(phase1)


def test_hard_negatives_share_one_paragraph_only(network: DemoNetwork) -> None:
    stories = {story.key: story for story in network.expected_stories(1)}
    pairs = network.hard_negatives()
    assert pairs
    for first_key, second_key in pairs:
        first, second = stories[first_key], stories[second_key]
        assert first.agency == second.agency
        assert first.dateline.split(":")[0].split(",")[-1] == second.dateline.split(":")[0].split(
            ",")[-1]  # same "June 2 (ANI)" day
        assert first.published.date() == second.published.date()
        shared = set(first.paragraphs) & set(second.paragraphs)
        assert len(shared) == 1
        assert first.headline != second.headline
        assert first.sites & second.sites, "both appear on a common site"


def test_article_pages_carry_the_story(network: DemoNetwork, fetch: Fetch) -> None:
    for story in network.expected_stories(1):
        for site_name, url in story.copies:
            response = fetch(url)
            assert response.status == 200
            parsed = parse_page(response.text)
            assert parsed.canonical == url
            assert story.title_at(url) in parsed.blocks, (site_name, url)
            for paragraph in story.paragraphs:
                assert paragraph in parsed.blocks, (site_name, paragraph[:40])


def test_published_instant_on_each_site(network: DemoNetwork, fetch: Fetch) -> None:
    """Each site shows the publication instant its own way; all agree with the truth."""
    for story in network.expected_stories(1):
        for site_name, url in story.copies:
            html_text = fetch(url).text
            parsed = parse_page(html_text)
            if site_name == "Neva Evening Star":
                local = story.published.astimezone(timezone(network.site("neva").utc_offset))
                assert local.strftime("%d %b %Y, %H:%M GMT+10") in parsed.blocks
                continue
            if site_name == "Deccan Daily Ledger":
                [article] = [json.loads(block) for block in parsed.jsonld
                             if '"NewsArticle"' in block]
                assert article["headline"] == story.title_at(url)
                assert article["author"]["name"] == story.agency
                stamp = article["datePublished"]
            else:
                match = re.search(r'article:published_time" content="([^"]+)"', html_text)
                assert match, site_name
                stamp = match.group(1)
            when = datetime.fromisoformat(stamp)
            assert when == story.published
            assert when.utcoffset() == network.site(site_name).utc_offset


def test_boilerplate_is_on_the_pages_and_never_in_a_story(network: DemoNetwork,
                                                          fetch: Fetch) -> None:
    stories = network.expected_stories(2)
    story_text = [s.headline for s in stories] + [s.lede for s in stories]
    story_text += [title for s in stories for _, title in s.titles]
    story_text += [p for s in stories for p in s.paragraphs]
    for site in network.sites:
        lines = network.boilerplate(site.key)
        assert len(lines) >= 3, site.name
        pages: list[PageParser] = [parse_page(fetch(url).text)
                                   for url in copies_on(stories[:-1], site.name)]
        page_text = "\n".join(block for page in pages for block in page.blocks)
        for line in lines:
            assert line in page_text, (site.name, line)
            assert not any(line in text for text in story_text), (site.name, line)
    assert "ADVERTISEMENT" in network.boilerplate("deccan")
    assert any(line.endswith("...") for line in network.boilerplate("neva"))
    assert set(network.all_boilerplate()) == {site.name for site in network.sites}


# -- HTTP behaviour --


def test_conditional_requests(network: DemoNetwork, fetch: Fetch) -> None:
    story = network.expected_stories(1)[0]
    urls = [*sorted(story.urls), network.site("neva").feeds[0], network.site("xinhua").feeds[0], network.site("riverside").sitemaps[0], network.site("deccan").start_urls[0]]
    for url in urls:
        first = fetch(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert etag and modified
        again = fetch(url, {"If-None-Match": etag})
        assert again.status == 304 and again.body == b""
        assert again.headers["ETag"] == etag
        assert fetch(url, {"If-None-Match": f'W/{etag}, "other"'}).status == 304
        assert fetch(url, {"If-None-Match": '"stale"'}).status == 200
        assert fetch(url, {"If-Modified-Since": modified}).status == 304
        older = parsedate_to_datetime(modified) - timedelta(seconds=1)
        assert fetch(url, {"If-Modified-Since": format_datetime(older, usegmt=True)}).status == 200
        assert fetch(url, {"If-Modified-Since": "garbage"}).status == 200
        # If-None-Match wins over If-Modified-Since
        assert fetch(url, {"If-None-Match": '"stale"', "If-Modified-Since": modified}).status == 200
        head = fetch(url, method="HEAD")
        assert head.status == 200 and head.body == b""
        assert int(head.headers["Content-Length"]) == len(first.body)


def test_request_log_and_quiet_serving(network: DemoNetwork, fetch: Fetch,
                                       capfd: pytest.CaptureFixture[str]) -> None:
    neva = network.site("neva")
    network.clear_requests()
    fetch(neva.base_url + "robots.txt", {"User-Agent": "demo-test/1"})
    fetch(neva.base_url + "about/?utm_source=x")
    fetch(neva.base_url + "missing")
    assert network.requested_paths("neva") == ["/robots.txt", "/about/?utm_source=x", "/missing"]
    log = network.request_log("Neva Evening Star")
    assert [record.status for record in log] == [200, 200, 404]
    assert log[0].user_agent == "demo-test/1" and log[0].method == "GET"
    assert network.requested_paths("riverside") == []
    private_path = urlsplit(network.disallowed_urls()[0]).path
    assert private_path not in network.requested_paths("neva")
    captured = capfd.readouterr()
    assert captured.err == ""


def crawl_site(network: DemoNetwork, key: str) -> dict[str, Response]:
    """Every same-site URL reachable from the site's root and discovery documents, fetched
    (robots.txt obeyed, query strings and fragments dropped)."""
    site = network.site(key)
    robots = robots_for(network, key)
    queue = [site.base_url, *site.feeds, *site.sitemaps, *site.start_urls]
    fetched: dict[str, Response] = {}
    while queue:
        url = strip_query(queue.pop())
        if url in fetched or not url.startswith(site.base_url):
            continue
        assert robots.can_fetch("syndigest-test", url), url
        response = fetched[url] = fetch_url(url)
        content_type = response.headers["Content-Type"]
        if content_type.startswith("text/html"):
            links = [urljoin(url, href) for _, href, _ in parse_page(response.text).links]
        elif "xml" in content_type:
            links = re.findall(r"<(?:link|loc)>([^<]+)<", response.text)
            links += re.findall(r'<link[^>]*href="([^"]+)"', response.text)
        else:
            links = []
        queue += [link for link in links if robots.can_fetch("syndigest-test", link)]
    return fetched


def test_no_broken_internal_links(network: DemoNetwork) -> None:
    """Every same-site link of every page resolves; robots-disallowed ones are not followed."""
    for site in network.sites:
        pages = crawl_site(network, site.key)
        assert len(pages) >= 8, site.name
        broken = [url for url, response in pages.items() if response.status != 200]
        assert not broken, broken
        assert not set(network.disallowed_urls()) & set(pages)


# -- configuration --


def test_config_text_validates(network: DemoNetwork) -> None:
    text = network.config_text(site_title='Demo "digest"', base_url="http://127.0.0.1:9000")
    config = parse_config(text)
    assert config.site.title == 'Demo "digest"'
    assert config.site.base_url == "http://127.0.0.1:9000/"
    assert config.crawl.download_delay == 0 and config.crawl.autothrottle is False
    assert [s.name for s in config.sources] == [site.name for site in network.sites]
    assert network.config().sources == parse_config(network.config_text()).sources
    stories = network.expected_stories(2)
    for site in network.sites:
        source = config.source(site.name)
        assert source.hosts == {site.host}
        assert source.feeds == site.feeds and source.sitemaps == site.sitemaps
        assert source.start_urls == site.start_urls
        for url in copies_on(stories, site.name):
            assert source.is_article_url(url), url
        for url in (*site.feeds, *site.sitemaps, *site.start_urls, site.base_url,
                    site.base_url + "about/", site.base_url + "robots.txt"):
            assert not source.is_article_url(url), url
    deccan = config.source("Deccan Daily Ledger")
    assert not deccan.is_article_url(network.site("deccan").base_url + "news/page/2/")


# -- lifecycle and phases (each test with its own network) --


def test_lifecycle() -> None:
    net = DemoNetwork()
    with pytest.raises(RuntimeError):
        net.config_text()
    with pytest.raises(ValueError):
        net.start(phase=3)
    net.start()
    try:
        url = net.site("xinhua").feeds[0]
        assert fetch_url(url).status == 200
        with pytest.raises(RuntimeError):
            net.start()
        with pytest.raises(ValueError):
            net.set_phase(0)
    finally:
        net.stop()
    net.stop()
    assert not net.running
    with pytest.raises(URLError):
        fetch_url(url)


def test_phase_two_publishes_one_story_and_changes_nothing_else() -> None:
    with DemoNetwork() as net:
        assert net.phase == 1
        before = net.expected_stories(1)
        after = net.expected_stories(2)
        [new] = [story for story in after if story.key not in {s.key for s in before}]
        assert len(after) == len(before) + 1 and new.phase == 2
        assert len(new.copies) >= 2
        assert new.published > max(story.published for story in before)
        assert [s for s in after if s.key != new.key] == before

        phase1_urls = [url for story in before for url in sorted(story.urls)]
        fixed = phase1_urls + [site.base_url + "robots.txt" for site in net.sites]
        snapshot = {url: fetch_url(url) for url in fixed}
        discovered = {site.key: discovered_articles(net, site.key) for site in net.sites}
        indexes = [net.site("neva").feeds[0], net.site("xinhua").feeds[0],
                   net.site("deccan").start_urls[0]]
        index_etags = {url: fetch_url(url).headers["ETag"] for url in indexes}
        for url in new.urls:
            assert fetch_url(url).status == 404
        future = [path for url in new.urls for path in (urlsplit(url).path,)]
        future += [title for _, title in new.titles] + [new.lede]
        for site in net.sites:
            for url, response in crawl_site(net, site.key).items():
                text = html.unescape(response.body.decode("utf-8", "replace"))
                assert not [f for f in future if f in text], (url, "phase 2 leaked")

        net.set_phase(2)
        assert net.phase == 2 and net.expected_stories() == after
        for url, old in snapshot.items():
            now = fetch_url(url)
            assert now.status == 200 and now.body == old.body, url
            assert now.headers["ETag"] == old.headers["ETag"]
            assert fetch_url(url, {"If-None-Match": old.headers["ETag"]}).status == 304
        for site in net.sites:
            added = discovered_articles(net, site.key) - discovered[site.key]
            assert discovered[site.key] <= discovered_articles(net, site.key)
            assert added == {url for name, url in new.copies if name == site.name}, site.name
        for _site_name, url in new.copies:
            page = fetch_url(url)
            assert page.status == 200
            assert new.title_at(url) in parse_page(page.text).blocks
        for url, etag in index_etags.items():
            assert fetch_url(url, {"If-None-Match": etag}).status == 200, url
        _, per_page = listing_links(net.site("deccan").start_urls[0])
        assert len(per_page) == 3 and all(len(page) <= 3 for page in per_page)

        net.set_phase(1)
        assert all(fetch_url(url).status == 404 for url in new.urls)
