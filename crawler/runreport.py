"""The owner's report of one run: per source what was asked, answered, kept and refused.

Pure data from the crawl's counters; written as JSON into the state (and the runs table, from
which the status page reads the history) and as a Markdown table for the workflow summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from crawler.report import examples, summarise, timings

OK, FAILED, BLOCKED, IDLE = "ok", "failed", "blocked", "idle"


@dataclass(frozen=True, slots=True)
class SourceReport:
    name: str
    status: str
    requests: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    new_stories: int = 0
    copies: int = 0
    duplicates: int = 0
    not_kept: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(n for reason, n in self.not_kept.items() if reason.startswith("error/"))


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: int
    started: datetime
    finished: datetime
    status: str
    sources: tuple[SourceReport, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started"] = self.started.isoformat()
        data["finished"] = self.finished.isoformat()
        data["sources"] = [{**asdict(s), "errors": s.errors} for s in self.sources]
        return data


def source_status(counters: dict[str, int], shared: bool = False) -> str:
    """ok when anything answered 2xx or 304; blocked when it answered only 403 or challenges;
    idle when `shared` (a finished crawl sharing its frontier) and other processes did its work."""
    if shared and not counters:
        return IDLE
    answered = sum(n for k, n in counters.items()
                   if k.startswith("status/") and (k[7] == "2" or k == "status/304"))
    if answered:
        return OK
    if any(k.startswith("error/blocked-") for k in counters):
        return BLOCKED
    return FAILED


def build_report(
    run_id: int, started: datetime, finished: datetime, stats: dict[str, Any], names: list[str],
    shared: bool = False,
) -> RunReport:
    table, samples, times = summarise(stats), examples(stats), timings(stats)
    shared = shared and stats.get("finish_reason") == "finished"
    sources = []
    for name in names:
        counters = table.get(name, {})
        span = times.get(name, {})
        sources.append(SourceReport(
            name=name,
            status=source_status(counters, shared),
            requests=counters.get("requests", 0),
            responses={k[7:]: n for k, n in sorted(counters.items()) if k.startswith("status/")},
            articles=counters.get("articles", 0),
            new_stories=counters.get("new_stories", 0),
            copies=counters.get("copies", 0),
            duplicates=counters.get("duplicates", 0),
            not_kept={k: n for k, n in sorted(counters.items())
                      if k.startswith(("skipped/", "dropped/", "error/"))},
            examples=samples.get(name, {}),
            seconds=round(span.get("last", 0.0) - span.get("first", 0.0), 3),
        ))
    every_failed = bool(sources) and all(s.status in (FAILED, BLOCKED) for s in sources)
    return RunReport(run_id, started, finished, FAILED if every_failed else OK, tuple(sources))


_COLUMNS = ("status", "requests", "articles", "new_stories", "copies", "duplicates", "errors")


def _row(source: SourceReport) -> list[str]:
    values = {c: getattr(source, c) for c in _COLUMNS}
    return [source.name, *(str(values[c]) for c in _COLUMNS)]


def _reasons(report: RunReport) -> list[tuple[str, str, int, list[str]]]:
    return [(s.name, reason, n, s.examples.get(reason, []))
            for s in report.sources for reason, n in s.not_kept.items()]


def to_text(report: RunReport) -> str:
    """The summary a crawl prints: one line per source, then every not-kept reason."""
    widths = [24, 8, *([11] * (len(_COLUMNS) - 1))]
    header = ["source", *_COLUMNS]
    lines = [" ".join(f"{h[:w]:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in
                      enumerate(zip(header, widths, strict=True)))]
    for source in report.sources:
        cells = _row(source)
        lines.append(" ".join(f"{c[:w]:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in
                              enumerate(zip(cells, widths, strict=True))))
    reasons = _reasons(report)
    if reasons:
        lines.append("not kept, by reason:")
        for name, reason, n, urls in reasons:
            lines.append(f"  {name}: {reason} = {n}" + (f"  e.g. {urls[0]}" if urls else ""))
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: RunReport) -> str:
    """The same table for `$GITHUB_STEP_SUMMARY`."""
    lines = [f"### syndigest run {report.run_id}: {report.status}", "",
             "| source | " + " | ".join(_COLUMNS) + " |",
             "|---" * (len(_COLUMNS) + 1) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in _row(s)) + " |" for s in report.sources]
    reasons = _reasons(report)
    if reasons:
        lines += ["", "| source | not kept | count | example |", "|---|---|---|---|"]
        lines += [f"| {_cell(name)} | {reason} | {n} | {_cell(urls[0]) if urls else ''} |"
                  for name, reason, n, urls in reasons]
    return "\n".join(lines) + "\n"
