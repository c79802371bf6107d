"""Boundaries: whatever a page or URL contains, a run writes only inside its state and output
folders, under safe file names; robots.txt holds however a disallowed path is spelt; tricky links
and redirects to other hosts are never followed.

Plain off-site links and redirects, and a plainly disallowed path, are covered by
`tests/spiders/test_digest_crawl.py::test_crawl_discovers_keeps_and_reports`; the cases here are
the spellings that fool naive checks.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.commands import digest, export
from tests.figures import record
from tests.sites import FixtureSite, Reply, html
from tests.spiders.test_digest_crawl import prose, rss

HOST, ELSEWHERE = "127.0.0.61", "127.0.0.62"
# Path-like text a careless build could turn into a file name, in every field a page controls.
HOSTILE_NAMES = (
    "../../../../outside",
    "..\\..\\..\\outside",
    "%2e%2e%2f%2e%2e%2foutside",
    "/etc/passwd",
    "/tmp/outside",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "C:outside",
    "\\\\server\\share\\outside",
    "CON",
    "nul.txt",
    "aux",
    "COM1",
    "LPT9.html",
    "outside\x00.html",
    "x" * 300,
    "trailing dot. ",
    "~/.bashrc",
    "index",
    ".manifest.json",
    "..",
)
# robots.txt disallows /private/: none of these may be asked for.
DISALLOWED = (
    "/private/1",
    "/%70rivate/2",
    "/news/../private/3",
    "/news/%2e%2e/private/4",
    "/news/%2E%2E/private/5",
    "/./private/6",
)
_WINDOWS_DEVICES = re.compile(r"(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?")
_SAFE_PART = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_RAW = "/\\:.~%"  # kept as they are in the URLs; the rest percent-encoded, as clients do


def article(name: str, topic: str, canonical: str) -> Reply:
    """A good article with `name` in its title, byline, site name and canonical URL."""
    paragraphs = "".join(f"<p>{text}</p>" for text in prose(topic, 4))
    title = f"Council report on {name} and {topic}"
    ld = json.dumps({"@type": "NewsArticle", "headline": title, "author": {"name": name}})
    ld = ld.replace("</", "<\\/")
    return html(
        f"<!doctype html><html><head><title>{escape(title)}</title>"
        f"<meta property='og:site_name' content='{escape(name)} News'>"
        f"<link rel='canonical' href='{escape(canonical)}'>"
        f"<script type='application/ld+json'>{ld}</script></head>"
        f"<body><article><h1>{escape(title)}</h1>{paragraphs}<p>(AFP)</p></article></body></html>"
    )


def page_links(site: FixtureSite, other: FixtureSite) -> list[str]:
    """What the feed links to: path-like article URLs, disallowed and off-site spellings."""
    hostile = [
        site.url(f"/news/{n}/{quote(name, safe=_RAW)}") for n, name in enumerate(HOSTILE_NAMES)
    ]
    here, there = site.base.split("//")[1], other.base.split("//")[1]
    offsite = [
        other.url("/news/plain"),
        f"//{there}/news/protocol-relative",
        f"http://{here}@{there}/news/userinfo",
        site.url("/news/redirect"),
        site.url("/news/refresh"),
    ]
    return hostile + [site.url(p) for p in DISALLOWED] + offsite


def serve(site: FixtureSite, handler: object) -> Reply:
    """Any page: article `n` of HOSTILE_NAMES under /news/n/, else one named by its path."""
    path = unquote(site.requests[-1])
    number = re.match(r"/news/(\d+)/", path)
    name = HOSTILE_NAMES[int(number[1])] if number else path
    return article(name, path, site.url(path))


@pytest.fixture
def network() -> Iterator[tuple[FixtureSite, FixtureSite]]:
    site, other = FixtureSite(HOST).start(), FixtureSite(ELSEWHERE).start()
    other.fallback = serve
    site.fallback = serve
    site.routes.update(
        {
            "/robots.txt": (
                200,
                {"Content-Type": "text/plain"},
                b"User-agent: *\nDisallow: /private/\n",
            ),
            "/news/redirect": (302, {"Location": other.url("/news/redirected")}, b""),
            "/news/refresh": html(
                f"<html><head><meta http-equiv='refresh' content='0; url="
                f"{other.url('/news/refreshed')}'></head><body>moved</body></html>"
            ),
        }
    )
    links = page_links(site, other)
    site.routes["/feed.xml"] = rss(links)
    for number, link in enumerate(links[: len(HOSTILE_NAMES)]):
        # a source per path-like name, with a story whichever way the path-like URL resolves
        site.routes[f"/feed/{number}.xml"] = rss([link, site.url(f"/news/{number}/story")])
    yield site, other
    site.stop()
    other.stop()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root` by relative path: (size, mtime) of a file, (-1, 0) of
    a folder (whose mtime changes when anything is added inside, S/ and O/ included)."""
    tree = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            tree[Path(folder, name).relative_to(root).as_posix()] = (-1, 0)
        for name in files:
            info = Path(folder, name).lstat()
            tree[Path(folder, name).relative_to(root).as_posix()] = (info.st_size, info.st_mtime_ns)
    return tree


