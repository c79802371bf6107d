"""Benchmark `digest build` on a state filled with generated stories.

    python benchmarks/build.py                               # 10,000 and 100,000 stories
    python benchmarks/build.py --sizes 2000 --no-fsync --keep /tmp/bench-states

For each size, a child process fills a SQLite state through the store's own `save` (seeded
stories: nine wire agencies, 1-6 copies on 24 sites, about 100 stories a day, 6-9 paragraphs of
text drawn from a Zipf-distributed vocabulary of `--words` words, as news text is; `--keep DIR`
keeps filled states for the next run). Then `digest build` (`cli.do_build`, with its status page
and archive) runs five times, each in a process of its own as each scheduled run is (forked
from this one before any build, the modules imported):

    full build       into an empty folder
    nothing new      again, the state unchanged
    +50, first       after saving 50 new stories into the state: the first rebuild after a full
                     build has no spare site to start from (see `crawler.site.writer`)
    +50, steady      after 50 more: every later rebuild, as hourly runs go
    plain full       the same stories again, into another empty folder (no previous site)

Each line: wall and CPU seconds (CPU counts the build's forked processes too and is steadier on a
shared machine), of which the site build, the search index (wall time of its forked indexer) and
the archive parts made in the build process itself (a build with many parts to make, such as a
full one, makes them in a forked process while it reads the stories: not timed here, so 0), pages,
pages rendered, pages rendered per second, files and files unchanged, and the load average when
the build started. Then the peak memory of the build process and of the largest forked process.
Builds are durable (fsync) like `digest build`, unless --no-fsync.

On ext4 without a journal (as on this project's build machines), creating files within a few
minutes of deleting many is slow: the inode allocator steps over each recently freed inode in
turn. This benchmark deletes its folders only when it ends, but an earlier run's clean-up (or an
`rm -rf` of a built site, or a test run's) can make the next full build seconds slower, all of
it system time: before each size it times creating files and waits (at most 8 minutes, as it
prints) until that is at its usual pace twice in a row.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import crawler.archive
import crawler.site
from crawler import cli
from crawler.config import Config, SiteConfig, SourceConfig
from crawler.items import Article, AssignedArticle
from crawler.site import search
from crawler.store import SQLiteStore

AGENCIES = ("Xinhua", "ANI", "RT.com", "PTI", "AFP", "Reuters", "AP", "TASS", None)
SITES = tuple(f"Regional Herald {i:02d}" for i in range(24))
OFFSETS = tuple(timezone(timedelta(hours=h)) for h in (0, 1, 3, 5.5, 8, 10, -4))
# fmt: off
COMMON = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "said", "was", "with", "as",
    "by", "at", "from", "it", "be", "has", "have", "are", "an", "will", "government", "officials",
    "talks", "week", "after", "delegations", "met", "capital", "prices", "rose", "markets",
    "investors", "central", "bank", "decision", "farmers", "rain", "northern", "provinces",
    "ministry", "announced", "new", "measures", "support", "exports", "president", "visited",
    "region", "residents", "damage", "roads", "bridges", "power", "emergency", "services",
)
ONSETS = (
    "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "ch", "cl", "dr", "fl", "gr", "pl", "sh", "st", "th", "tr",
)
VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ee", "ie", "oo", "ou")
# fmt: on
START = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
# A file system at rest creates a file in about 40 us here; files deleted within the last minutes
# make it several times slower (see the module's docstring).
SETTLED_US, SETTLE_STEP, SETTLE_MAX = 55, 20, 480
NEW_STORIES = 50
GENERATOR = "2"  # part of a kept state's name: bump when the generated stories change


class Vocabulary:
    """Common words first, then made-up ones, drawn with Zipf's law (weight 1/rank)."""

    def __init__(self, size: int, rng: random.Random) -> None:
        words = list(dict.fromkeys(COMMON))[:size]
        seen = set(words)
        while len(words) < size:
            syllables = rng.choice((1, 2, 2, 3, 3, 4))
            word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
            word += rng.choice(("", "n", "s", "r", "l", "t", "nd", "st"))
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        self.weights = list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))

    def sentence(self, rng: random.Random, low: int, high: int) -> str:
        words = rng.choices(self.words, cum_weights=self.weights, k=rng.randint(low, high))
        return " ".join(words).capitalize() + "."


@dataclass(frozen=True, slots=True)
class Generated:
    story_id: str
    first_seen: datetime
    copies: tuple[Article, ...]


