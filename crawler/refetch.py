"""Which article pages to fetch again in a later run: the politeness memory across runs.

A stored page is never fetched again. A page refused for what it is (not HTML, a stub, off-site,
gone) is not asked for again either. A page that failed for a passing reason (5xx, timeout, a
block) is retried in a later run, after a growing pause, and given up after a few attempts:
an hourly job must not hammer a broken URL every hour for months.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

PERMANENT = frozenset({
    "not-html", "redirected-offsite", "http-404", "http-410", "http-400", "http-401",
    "no-title", "no-body", "too-short", "too-old", "empty-after-cleaning",
})
BACKOFF = (timedelta(hours=6), timedelta(hours=24), timedelta(days=3))

Outcome = tuple[str, int, datetime]  # reason, attempts, when last tried


class FetchPolicy:
    """Decides whether to fetch an article URL (by canonical identity) and records outcomes."""

    def __init__(
        self, stored: Callable[[str], bool], outcomes: dict[str, Outcome], now: datetime
    ) -> None:
        self.stored = stored
        self.outcomes = outcomes
        self.now = now
        self.changed: dict[str, Outcome] = {}

    def skip_reason(self, url: str) -> str | None:
        """None to fetch; otherwise the reason not to, for the report."""
        if self.stored(url):
            return "already-stored"
        if url not in self.outcomes:
            return None
        reason, attempts, last = self.outcomes[url]
        if reason in PERMANENT:
            return "refused-before"
        if attempts > len(BACKOFF):
            return "given-up"
        if self.now - last < BACKOFF[attempts - 1]:
            return "retry-later"
        return None

    def record(self, url: str, reason: str) -> None:
        previous = self.outcomes.get(url)
        attempts = previous[1] + 1 if previous else 1
        self.outcomes[url] = self.changed[url] = (reason, attempts, self.now)
