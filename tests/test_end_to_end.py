"""The whole pipeline on the demo network: a real Scrapy crawl over loopback, in a subprocess,
then the export, the feeds (read back by feedparser) and the pages checked as a reader would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import feedparser
import html5lib
import pytest

from crawler.demo import DemoNetwork, ExpectedStory
from tests.commands import digest, export


def body(paragraph: str, dateline: str) -> str:
    """An expected paragraph as it should read once the dateline became metadata."""
    return paragraph.removeprefix(dateline).lstrip(" :-–—")


class Crawled:
    def __init__(self, network: DemoNetwork, root: Path) -> None:
        self.network, self.root = network, root
        self.config, self.state, self.out = root / "sources.toml", root / "state", root / "out"
        self.config.write_text(network.config_text(site_title="Demo digest",
                                                   base_url="https://digest.example/"))

    def run(self) -> subprocess.CompletedProcess[str]:
        return digest("run", "--config", str(self.config), "--state", str(self.state),
                      "--out", str(self.out))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Crawled, list[dict]]]:  # type: ignore[type-arg]
    with DemoNetwork() as network:
        run = Crawled(network, tmp_path_factory.mktemp("e2e"))
        result = run.run()
        assert result.returncode == 0, result.stderr[-4000:]
        yield run, export(run.state)


def match(stories: list[dict], expected: ExpectedStory) -> list[dict]:  # type: ignore[type-arg]
    return [s for s in stories if {c["url"] for c in s["copies"]} & expected.urls]


def test_every_story_once_with_all_its_copies(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, stories = crawled
    truth = run.network.expected_stories(1)
    assert len(stories) == len(truth)
    for expected in truth:
        found = match(stories, expected)
        assert len(found) == 1, f"{expected.key}: in {len(found)} stories"
        assert {(c["source"], c["url"]) for c in found[0]["copies"]} == set(expected.copies)


def test_times_and_credits_are_right(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, stories = crawled
    for expected in run.network.expected_stories(1):
        (story,) = match(stories, expected)
        assert story["original_source"] == expected.agency, expected.key
        assert story["published"] == expected.published.isoformat(), expected.key
        assert story["title"] in {title for _, title in expected.titles}


def test_text_is_the_story_and_nothing_else(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, stories = crawled
    boilerplate = [line for lines in run.network.all_boilerplate(1).values() for line in lines]
    for expected in run.network.expected_stories(1):
        (story,) = match(stories, expected)
        text = story["text"]
        for paragraph in expected.paragraphs:
            assert body(paragraph, expected.dateline) in text, (expected.key, paragraph[:60])
        for line in boilerplate:
            assert line not in text, (expected.key, line)
        if expected.dateline:
            assert not text.startswith(expected.dateline)


def test_robots_disallowed_pages_are_never_fetched(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, _ = crawled
    disallowed = run.network.disallowed_urls()
    assert disallowed
    for site in run.network.sites:
        for path in run.network.requested_paths(site.key):
            assert site.base_url.rstrip("/") + path not in disallowed
    agents = {r.user_agent for s in run.network.sites for r in run.network.request_log(s.key)}
    assert all(agent.startswith("syndigest/") and "http" in agent for agent in agents)


def test_feeds_hold_every_story_once(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, stories = crawled
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((run.out / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        assert len(feed.entries) == len(stories)
        assert len({e.id for e in feed.entries}) == len(stories)
        assert {e.title for e in feed.entries} == {s["title"] for s in stories}
        assert all(e.link.startswith("https://digest.example/") for e in feed.entries)
    items = json.loads((run.out / "feed.json").read_text())["items"]
    assert len(items) == len(stories)


def test_pages_parse_and_show_each_story(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, stories = crawled
    parser = html5lib.HTMLParser(strict=True)
    pages = sorted(run.out.rglob("*.html"))
    assert len(pages) >= len(stories) + 2
    for page in pages:
        parser.parse(page.read_bytes())
    home = (run.out / "index.html").read_text()
    for story in stories:
        assert story["id"] in home or any(story["id"] in p.name for p in pages)
    sitemap = (run.out / "sitemap.xml").read_text()
    assert "https://digest.example/" in sitemap


def test_second_run_adds_the_new_story_and_keeps_ids(crawled: tuple[Crawled, list[dict]]) -> None:  # type: ignore[type-arg]
    run, before = crawled
    run.network.set_phase(2)
    run.network.clear_requests()
    result = run.run()
    assert result.returncode == 0, result.stderr[-4000:]
    after = export(run.state)
    assert len(after) == len(before) + 1
    old = {s["id"]: s for s in before}
    for story in after:
        if story["id"] in old:
            assert story == old[story["id"]]
    (new,) = [s for s in after if s["id"] not in old]
    (expected,) = [e for e in run.network.expected_stories(2) if e.phase == 2]
    assert {c["url"] for c in new["copies"]} == set(expected.urls)
    feed = feedparser.parse((run.out / "feed.xml").read_bytes())
    assert feed.entries[0].title == new["title"]  # newest announced first
    # Politeness: unchanged discovery documents answered 304 to conditional requests, and no
    # article page stored by the first run was fetched again.
    records = [r for s in run.network.sites for r in run.network.request_log(s.key)]
    assert any(r.status == 304 and r.if_none_match for r in records)
    old_urls = {c["url"].split("?")[0] for s in before for c in s["copies"]}
    refetched = [s.base_url.rstrip("/") + r.path for s in run.network.sites
                 for r in run.network.request_log(s.key)
                 if s.base_url.rstrip("/") + r.path.split("?")[0] in old_urls]
    assert refetched == []


def test_digest_demo_command(tmp_path: Path) -> None:
    result = digest("demo", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-4000:]
    assert str(tmp_path / "output") in result.stdout
    feed = feedparser.parse((tmp_path / "output" / "feed.xml").read_bytes())
    with DemoNetwork() as network:
        expected = network.expected_stories(1)
    assert not feed.bozo and len(feed.entries) == len(expected)
    assert {e.title for e in feed.entries} <= {t for s in expected for _, t in s.titles}
