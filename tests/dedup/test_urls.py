"""canonical_url: a table of the URL spellings one page arrives under."""

from __future__ import annotations

import pytest

from crawler.dedup.urls import canonical_url

BASE = "https://www.example.com/news/story-1"

SAME_PAGE = [
    # case, default ports, fragments
    ("HTTPS://WWW.EXAMPLE.COM/news/story-1", BASE),
    ("https://www.Example.com:443/news/story-1", BASE),
    ("https://www.example.com/news/story-1#comments", BASE),
    ("  https://www.example.com/news/story-1\n", BASE),
    ("http://www.example.com:80/news/story-1", "http://www.example.com/news/story-1"),
    # trailing slash, empty and dot segments
    ("https://www.example.com/news/story-1/", BASE),
    ("https://www.example.com//news//story-1//", BASE),
    ("https://www.example.com/news/./story-1", BASE),
    ("https://www.example.com/news/x/../story-1", BASE),
    ("https://www.example.com/../news/story-1", BASE),
    ("https://www.example.com/news/%2E%2E/news/story-1", BASE),
    # tracking parameters
    ("https://www.example.com/news/story-1?utm_source=rss&utm_medium=feed", BASE),
    ("https://www.example.com/news/story-1?UTM_Campaign=x", BASE),
    ("https://www.example.com/news/story-1?fbclid=IwAR0abc", BASE),
    ("https://www.example.com/news/story-1?gclid=1&dclid=2&msclkid=3", BASE),
    ("https://www.example.com/news/story-1?mc_cid=1&mc_eid=2", BASE),
    ("https://www.example.com/news/story-1?ref=home&ref_src=twsrc", BASE),
    ("https://www.example.com/news/story-1?cmpid=x&ocid=y&_ga=2.1&igshid=z&share=1", BASE),
    ("https://www.example.com/news/story-1?", BASE),
    ("https://www.example.com/news/story-1?&&", BASE),
    # AMP versions
    ("https://www.example.com/amp/news/story-1", BASE),
    ("https://www.example.com/news/amp/story-1", BASE),
    ("https://www.example.com/news/story-1/amp", BASE),
    ("https://www.example.com/news/story-1/amp/", BASE),
    ("https://www.example.com/news/story-1?amp=1", BASE),
    ("https://www.example.com/news/story-1?amp", BASE),
    ("https://www.example.com/news/story-1?outputType=amp", BASE),
    ("https://www.example.com/news/story-1.amp", BASE),
    ("https://amp.example.com/news/story-1", "https://example.com/news/story-1"),
    ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story-1/amp", BASE),
    ("https://www.google.com/amp/s/www.example.com/news/story-1", BASE),
]

NORMALISED = [
    ("https://example.com/a.amp.html", "https://example.com/a.html"),
    ("https://example.com/a.AMP.htm", "https://example.com/a.htm"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
    ("https://example.com/a?b=2&a=2&a=1", "https://example.com/a?a=1&a=2&b=2"),
    ("https://example.com/a?id=7&utm_source=x", "https://example.com/a?id=7"),
    ("https://example.com/a?flag", "https://example.com/a?flag"),
    # percent-encoding: unreserved characters plain, escapes upper case, the rest encoded
    ("https://example.com/%7euser/%41bc", "https://example.com/~user/Abc"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
    ("https://example.com/p?q=a%20b&r=%e2%82%ac", "https://example.com/p?q=a%20b&r=%E2%82%AC"),
    ("https://example.com/p?q=100%", "https://example.com/p?q=100%25"),
    ("https://example.com/p?q=a%26b", "https://example.com/p?q=a%26b"),
    # hosts: IDN to punycode, both spellings agree; a trailing dot; ports kept if not default
    ("https://Bücher.Example/x", "https://xn--bcher-kva.example/x"),
    ("https://XN--BCHER-KVA.example/x", "https://xn--bcher-kva.example/x"),
    ("https://example.com./x", "https://example.com/x"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("http://example.com:443/x", "http://example.com:443/x"),
    ("https://user:secret@example.com/x", "https://example.com/x"),
    ("http://[::1]:8080/x/", "http://[::1]:8080/x"),
    ("http://127.0.0.1:80/x", "http://127.0.0.1/x"),
]

DISTINCT = [
    # what looks alike but selects other content
    ("https://example.com/story?id=1", "https://example.com/story?id=2"),
    ("https://example.com/Story", "https://example.com/story"),
    ("https://example.com/a/b", "https://example.com/a-b"),
    ("https://example.com/news/amplifier", "https://example.com/news"),
    ("https://example.com/a?page=2", "https://example.com/a"),
    ("https://www.example.com/x", "https://example.com/x"),
    ("http://example.com/x", "https://example.com/x"),
]


@pytest.mark.parametrize(("url", "expected"), SAME_PAGE)
def test_spellings_of_one_page_agree(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), NORMALISED)
def test_normalised_form(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(("first", "second"), DISTINCT)
def test_different_pages_stay_different(first: str, second: str) -> None:
    assert canonical_url(first) != canonical_url(second)


@pytest.mark.parametrize("url", [row[0] for row in SAME_PAGE + NORMALISED])
def test_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


HINTS = [
    # same site: the page's own rel=canonical wins
    (
        "https://example.com/x?utm_source=a",
        "https://example.com/story/",
        "https://example.com/story",
    ),
    ("https://example.com/x", "https://www.example.com/story", "https://www.example.com/story"),
    ("https://www.example.com/x", "https://example.com/story", "https://example.com/story"),
    ("https://m.example.com/x", "https://www.example.com/story", "https://www.example.com/story"),
    ("https://amp.example.com/x", "https://example.com/story", "https://example.com/story"),
    ("https://example.com/x/amp", "https://EXAMPLE.com/story#top", "https://example.com/story"),
    (
        "https://bücher.example/x",
        "https://xn--bcher-kva.example/y",
        "https://xn--bcher-kva.example/y",
    ),
    # another site (the wire agency's original) or no usable hint: the fetched URL
    ("https://example.com/x", "https://wire.example.org/story", "https://example.com/x"),
    ("https://example.com/x", "https://example.com.evil.net/story", "https://example.com/x"),
    ("https://news.example.com/x", "https://example.com/story", "https://news.example.com/x"),
    ("https://example.com/x", "/story", "https://example.com/x"),
    ("https://example.com/x", "", "https://example.com/x"),
    ("https://example.com/x", "ftp://example.com/story", "https://example.com/x"),
    ("https://example.com/x", "https://example.com:bad/story", "https://example.com/x"),
    # a template that names the front page as every article's canonical
    ("https://example.com/news/x", "https://example.com/", "https://example.com/news/x"),
    ("https://example.com/news/x", "https://www.example.com", "https://example.com/news/x"),
    ("https://example.com/?utm_source=a", "https://www.example.com/", "https://www.example.com/"),
]


@pytest.mark.parametrize(("url", "hint", "expected"), HINTS)
def test_hint_used_only_on_the_same_site(url: str, hint: str, expected: str) -> None:
    assert canonical_url(url, hint) == expected


def test_no_hint_is_the_url() -> None:
    assert canonical_url(BASE, None) == BASE


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.com/x",
        "/x",
        "ftp://example.com/x",
        "mailto:a@example.com",
        "https://",
        "https://example.com:99999/x",
        "javascript:alert(1)",
    ],
)
def test_not_an_http_url_is_an_error(url: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(url)
