"""What a later run fetches again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.refetch import BACKOFF, FetchPolicy

NOW = datetime(2025, 6, 2, 12, tzinfo=UTC)


def policy(**outcomes: tuple[str, int, datetime]) -> FetchPolicy:
    return FetchPolicy({"stored"}.__contains__, dict(outcomes), NOW)


def test_stored_and_refused_pages_are_not_fetched_again() -> None:
    p = policy(stub=("too-short", 1, NOW - timedelta(days=30)))
    assert p.skip_reason("stored") == "already-stored"
    assert p.skip_reason("stub") == "refused-before"
    assert p.skip_reason("new") is None


def test_passing_failures_are_retried_after_a_growing_pause_then_given_up() -> None:
    p = policy(
        soon=("http-503", 1, NOW - BACKOFF[0] + timedelta(minutes=1)),
        due=("http-503", 1, NOW - BACKOFF[0]),
        second=("TimeoutError", 2, NOW - BACKOFF[0]),
        last=("http-503", len(BACKOFF) + 1, NOW - timedelta(days=365)),
    )
    assert p.skip_reason("soon") == "retry-later"
    assert p.skip_reason("due") is None
    assert p.skip_reason("second") == "retry-later"  # the second pause is longer
    assert p.skip_reason("last") == "given-up"


def test_record_counts_attempts_and_keeps_changes() -> None:
    p = policy(x=("http-503", 1, NOW - timedelta(days=1)))
    p.record("x", "http-503")
    p.record("y", "not-html")
    assert p.changed == {"x": ("http-503", 2, NOW), "y": ("not-html", 1, NOW)}