def unsafe_names(root: Path) -> list[str]:
    """Paths under `root` that leave it, or whose names some file system refuses or confuses."""
    bad, seen = [], {}
    resolved_root = root.resolve()
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.resolve().is_relative_to(resolved_root):
            bad.append(f"{relative}: leaves the folder")
        for part in relative.split("/"):
            if (
                not _SAFE_PART.fullmatch(part)
                or part in (".", "..")
                or part.endswith((".", " "))
                or _WINDOWS_DEVICES.fullmatch(part)
            ):
                bad.append(f"{relative}: unsafe name {part!r}")
        folded = relative.casefold()
        if folded in seen:
            bad.append(f"{relative}: same as {seen[folded]} on a case-insensitive file system")
        seen[folded] = relative
    return bad


def test_writes_stay_inside_state_and_output(
    network: tuple[FixtureSite, FixtureSite], tmp_path: Path
) -> None:
    site, _ = network
    work, home, temp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for folder in (work, home, temp):
        folder.mkdir()
    config = tmp_path / "sources.toml"
    sources = "".join(
        f'[[sources]]\nname = {json.dumps(name)}\nfeeds = ["{site.url(f"/feed/{n}.xml")}"]\n'
        for n, name in enumerate(HOSTILE_NAMES)
    )
    config.write_text(
        f"""
[site]
title = "../../outside"
base_url = "http://127.0.0.1:8000/../../"

[crawl]
download_delay = 0
autothrottle = false
retry_times = 0
timeout = 5

{sources}""",
        encoding="utf-8",
    )
    before = snapshot(tmp_path)
    # Relative folders, from an empty working folder, with a home and temp folder of the test's.
    result = digest("run", "--config", str(config), "--state", "S", "--out", "O", cwd=work,
                    env={"HOME": str(home), "TMPDIR": str(temp)})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    after = snapshot(tmp_path)

    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    outside = sorted(
        p
        for p in changed
        if not p.startswith(("work/S/", "work/O/")) and p not in ("work/S", "work/O")
    )
    assert outside == [], outside
    assert unsafe_names(work / "O") == [] and unsafe_names(work / "S") == []
    # The test means something only if every name reached the site as a story and a source.
    assert len(export(work / "S")) >= len(HOSTILE_NAMES)
    assert len(list((work / "O" / "sources").glob("*.html"))) == len(HOSTILE_NAMES) + 1  # + index
    record("path-like names tried", len(HOSTILE_NAMES) * 2)  # in page fields and in site names


def test_robots_and_other_hosts_hold_for_tricky_spellings(
    network: tuple[FixtureSite, FixtureSite], tmp_path: Path
) -> None:
    site, other = network
    config = tmp_path / "sources.toml"
    config.write_text(
        f"""
[crawl]
download_delay = 0
autothrottle = false
retry_times = 0

[[sources]]
name = "Tricky"
feeds = ["{site.url("/feed.xml")}"]
article_pattern = '/(news|private|%70rivate)/'
""",
        encoding="utf-8",
    )
    result = digest("crawl", "--config", str(config), "--state", str(tmp_path / "state"))
    assert result.returncode == 0, result.stderr[-3000:]
    asked = [posixpath.normpath(unquote(urlsplit(p).path)) for p in site.requests]
    assert not [p for p in asked if p.startswith("/private")], site.requests
    assert other.requests == []
    (source,) = json.loads((tmp_path / "state" / "report.json").read_text())["sources"]
    reasons = source["not_kept"]
    assert reasons.get("skipped/robots-disallowed") == len(DISALLOWED), reasons
    assert reasons.get("skipped/offsite-link") == 3, reasons  # plain, protocol-relative, userinfo
    assert reasons.get("skipped/redirected-offsite") == 2, reasons  # HTTP and meta refresh
    record("disallowed spellings tried", len(DISALLOWED))
    record("off-site spellings tried", 5)
