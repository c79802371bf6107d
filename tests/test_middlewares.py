"""Retry-After parsing (the crawl test covers the waiting itself)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.middlewares import remove_dot_segments, retry_after_seconds

NOW = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 120 ", 120.0), ("Mon, 02 Jun 2025 12:00:30 GMT", 30.0),
     ("Mon, 02 Jun 2025 11:00:00 GMT", 0.0), (None, None), ("", None), ("soon", None), ("-5", None)],
)
def test_retry_after_seconds(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds


@pytest.mark.parametrize(
    ("path", "resolved"),
    [("/a/b/c/./../../g", "/a/g"), ("/news/../private/1", "/private/1"),
     ("/news/%2e%2E/private/2", "/private/2"), ("/./private/3", "/private/3"), ("/../x", "/x"),
     ("/a/b/..", "/a/"), ("/a/.%2e/b", "/b"), ("/news/1/file%2ehtml", "/news/1/file%2ehtml"),
     ("/a/b/c", "/a/b/c"), ("/", "/")],
)
def test_remove_dot_segments(path: str, resolved: str) -> None:
    assert remove_dot_segments(path) == resolved