def make_story(index: int, rng: random.Random, words: Vocabulary, when: datetime) -> Generated:
    """One story published around `when` in some source's own offset, with its copies.

    The first copy carries the whole text; the others often drop the last paragraphs, as sites
    that trim wire copy do.
    """
    published = (when - timedelta(minutes=rng.random() * 10)).astimezone(rng.choice(OFFSETS))
    first_seen = published.astimezone(UTC) + timedelta(minutes=rng.randint(3, 90))
    sites = rng.sample(SITES, k=rng.randint(1, 6))
    title = words.sentence(rng, 6, 12).rstrip(".")
    lede = words.sentence(rng, 18, 30)
    body = tuple(
        " ".join(words.sentence(rng, 8, 18) for _ in range(3)) for _ in range(rng.randint(5, 8))
    )
    copies = []
    for n, site in enumerate(sites):
        kept = len(body) if n == 0 or rng.random() < 0.5 else rng.randint(2, len(body))
        url = f"https://{site.lower().replace(' ', '-')}.example/news/{index}"
        copies.append(
            Article(
                url=url,
                canonical_url=url,
                source=site,
                title=title,
                published=published + timedelta(minutes=7 * n),
                published_estimated=False,
                author=None if index % 3 else "Staff reporter",
                original_source=AGENCIES[index % len(AGENCIES)],
                lede=lede,
                paragraphs=(lede, *body[:kept]),
                language="en",
                fetched_at=first_seen + timedelta(minutes=30 * n),
            )
        )
    return Generated(f"{index:07d}{rng.getrandbits(32):08x}", first_seen, tuple(copies))


def save(store: SQLiteStore, story: Generated) -> None:
    for n, article in enumerate(story.copies):
        assigned = AssignedArticle(article, story.story_id, new_story=n == 0)
        store.save(assigned, None, story.first_seen)


def fill(state: Path, size: int, seed: int, words: int) -> float:
    """Save `size` stories, about 100 a day counting back from START; seconds taken."""
    rng = random.Random(seed)
    vocabulary = Vocabulary(words, random.Random(seed))
    start = time.perf_counter()
    with SQLiteStore(state) as store:
        for i in range(size):
            save(store, make_story(i, rng, vocabulary, START - timedelta(minutes=14.4 * i)))
    return time.perf_counter() - start


def add_new(state: Path, size: int, seed: int, words: int, batch: int) -> None:
    """NEW_STORIES stories newer than every stored one, as the next crawl would bring."""
    rng = random.Random(seed + 1 + batch)
    vocabulary = Vocabulary(words, random.Random(seed))
    first = size + batch * NEW_STORIES
    with SQLiteStore(state) as store:
        for i in range(first, first + NEW_STORIES):
            save(store, make_story(i, rng, vocabulary, START + timedelta(minutes=9 * (i - size))))


def config() -> Config:
    return Config(
        site=SiteConfig(
            title="Benchmark Digest", base_url="https://digest.example/", feed_items=50
        ),
        sources=tuple(
            SourceConfig(name=s, feeds=(f"https://{i}.example/rss",)) for i, s in enumerate(SITES)
        ),
    )


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the indexers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


@dataclass
class Run:
    label: str
    load: float
    seconds: float = 0.0
    cpu: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    result: Any = None


@contextmanager
def timing(run: Run, part: str, owner: Any, name: str) -> Iterator[None]:
    """Time every call of `owner.name` into `run.parts[part]` (the site build's result is kept)."""
    real: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            result = real(*args, **kwargs)
        finally:
            run.parts[part] = run.parts.get(part, 0.0) + time.perf_counter() - start
        if part == "site":
            run.result = result
        return result

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, real)


def timed_build(label: str, state: Path, out: Path, durable: bool) -> Run:
    # Settle the disk first: writeback left by the step before (copying the state, saving new
    # stories) would slow the build's own file writes and is not the build's cost.
    os.sync()
    run = Run(label, os.getloadavg()[0])
    site_build = crawler.site.build_site
    build = partial(site_build, durable=durable)
    crawler.site.build_site = build  # type: ignore[assignment]
    try:
        with (
            timing(run, "search", search, "index_shards"),
            timing(run, "archive", crawler.archive, "part_bytes"),
            timing(run, "site", crawler.site, "build_site"),
        ):
            cpu = cpu_seconds()
            start = time.perf_counter()
            status = cli.do_build(config(), state, out)
            run.seconds = time.perf_counter() - start
            run.cpu = cpu_seconds() - cpu
    finally:
        crawler.site.build_site = site_build  # type: ignore[assignment]
    if status != 0:
        raise SystemExit(f"digest build failed with status {status}")
    return run


