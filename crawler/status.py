"""Source health over the recent runs, for the status page: is every source still yielding?

A source that answers with errors is visible at once; one whose layout or feed changed keeps
answering 200 but stops yielding articles, which only the history shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HISTORY = 24  # runs shown per source: a day of hourly runs
STALE_AFTER = 24  # runs without an article, after earlier yield, before we warn


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    status: str  # of the last run: ok, failed, blocked, or "new" (never crawled)
    last_success: datetime | None
    yields: tuple[int, ...]  # articles stored per run, oldest first, over the last HISTORY runs
    warning: str | None


def _entry(run: dict[str, Any], name: str) -> dict[str, Any] | None:
    for source in run.get("stats", {}).get("sources", []):
        if source.get("name") == name:
            return source
    return None


def _warning(status: str, history: list[dict[str, Any]]) -> str | None:
    if status == "blocked":
        return "blocked: the site answers 403 or a challenge page to the crawler"
    if status == "failed":
        failing = 0
        for entry in reversed(history):
            if entry["status"] == "ok":
                break
            failing += 1
        return f"failing: no answer in the last {failing} run(s)"
    recent = [e["articles"] for e in history[-STALE_AFTER:]]
    earlier = [e["articles"] for e in history[:-STALE_AFTER]]
    if len(recent) == STALE_AFTER and sum(earlier) > 0 and sum(recent) == 0:
        return (f"no articles in the last {STALE_AFTER} runs after earlier yield: "
                "its layout, feed or article_pattern may have changed")
    return None


def source_health(runs: Sequence[dict[str, Any]], names: Sequence[str]) -> list[SourceHealth]:
    """Health of each configured source from finished runs (oldest first, as the store lists)."""
    finished = [r for r in runs if r.get("finished") and r.get("stats", {}).get("sources")]
    health = []
    for name in names:
        history = []
        last_success = None
        for run in finished:
            entry = _entry(run, name)
            if entry is None:
                continue
            history.append(entry)
            if entry["status"] == "ok":
                last_success = datetime.fromisoformat(run["finished"])
        status = history[-1]["status"] if history else "new"
        health.append(SourceHealth(
            name=name,
            status=status,
            last_success=last_success,
            yields=tuple(e["articles"] for e in history[-HISTORY:]),
            warning=_warning(status, history) if history else None,
        ))
    return health
