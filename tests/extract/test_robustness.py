"""extract never raises: empty, binary, truncated, malformed, deep and huge input."""

from __future__ import annotations

import gzip
import logging
import time
from pathlib import Path

import pytest

from crawler.extract import extract
from crawler.items import Extracted

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
URL = "https://example.com/news/2025/06/story"

BODY = "".join(
    f"<p>Paragraph {i}: the harbour authority said on Monday that dredging would start soon, "
    f"according to officials who spoke at the meeting.</p>"
    for i in range(5)
)
ARTICLE = f"<article><h1>Dredging to start in harbour</h1>{BODY}</article>"


def assert_empty(extracted: Extracted) -> None:
    assert isinstance(extracted, Extracted)
    assert extracted.paragraphs == ()
    assert extracted.url == extracted.canonical_url == URL


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        bytes(range(256)) * 64,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16,
        gzip.compress(b"<html><body><p>compressed</p></body></html>" * 50),
        b"\x00" * 5000,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20,
    ],
    ids=["empty", "whitespace", "binary", "png", "gzip", "nuls", "pdf"],
)
def test_non_html_gives_empty_record_and_a_logged_reason(
    body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="crawler.extract"):
        assert_empty(extract(body, URL))
    assert any(r.name.startswith("crawler.extract") for r in caplog.records)


def test_wrong_input_type_does_not_raise() -> None:
    assert_empty(extract("<html>not bytes</html>", URL))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><p>Unclosed <b>bold <i>italic <div>",
        b"<<<>>><p>>>>",
        b"</p></div></body></html>",
        b"<html><head><title>Only a title</title>",
        (
            b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            b"</script></head><body><p>x</p></body></html>"
        ),
        b'<?xml version="1.0" encoding="utf-8"?><html><body><p>xml declaration</p></body></html>',
        b"<html><body>" + b"<div>" * 20_000 + b"deep" + b"</div>" * 20_000 + b"</body></html>",
        b"<p>nul \x00 inside \x01 controls</p>",
    ],
    ids=[
        "unclosed",
        "angles",
        "only-closers",
        "head-only",
        "broken-jsonld",
        "xml-decl",
        "deep",
        "controls",
    ],
)
def test_malformed_html_does_not_raise(body: bytes) -> None:
    extracted = extract(body, URL)
    assert isinstance(extracted, Extracted)
    assert extracted.url == URL


def test_truncated_page_still_yields_the_part_that_arrived() -> None:
    full = (PAGES / "02-wordpress-related.html").read_bytes()
    cut = full[: full.index(b"Construction is expected")]
    extracted = extract(cut, URL)
    assert extracted.title == "City council approves riverside flood barrier after two-year delay"
    assert extracted.paragraphs and extracted.paragraphs[0].startswith("The city council voted")


def test_truncated_in_the_middle_of_a_multibyte_character() -> None:
    page = f"<html><body>{ARTICLE}<p>Café</p></body></html>".encode()
    extracted = extract(page[: -len("é</p></body></html>") + 1], URL)
    assert extracted.paragraphs[0].startswith("Paragraph 0")


def test_five_megabyte_page_is_handled_quickly() -> None:
    junk = "".join(
        f'<div class="widget"><a href="/tag/{i}">Tag {i}</a><span>{"x" * 80}</span></div>'
        for i in range(40_000)
    )
    script = "<script>var data = '" + "y" * 1_000_000 + "';</script>"
    page = f"<html><head>{script}</head><body>{ARTICLE}<aside>{junk}</aside></body></html>"
    body = page.encode()
    assert len(body) > 5_000_000
    start = time.monotonic()
    extracted = extract(body, URL)
    elapsed = time.monotonic() - start
    assert elapsed < 30, f"took {elapsed:.1f}s"
    assert extracted.title == "Dredging to start in harbour"
    assert len(extracted.paragraphs) == 5


def test_page_beyond_the_size_cap_is_cut_not_rejected() -> None:
    body = f"<html><body>{ARTICLE}".encode() + b"<!--" + b"z" * 9_000_000
    extracted = extract(body, URL)
    assert extracted.title == "Dredging to start in harbour"


def test_a_failing_sub_extractor_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from crawler.extract import core

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(core, "find_images", boom)
    with caplog.at_level(logging.ERROR, logger="crawler.extract"):
        extracted = extract(f"<html><body>{ARTICLE}</body></html>".encode(), URL)
    assert_empty(extracted)
    assert "simulated bug" in caplog.text


@pytest.mark.parametrize("noncharacter", ["\uffff", "\ufffe", "&#xFFFE;", "&#65535;"])
def test_a_noncharacter_does_not_lose_the_body(noncharacter: str) -> None:
    body = ARTICLE.replace("dredging would", f"dredging{noncharacter} would", 1)
    extracted = extract(f"<html><body>{body}</body></html>".encode(), URL)
    assert len(extracted.paragraphs) == 5
    assert "dredging would" in extracted.paragraphs[0]
