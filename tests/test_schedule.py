"""The scheduled job run twice, one source down the second time: nothing published is lost,
the report and the status page say which source failed, and nothing already stored is fetched again."""

from __future__ import annotations

import json
from pathlib import Path

import html5lib

from crawler.archive import ARCHIVE_DIR, ARCHIVE_INDEX, read_parts
from tests.commands import digest, export
from tests.sites import FixtureSite
from tests.spiders.test_digest_crawl import network, write_config

__all__ = ["network"]  # the fixture, shared with the crawl tests


def test_second_run_with_a_source_down(network: tuple[FixtureSite, ...], tmp_path: Path) -> None:
    a, b, _ = network
    config, state, out = tmp_path / "sources.toml", tmp_path / "state", tmp_path / "out"
    write_config(config, a, b)
    first = digest("run", "--config", str(config), "--state", str(state), "--out", str(out))
    assert first.returncode == 0, first.stderr[-3000:]
    before = export(state)
    beta_stories = {s["id"] for s in before if any(c["source"] == "Beta Herald" for c in s["copies"])}
    assert beta_stories
    fetched_first = {(site.host, path.split("?")[0]) for site in (a, b) for path in site.requests}

    b.stop()  # Beta Herald is down
    a.requests.clear()
    second = digest("run", "--config", str(config), "--state", str(state), "--out", str(out))
    assert second.returncode == 0, second.stderr[-3000:]  # one failing source never fails the run

    after = {s["id"]: s for s in export(state)}
    assert beta_stories <= set(after)  # its earlier stories stay published
    feed = (out / "feed.json").read_text()
    assert all(story_id in feed for story_id in beta_stories)

    report = json.loads((state / "report.json").read_text())
    status = {s["name"]: s["status"] for s in report["sources"]}
    assert status == {"Alpha Times": "ok", "Beta Herald": "failed"}
    assert "Beta Herald" in second.stdout and "failed" in second.stdout
    status_rows = {
        row.findtext("th"): (row.get("class"), row.findtext("td/span"), "".join(row.itertext()))
        for row in html5lib.parse((out / "status.html").read_bytes(), treebuilder="lxml",
                                  namespaceHTMLElements=False).iterfind(".//tbody/tr")
    }
    assert status_rows["Beta Herald"][:2] == ("attention", "failed")
    assert "failing: no answer in the last 1 run(s)" in status_rows["Beta Herald"][2]
    assert status_rows["Alpha Times"][:2] == (None, "ok")
    archived = read_parts((out / ARCHIVE_INDEX).read_bytes(),
                          lambda name: (out / ARCHIVE_DIR / name).read_bytes())
    assert len(archived) >= len(after)  # for a restore

    article_pages = {("127.0.0.21", p.split("?")[0]) for p in a.requests if p.startswith("/news/")}
    assert not article_pages & fetched_first  # nothing fetched by the first run is fetched again
