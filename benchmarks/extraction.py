"""Benchmark the project's body extraction against plain trafilatura on the AEB data set.

    python benchmarks/extraction.py /work/shared/bench/aeb [--split all|even|odd] [--details]

The data: scrapinghub/article-extraction-benchmark (181 pages, `html/<id>.html.gz` and
`ground-truth.json`). The metric is the benchmark's own, implemented here from its README:
`\\w+` tokens, 4-token shingles as multisets, per-page tp/fp/fn normalised to sum to 1,
precision and recall averaged over pages, F1 the harmonic mean of the two means, accuracy the
share of pages whose token lists match exactly.

Both extractors see the same input in one process: the page's bytes, decoded the browser way
without HTTP headers (`crawler.extract.decode.decode_html`, so BOM, then meta charset, then
UTF-8). The project is measured through `crawler.extract.extract`, the call the spider makes,
and scored twice on the same call: on the text the digest publishes (`Article.text` after
`crawler.clean.clean_article`: body paragraphs, boilerplate removed) and on the raw
`extract(...).paragraphs` joined. The standfirst (`Extracted.lede` when shown apart) is not
scored: the ground truth leaves it out on 54 of the 67 pages where the project finds one.
Timing covers the extraction call only (decoding included for both, cleaning excluded); calls
are interleaved page by page, each page's time is the minimum of `--repeat` runs, and the
median over pages is reported.

`--split even|odd` scores one half of the pages (by sorted id), to check that a change made
while looking at one half also helps the other.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura

from crawler.clean import clean_article
from crawler.extract import extract
from crawler.extract.decode import decode_html
from crawler.items import Extracted

_TOKEN_RE = re.compile(r"\w+")
_SHINGLE = 4


# --------------------------------------------------------------------------- the metric


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def shingles(toks: Sequence[str]) -> Counter[tuple[str, ...]]:
    """Every run of 4 consecutive tokens; a text of fewer than 4 tokens gives one shingle."""
    if len(toks) < _SHINGLE:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + _SHINGLE]) for i in range(len(toks) - _SHINGLE + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    tp: float
    fp: float
    fn: float
    exact: bool


def score_page(truth: str, predicted: str) -> PageScore:
    true_toks, pred_toks = tokens(truth), tokens(predicted)
    t, p = shingles(true_toks), shingles(pred_toks)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total:
        return PageScore(tp / total, fp / total, fn / total, true_toks == pred_toks)
    return PageScore(0.0, 0.0, 0.0, true_toks == pred_toks)


@dataclass(frozen=True, slots=True)
class Summary:
    f1: float
    precision: float
    recall: float
    accuracy: float


def summarise(scores: Sequence[PageScore]) -> Summary:
    """Mean precision and recall over pages (README rules), F1 of the means, accuracy."""
    precisions = []
    recalls = []
    for s in scores:
        if s.fp == 0 and s.fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if s.tp + s.fp > 0:
            precisions.append(s.tp / (s.tp + s.fp))
        if s.tp + s.fn > 0:
            recalls.append(s.tp / (s.tp + s.fn))
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(s.exact for s in scores) / len(scores) if scores else 0.0
    return Summary(f1, precision, recall, accuracy)


# --------------------------------------------------------------------------- the extractors


def published_text(page: Extracted) -> str:
    """What the digest publishes as the article's text: the body paragraphs after
    `crawler.clean.clean_article` (the export's `text` field)."""
    now = datetime(2000, 1, 1, tzinfo=UTC)  # dates play no part in the text
    article = clean_article(page.article("bench", now))
    return article.text


def run_project(body: bytes, url: str) -> Extracted:
    return extract(body, url)


def run_trafilatura(body: bytes, url: str) -> str:
    text = decode_html(body).text
    return trafilatura.extract(text, url=url, include_comments=False) or ""


@dataclass(slots=True)
class Result:
    name: str
    scores: list[PageScore]
    millis: list[float]


def measure(
    pages: Sequence[tuple[str, str, bytes, str]], repeat: int
) -> tuple[Result, Result, Result]:
    """Score both extractors on every page; time them interleaved, page by page.

    Interleaving (project, trafilatura, project, ...) exposes both to the same machine load;
    with `repeat` > 1 each page's time is the minimum over the repeats, the usual estimate of
    the cost of CPU-bound code on a shared machine.
    """
    project = Result("syndigest: extract + clean_article (published text)", [], [])
    raw = Result("syndigest: extract().paragraphs joined", [], [])
    plain = Result("trafilatura 2.3.1 include_comments=False", [], [])
    for page_id, url, body, truth in pages:
        times: dict[str, list[float]] = {"project": [], "plain": []}
        extracted: Extracted | None = None
        text = ""
        for round_ in range(repeat):
            order = ("project", "plain") if round_ % 2 == 0 else ("plain", "project")
            for which in order:
                start = time.perf_counter()
                if which == "project":
                    extracted = run_project(body, url)
                else:
                    text = run_trafilatura(body, url)
                times[which].append((time.perf_counter() - start) * 1000)
        assert extracted is not None, page_id
        project.scores.append(score_page(truth, published_text(extracted)))
        raw.scores.append(score_page(truth, "\n\n".join(extracted.paragraphs)))
        plain.scores.append(score_page(truth, text))
        project.millis.append(min(times["project"]))
        plain.millis.append(min(times["plain"]))
    raw.millis = project.millis  # the same extraction calls, scored before cleaning
    return project, raw, plain


def load(root: Path, split: str) -> list[tuple[str, str, bytes, str]]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for index, page_id in enumerate(sorted(truth)):
        if split == "even" and index % 2:
            continue
        if split == "odd" and not index % 2:
            continue
        body = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, truth[page_id]["url"], body, truth[page_id]["articleBody"]))
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="the AEB folder (ground-truth.json, html/)")
    parser.add_argument("--split", choices=("all", "even", "odd"), default="all")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timing runs per page (minimum kept; default 3)"
    )
    parser.add_argument("--details", action="store_true", help="per-page P/R where they differ")
    args = parser.parse_args(argv)
    pages = load(args.path, args.split)
    if not pages:
        print("no pages found", file=sys.stderr)
        return 1
    # One warm-up call each so import-time and first-call costs do not land on page one.
    run_project(pages[0][2], pages[0][1])
    run_trafilatura(pages[0][2], pages[0][1])
    project, raw, plain = measure(pages, args.repeat)
    print(f"AEB pages: {len(pages)} (split: {args.split})")
    print("| extractor | F1 | precision | recall | accuracy | ms/page (median) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for result in (project, raw, plain):
        s = summarise(result.scores)
        ms = statistics.median(result.millis)
        print(
            f"| {result.name} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} | "
            f"{s.accuracy:.3f} | {ms:.1f} |"
        )
    ratio = statistics.median(project.millis) / statistics.median(plain.millis)
    print(f"time ratio (project / trafilatura, medians): {ratio:.2f}")
    if args.details:
        print("\npage | project P/R | trafilatura P/R")
        for (page_id, *_), a, b in zip(pages, project.scores, plain.scores, strict=True):
            if abs(a.tp - b.tp) > 0.01:
                print(f"{page_id[:12]} | {_pr(a)} | {_pr(b)}")
    return 0


def _pr(s: PageScore) -> str:
    p = s.tp / (s.tp + s.fp) if s.tp + s.fp else 0.0
    r = s.tp / (s.tp + s.fn) if s.tp + s.fn else 0.0
    return f"{p:.2f}/{r:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
