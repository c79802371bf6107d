"""The run report and the source health the status page shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.runreport import build_report, to_markdown, to_text
from crawler.status import STALE_AFTER, source_health

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)

STATS = {
    "syndigest/Alpha/requests": 5, "syndigest/Alpha/pages": 5, "syndigest/Alpha/status/200": 4,
    "syndigest/Alpha/status/304": 1, "syndigest/Alpha/articles": 3,
    "syndigest/Alpha/new_stories": 2, "syndigest/Alpha/copies": 1,
    "syndigest/Alpha/error/http-503": 1, "syndigest-examples/Alpha/error/http-503": ["http://a/5"],
    "syndigest-times/Alpha/first": 10.0, "syndigest-times/Alpha/last": 12.5,
    "syndigest/Beta/requests": 2, "syndigest/Beta/error/blocked-http-403": 2,
    "syndigest-examples/Beta/error/blocked-http-403": ["http://b/feed"],
    "other/scrapy/stat": 7,
}


def test_report_per_source() -> None:
    report = build_report(1, T0, T0 + timedelta(minutes=2), STATS, ["Alpha", "Beta", "Gamma"])
    alpha, beta, gamma = report.sources
    assert (alpha.status, alpha.articles, alpha.new_stories, alpha.errors) == ("ok", 3, 2, 1)
    assert alpha.responses == {"200": 4, "304": 1} and alpha.seconds == 2.5
    assert beta.status == "blocked" and gamma.status == "failed"
    assert report.status == "ok"  # one source answered
    text = to_text(report)
    assert "error/blocked-http-403 = 2  e.g. http://b/feed" in text
    markdown = to_markdown(report)
    assert "| Alpha | ok | 5 | 3 | 2 | 1 | 0 | 1 |" in markdown
    assert report.to_json()["sources"][0]["errors"] == 1


def test_every_source_failing_fails_the_run() -> None:
    report = build_report(1, T0, T0, {"syndigest/Beta/error/http-500": 1}, ["Beta"])
    assert report.status == "failed"


def run(n: int, **articles: int | str) -> dict:  # type: ignore[type-arg]
    sources = [{"name": name, "status": value if isinstance(value, str) else "ok",
                "articles": value if isinstance(value, int) else 0}
               for name, value in articles.items()]
    finished = (T0 + timedelta(hours=n)).isoformat()
    return {"id": n, "finished": finished, "stats": {"sources": sources}}


def test_health_flags_failing_blocked_and_stale_sources() -> None:
    runs = [run(0, Alpha=3, Beta=2, Gamma=1, Delta=1)]
    runs += [run(i, Alpha=1, Beta="failed", Gamma="blocked", Delta=0)
             for i in range(1, STALE_AFTER + 1)]
    alpha, beta, gamma, delta, new = source_health(runs, ["Alpha", "Beta", "Gamma", "Delta", "New"])
    assert alpha.warning is None and alpha.last_success == T0 + timedelta(hours=STALE_AFTER)
    assert beta.status == "failed" and beta.last_success == T0
    assert beta.warning == f"failing: no answer in the last {STALE_AFTER} run(s)"
    assert gamma.warning is not None and gamma.warning.startswith("blocked")
    assert delta.warning is not None and "may have changed" in delta.warning
    assert new.status == "new" and new.warning is None and new.yields == ()
    assert len(alpha.yields) == 24 and alpha.yields[-1] == 1
