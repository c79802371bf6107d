"""Validators remembered for conditional requests."""

from __future__ import annotations

from crawler.conditional import Validators


def test_headers_from_known_validators() -> None:
    validators = Validators({"http://a/feed": ('"v1"', "Mon, 02 Jun 2025 10:00:00 GMT")})
    assert validators.headers_for("http://a/feed") == {
        "If-None-Match": '"v1"', "If-Modified-Since": "Mon, 02 Jun 2025 10:00:00 GMT"}
    assert validators.headers_for("http://a/other") == {}


def test_only_changes_are_kept_for_saving() -> None:
    validators = Validators({"http://a/feed": ('"v1"', None)})
    validators.update("http://a/feed", '"v1"', None)
    validators.update("http://a/sitemap", None, None)
    assert validators.changed == {}
    validators.update("http://a/feed", '"v2"', None)
    assert validators.changed == {"http://a/feed": ('"v2"', None)}
    assert validators.headers_for("http://a/feed") == {"If-None-Match": '"v2"'}
