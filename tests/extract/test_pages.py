"""Saved pages through extract + clean_article, checked field by field against hand-written
expectations (tests/fixtures/pages/*.json beside each page)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.clean import clean_article, is_boilerplate
from crawler.extract import extract
from crawler.items import Article, Extracted

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
NAMES = sorted(p.stem for p in PAGES.glob("*.html"))
FETCHED = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def expected(name: str) -> dict[str, Any]:
    return json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


_CACHE: dict[str, tuple[Extracted, Article]] = {}


def run(name: str) -> tuple[Extracted, Article]:
    """extract + clean_article on one fixture page (cached: pages are read-only)."""
    if name not in _CACHE:
        exp = expected(name)
        body = (PAGES / f"{name}.html").read_bytes()
        extracted = extract(body, exp["url"], encoding=exp["http_charset"])
        article = extracted.article("fixture", FETCHED)
        _CACHE[name] = (extracted, clean_article(article))
    return _CACHE[name]


def test_there_are_enough_fixture_pages() -> None:
    assert len(NAMES) >= 10
    for name in NAMES:
        assert (PAGES / f"{name}.json").is_file(), f"{name} has no expected-output file"


@pytest.mark.parametrize("name", NAMES)
def test_title(name: str) -> None:
    assert run(name)[1].title == expected(name)["title"]


@pytest.mark.parametrize("name", NAMES)
def test_published(name: str) -> None:
    published = run(name)[0].published
    want = expected(name)["published"]
    if want is None:
        assert published is None
    else:
        assert published is not None and published.tzinfo is not None
        assert published.isoformat() == want


@pytest.mark.parametrize("name", NAMES)
def test_author(name: str) -> None:
    assert run(name)[1].author == expected(name)["author"]


@pytest.mark.parametrize("name", NAMES)
def test_original_source(name: str) -> None:
    assert run(name)[1].original_source == expected(name)["original_source"]


@pytest.mark.parametrize("name", NAMES)
def test_language(name: str) -> None:
    assert run(name)[1].language == expected(name)["language"]


@pytest.mark.parametrize("name", NAMES)
def test_canonical_url(name: str) -> None:
    assert run(name)[1].canonical_url == expected(name)["canonical_url"]


@pytest.mark.parametrize("name", NAMES)
def test_lede(name: str) -> None:
    assert run(name)[1].lede == expected(name)["lede"]


@pytest.mark.parametrize("name", NAMES)
def test_first_paragraph(name: str) -> None:
    paragraphs = run(name)[1].paragraphs
    assert paragraphs and paragraphs[0] == expected(name)["first_paragraph"]


@pytest.mark.parametrize("name", NAMES)
def test_last_paragraph(name: str) -> None:
    paragraphs = run(name)[1].paragraphs
    assert paragraphs and paragraphs[-1] == expected(name)["last_paragraph"]


@pytest.mark.parametrize("name", NAMES)
def test_paragraph_count(name: str) -> None:
    assert len(run(name)[1].paragraphs) == expected(name)["paragraph_count"]


@pytest.mark.parametrize("name", NAMES)
def test_first_image(name: str) -> None:
    images = run(name)[1].images
    assert (images[0] if images else None) == expected(name)["first_image"]
    assert len(images) == len(set(images))


@pytest.mark.parametrize("name", NAMES)
def test_text_that_must_survive(name: str) -> None:
    text = run(name)[1].text
    for snippet in expected(name)["contains"]:
        assert snippet in text


@pytest.mark.parametrize("name", NAMES)
def test_no_boilerplate_survives(name: str) -> None:
    article = run(name)[1]
    for snippet in expected(name)["absent"]:
        assert snippet not in article.text, f"boilerplate {snippet!r} survived"
    for paragraph in article.paragraphs:
        assert not is_boilerplate(paragraph), paragraph
    assert article.lede not in article.paragraphs[1:]


@pytest.mark.parametrize("name", NAMES)
def test_extracted_lede_is_kept_out_of_paragraphs_only_when_shown_apart(name: str) -> None:
    extracted, article = run(name)
    if article.lede == article.paragraphs[0]:
        assert extracted.paragraphs[0] == extracted.lede or not extracted.lede
    else:
        assert article.lede not in article.paragraphs


def test_cp1252_fixture_really_is_not_utf8() -> None:
    body = (PAGES / "06-legacy-cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert b"charset=windows-1252" in body


def test_network_page_keeps_the_body_and_drops_the_seed_style_junk() -> None:
    extracted, article = run("01-network-rt-credit")
    # extraction itself already removed the credit line; the promos are for clean to drop
    assert "(RT.com)" not in extracted.paragraphs
    assert any("daily dose" in p for p in extracted.paragraphs)
    assert not any("daily dose" in p for p in article.paragraphs)


SEED = Path("/work/shared/seed/syndicated-page.txt")


@pytest.mark.skipif(not SEED.exists(), reason="shared seed page not present")
def test_seed_page_as_flat_br_separated_html() -> None:
    """The seed network's layout at its crudest: one <div>, lines separated by <br><br>."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    html = (
        "<html><head><title>Peace talks begin in Istanbul - St Petersburg Star</title></head>"
        "<body><div id='nav'><a href='/'>Home</a> <a href='/world'>World</a></div>"
        "<div class='content'><h1>Peace talks begin in Istanbul</h1><div>"
        + "<br><br>".join(lines)
        + "</div></div></body></html>"
    )
    url = "https://www.stpetersburgstar.com/news/278301234/peace-talks"
    extracted = extract(html.encode(), url)
    assert extracted.title == "Peace talks begin in Istanbul"
    assert extracted.original_source == "RT.com"
    assert extracted.published == datetime(2025, 6, 2, 1, 30, tzinfo=UTC)
    assert extracted.paragraphs[0] == lines[2]  # credit and date lines are not body
    article = clean_article(
        Article(
            url=url,
            canonical_url=extracted.canonical_url,
            source="St Petersburg Star",
            title=extracted.title,
            published=FETCHED,
            published_estimated=False,
            author=None,
            original_source=extracted.original_source,
            lede=extracted.lede,
            paragraphs=extracted.paragraphs,
            language=None,
            fetched_at=FETCHED,
        )
    )
    assert article.paragraphs == tuple(lines[2:9])