def create_cost(folder: Path, count: int = 2000) -> float:
    """Microseconds to create an empty file in a new folder under `folder` (the files are kept:
    deleting them would slow the next files down, see the module's docstring)."""
    probe = Path(tempfile.mkdtemp(prefix="probe-", dir=folder))
    start = time.perf_counter()
    for n in range(count):
        os.close(os.open(probe / str(n), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    return (time.perf_counter() - start) / count * 1e6


def settle(folder: Path) -> None:
    """Wait until files are created at the file system's usual pace twice in a row (inodes
    freed minutes ago slow it down on ext4 without a journal, and a clean-up may still be going
    on), for at most SETTLE_MAX seconds."""
    waited, costs = 0, [create_cost(folder)]
    while waited < SETTLE_MAX and (len(costs) < 2 or max(costs[-2:]) > SETTLED_US):
        time.sleep(SETTLE_STEP)
        waited += SETTLE_STEP
        costs.append(create_cost(folder))
    shown = ", ".join(f"{cost:.0f}" for cost in costs)
    print(f"  creating a file took {shown} us, {SETTLE_STEP} s apart (waited {waited} s)")


def build_child(label: str, state: Path, out: Path, durable: bool, conn: Connection) -> None:
    """One timed build in a process of its own, as each scheduled `digest build` is."""
    try:
        run = timed_build(label, state, out, durable)
        r = run.result  # BuildResult pickles, but keep only what is printed
        run.result = (r.pages, r.rendered, r.files, r.reused) if r is not None else None
        conn.send(
            {
                "run": run,
                "peak": peak_mib(resource.RUSAGE_SELF),
                "forked_peak": peak_mib(resource.RUSAGE_CHILDREN),
            }
        )
    finally:
        conn.close()


def measure(state: Path, work: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    out, durable = work / "output", not args.no_fsync
    builds = [in_child(build_child, "full build", state, out, durable)]
    builds.append(in_child(build_child, "nothing new", state, out, durable))
    for batch, label in enumerate(("first", "steady")):
        add_new(state, size, args.seed, args.words, batch)
        builds.append(in_child(build_child, f"+{NEW_STORIES}, {label}", state, out, durable))
    builds.append(in_child(build_child, "plain full", state, work / "plain", durable))
    return {
        "runs": [b["run"] for b in builds],
        "peak": builds[0]["peak"],
        "peak_all": max(b["peak"] for b in builds),
        "indexer_peak": max(b["forked_peak"] for b in builds),
    }


def in_child(target: Callable[..., Any], *args: Any) -> Any:
    """Run `target(*args, send)` in a forked process and return what it sent."""
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send))
    child.start()
    send.close()
    data = receive.recv()
    child.join()
    return data


def fill_child(state: Path, size: int, seed: int, words: int, conn: Connection) -> None:
    conn.send(fill(state, size, seed, words))
    conn.close()


def prepared_state(size: int, args: argparse.Namespace, scratch: Path) -> Path:
    """A filled state to build from: a copy of a kept one, or a new one (kept if asked)."""
    name = f"state-{size}-{args.seed}-{args.words}-g{GENERATOR}"
    kept = Path(args.keep) / name if args.keep else None
    state = scratch / name
    if kept is not None and kept.is_dir():
        shutil.copytree(kept, state)
        print(f"  state: copied from {kept}")
        return state
    seconds = in_child(fill_child, state, size, args.seed, args.words)
    print(f"  state: filled in {seconds:.0f} s")
    if kept is not None:
        shutil.copytree(state, kept)
    return state


def report(data: dict[str, Any]) -> None:
    print(
        f"  {'build':<16}{'wall s':>8}{'cpu s':>8}{'site s':>8}{'search s':>9}{'arch s':>8}"
        f"{'pages':>9}{'rendered':>9}{'pages/s':>9}{'files':>9}{'unchanged':>10}{'load':>6}"
    )
    for run in data["runs"]:
        pages, rendered, files, reused = run.result
        print(
            f"  {run.label:<16}{run.seconds:>8.2f}{run.cpu:>8.2f}{run.parts.get('site', 0):>8.2f}"
            f"{run.parts.get('search', 0):>9.2f}{run.parts.get('archive', 0):>8.2f}{pages:>9,}"
            f"{rendered:>9,}{rendered / run.seconds:>9,.0f}{files:>9,}{reused:>10,}"
            f"{run.load:>6.1f}"
        )
    print(
        f"  peak memory: build process {data['peak']:.0f} MiB in the full build, "
        f"{data['peak_all']:.0f} MiB at most; largest forked process {data['indexer_peak']:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated story counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", type=int, default=20000, help="vocabulary size")
    parser.add_argument("--no-fsync", action="store_true", help="durable=False (no fsync)")
    parser.add_argument("--dir", help="where to build (default: the system temp folder)")
    parser.add_argument("--keep", help="keep filled states in this folder and reuse them")
    args = parser.parse_args()
    results = []
    # Everything is deleted at the end only: on ext4 without a journal, files created within a
    # few minutes of deleting many (say, the last size's sites) skip the freed inodes one by one,
    # which made a full build seconds slower in the kernel (see the README).
    scratch = Path(tempfile.mkdtemp(prefix="syndigest-bench-", dir=args.dir))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"\n{size:,} stories (+{NEW_STORIES})", flush=True)
            state = prepared_state(size, args, scratch)
            work = scratch / f"sites-{size}"
            work.mkdir()
            settle(work)
            data = measure(state, work, size, args)
            report(data)
            results.append((size, data))
            sys.stdout.flush()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if len(results) > 1:
        (small, first), (large, last) = results[0], results[-1]
        growth = [b.seconds / a.seconds for a, b in zip(first["runs"], last["runs"], strict=True)]
        print(
            f"\ngrowth x{large / small:g} stories: "
            + ", ".join(f"{r.label} x{g:.1f}" for r, g in zip(first["runs"], growth, strict=True))
        )


if __name__ == "__main__":
    main()
