"""The status page: every source with its last run, last success, yield chart and warning."""

from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path

from lxml import etree

from crawler.items import Story
from crawler.site import paths
from crawler.site.build import BuildResult
from crawler.status import SourceHealth

from .conftest import sample_health
from .test_pages import parse

SVG = "{http://www.w3.org/2000/svg}"


def rows(site: Path) -> list[etree._Element]:
    return parse(site / paths.STATUS).findall(".//table/tbody/tr")


def test_failing_sources_come_first_with_their_warning(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    build(stories, tmp_path, status=sample_health())
    table = rows(tmp_path)
    assert [r.findtext("th") for r in table] == ["Eurasia Review", "Daily Gazette", "Pacific Times"]
    failing = table[0]
    assert failing.get("class") == "attention"
    assert "failing: no answer in the last 3 run(s)" in "".join(failing.find("th").itertext())
    cells = failing.findall("td")
    assert cells[0].findtext("span") == "failed"
    assert cells[1].find("time").get("datetime") == "2025-06-01T22:30:00Z"  # T0 - 3 h, in UTC
    chart = cells[2].find(f"{SVG}svg")
    assert chart.get("aria-label") == "Articles per run, oldest first: 4, 6, 0, 0, 0"
    heights = [int(rect.get("height")) for rect in chart.findall(f"{SVG}rect")]
    assert heights[1] > heights[0] > heights[2] == heights[3] == 1  # scaled, empty runs a sliver
    assert [r.get("class") for r in chart.findall(f"{SVG}rect")][2:] == ["empty"] * 3
    never = table[2].findall("td")
    assert never[1].text == "never" and never[2].findtext("span") == "not crawled yet"
    intro = parse(tmp_path / paths.STATUS).findtext(".//p[@class='intro']")
    assert intro.startswith("1 of 3 sources need attention.")


def test_source_names_are_escaped(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    hostile = replace(sample_health()[0], name='<script>alert(1)</script>"', warning="<b>x</b>")
    build(stories, tmp_path, status=[hostile])
    html = (tmp_path / paths.STATUS).read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_a_new_run_updates_the_status_page(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    build(stories, tmp_path, status=sample_health())
    recovered = [*sample_health()]
    recovered[1] = SourceHealth("Eurasia Review", "ok", recovered[0].last_success,
                                (4, 6, 0, 0, 0, 7), None)
    result = build(stories, tmp_path, status=recovered)
    assert not result.unchanged
    assert not any(r.get("class") == "attention" for r in rows(tmp_path))
    again = build(stories, tmp_path, status=recovered)
    assert again.unchanged


class OneFile:
    """Extras of one file, its key and bytes given; counts what it was asked to make."""

    def __init__(self, key: str, data: bytes, made: list[str]) -> None:
        self.key, self.data, self.made = key, data, made

    def keys(self) -> dict[str, str]:
        return {"data/part.gz": self.key}

    def make(self, paths: Collection[str]) -> dict[str, bytes]:
        self.made.append(self.key)
        return {"data/part.gz": self.data}


def test_extras_are_made_only_when_their_key_changes(
    tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]
) -> None:
    made: list[str] = []
    build(stories, tmp_path, extras=OneFile("k1", b"\x1f\x8bfirst", made))
    assert (tmp_path / "data/part.gz").read_bytes() == b"\x1f\x8bfirst"
    assert build(stories, tmp_path, extras=OneFile("k1", b"\x1f\x8bsecond", made)).unchanged
    result = build(stories, tmp_path, extras=OneFile("k2", b"\x1f\x8bsecond", made))
    assert not result.unchanged
    assert (tmp_path / "data/part.gz").read_bytes() == b"\x1f\x8bsecond"
    assert made == ["k1", "k2"]
