"""sanitize_html: an allow-list, absolute http(s) links with rel=noopener, and no way to run code."""

from __future__ import annotations

import re

import lxml.html
import pytest

from crawler.clean import sanitize_html
from crawler.clean.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from tests.injection import html_findings, load_vectors

BASE = "https://news.example.com/world/story.html"

_URL_ATTR_RE = re.compile(r'\s(?:href|src)="([^"]*)"')


@pytest.mark.parametrize("vector", load_vectors())
def test_injection_vectors_are_neutralised(vector: str) -> None:
    """Each vector of the shared corpus: nothing runs, links are http(s) and carry rel."""
    out = sanitize_html(vector, BASE)
    assert html_findings(out, "sanitised", "news.example.com", fragment=True) == []
    for url in _URL_ATTR_RE.findall(out):
        assert url.startswith(("https://", "http://")), url
    # whatever survives parses back to allowed tags and attributes only
    if out.strip():
        fragment = lxml.html.fragment_fromstring(out, create_parent="div")
        for el in fragment.iterdescendants():
            assert el.tag in ALLOWED_TAGS, el.tag
            allowed = ALLOWED_ATTRIBUTES.get(el.tag, set()) | ({"rel"} if el.tag == "a" else set())
            assert set(el.attrib) <= allowed, (el.tag, dict(el.attrib))


def test_allowed_structure_is_kept() -> None:
    html = (
        "<h2>Head</h2><p>Text with <em>emphasis</em> and <strong>weight</strong>.</p>"
        "<blockquote>quoted</blockquote><ul><li>one</li></ul><ol><li>two</li></ol>"
        '<figure><img src="https://img.example/a.jpg" alt="A"><figcaption>Cap</figcaption></figure>'
        "<h3>Sub</h3><h4>Subsub</h4>"
    )
    assert sanitize_html(html, BASE) == html


def test_disallowed_tags_keep_their_text_but_not_scripts() -> None:
    out = sanitize_html("<h1>Big</h1><div><span>inner</span></div><script>x()</script>", BASE)
    assert out == "Biginner"


@pytest.mark.parametrize(
    ("href", "absolute"),
    [
        ("/x", "https://news.example.com/x"),
        ("other.html", "https://news.example.com/world/other.html"),
        ("../up.html", "https://news.example.com/up.html"),
        ("//cdn.example.org/y", "https://cdn.example.org/y"),
        ("?page=2", "https://news.example.com/world/story.html?page=2"),
        (" https://ok.example/ ", "https://ok.example/"),
        ("http://plain.example/", "http://plain.example/"),
    ],
)
def test_links_are_made_absolute_and_get_rel(href: str, absolute: str) -> None:
    out = sanitize_html(f'<p><a href="{href}">x</a></p>', BASE)
    assert out == f'<p><a href="{absolute}" rel="noopener noreferrer">x</a></p>'


def test_images_are_made_absolute() -> None:
    out = sanitize_html('<img src="/i.png" alt="ok" width="5" class="c">', BASE)
    assert out == '<img src="https://news.example.com/i.png" alt="ok">'


@pytest.mark.parametrize("href", ["mailto:a@b.example", "ftp://files.example/x", "tel:+441234"])
def test_non_http_links_lose_their_href(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">x</a>', BASE) == '<a rel="noopener noreferrer">x</a>'


def test_relative_links_are_dropped_without_an_http_base() -> None:
    out = sanitize_html('<a href="/x">r</a><a href="https://ok.example/">o</a>', "file:///etc/")
    assert out == (
        '<a rel="noopener noreferrer">r</a>'
        '<a href="https://ok.example/" rel="noopener noreferrer">o</a>'
    )


def test_empty_input() -> None:
    assert sanitize_html("", BASE) == ""
