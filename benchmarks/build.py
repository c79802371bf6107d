"""Benchmark the static site build (crawler.site.build_site) on generated stories.

    python benchmarks/build.py                      # 10,000 and 100,000 stories
    python benchmarks/build.py --sizes 2000 --no-search --no-fsync

For each size, in a forked child (so sizes do not share memory): generate that many Story objects
(seeded; wire agencies, 1-6 copies on 24 sites, ~100 stories a day, 6-9 paragraphs each; no
network, no store), build the site into a temp folder, then build again with nothing new, then
again with 10 new stories. Prints, per build: wall and CPU time (CPU includes Pagefind's and is
steadier on a shared machine), the search-index time, pages and pages rendered, files and files
unchanged (hard-linked from the previous site), and the peak memory of the build process (growth
over the generated stories) and of Pagefind (a child process). The builds are durable (fsync)
like `digest build`, unless --no-fsync.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.config import Config, SiteConfig, SourceConfig
from crawler.items import Copy, Story
from crawler.site import build as build_module
from crawler.site import build_site

AGENCIES = ("Xinhua", "ANI", "RT.com", "PTI", "AFP", "Reuters", "AP", "TASS", None)
SITES = tuple(f"Regional Herald {i:02d}" for i in range(24))
OFFSETS = tuple(timezone(timedelta(hours=h)) for h in (0, 1, 3, 5.5, 8, 10, -4))
PROSE = (
    "government officials said talks would resume next week after delegations met in the capital "
    "prices rose sharply on markets as investors weighed the central bank decision while farmers "
    "reported heavy rain across the northern provinces and the ministry announced new measures "
    "to support exports the president visited the region where residents described damage to "
    "roads bridges and power lines emergency services evacuated thousands of people overnight"
)
WORDS = tuple(PROSE.split())
START = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
NOW = START + timedelta(days=1)


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def make_story(index: int, rng: random.Random, when: datetime) -> Story:
    """One story published around `when`, in some source's own time zone."""
    published = (when - timedelta(minutes=rng.random() * 10)).astimezone(rng.choice(OFFSETS))
    first_seen = published.astimezone(UTC) + timedelta(minutes=rng.randint(3, 90))
    sites = rng.sample(SITES, k=rng.randint(1, 6))
    title = sentence(rng, 6, 12).rstrip(".")
    lede = sentence(rng, 18, 30)
    paragraphs = (
        lede,
        *(" ".join(sentence(rng, 8, 18) for _ in range(3)) for _ in range(rng.randint(5, 8))),
    )
    return Story(
        id=f"{index:07d}{rng.getrandbits(32):08x}",
        title=title,
        url=f"https://{sites[0].lower().replace(' ', '-')}.example/news/{index}",
        source=sites[0],
        published=published,
        published_estimated=False,
        original_source=AGENCIES[index % len(AGENCIES)],
        author=None if index % 3 else "Staff reporter",
        lede=lede,
        paragraphs=paragraphs,
        language="en",
        first_seen=min(first_seen, NOW),
        copies=tuple(
            Copy(
                url=f"https://{site.lower().replace(' ', '-')}.example/news/{index}",
                source=site,
                title=title,
                published=published + timedelta(minutes=7 * n),
            )
            for n, site in enumerate(sites)
        ),
    )


def generate(count: int, seed: int) -> list[Story]:
    """`count` stories, about 100 a day, counting back from START."""
    rng = random.Random(seed)
    return [make_story(i, rng, START - timedelta(minutes=14.4 * i)) for i in range(count)]


def config() -> Config:
    return Config(
        site=SiteConfig(
            title="Benchmark Digest", base_url="https://digest.example/", feed_items=50
        ),
        sources=tuple(
            SourceConfig(name=s, feeds=(f"https://{i}.example/rss",)) for i, s in enumerate(SITES)
        ),
    )


def rss_mib() -> float:
    """Current resident memory of this process (Linux /proc), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (Pagefind): steadier than wall
    time on a shared machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Run:
    label: str
    seconds: float
    cpu: float
    pages: int
    rendered: int
    files: int
    reused: int
    search_seconds: float


def timed_build(label: str, stories: list[Story], out: Path, options: dict[str, Any]) -> Run:
    spent = {"search": 0.0}
    real_index: Callable[[Path], None] = build_module.index_site

    def index_site(root: Path) -> None:
        start = time.perf_counter()
        real_index(root)
        spent["search"] += time.perf_counter() - start

    build_module.index_site = index_site  # type: ignore[assignment]
    try:
        cpu = cpu_seconds()
        start = time.perf_counter()
        result = build_site(stories, config(), out, now=NOW, **options)
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
    finally:
        build_module.index_site = real_index  # type: ignore[assignment]
    return Run(
        label,
        seconds,
        cpu,
        result.pages,
        result.rendered,
        result.files,
        result.reused,
        spent["search"],
    )


def measure(
    size: int, seed: int, options: dict[str, Any], where: str | None, conn: Connection
) -> None:
    start = time.perf_counter()
    stories = generate(size, seed)
    generated = time.perf_counter() - start
    base = rss_mib()
    tmp = Path(tempfile.mkdtemp(prefix="syndigest-bench-", dir=where))
    try:
        out = tmp / "output"
        runs = [timed_build("full build", stories, out, options)]
        peak = peak_mib()
        runs.append(timed_build("nothing new", stories, out, options))
        rng = random.Random(seed + 1)
        fresh = [make_story(size + i, rng, NOW - timedelta(minutes=100 + 9 * i)) for i in range(10)]
        runs.append(timed_build("10 new stories", [*fresh, *stories], out, options))
        conn.send(
            {
                "size": size,
                "generate": generated,
                "base": base,
                "peak": max(peak, peak_mib()),
                "pagefind_peak": peak_mib(resource.RUSAGE_CHILDREN),
                "runs": runs,
            }
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated story counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-search", action="store_true", help="build without Pagefind")
    parser.add_argument("--no-fsync", action="store_true", help="durable=False (no fsync)")
    parser.add_argument("--dir", help="where to build (default: the system temp folder)")
    args = parser.parse_args()
    options: dict[str, Any] = {"durable": not args.no_fsync}
    if args.no_search:
        options["search"] = False
    context = mp.get_context("fork")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=measure, args=(size, args.seed, options, args.dir, send))
        child.start()
        send.close()
        data = receive.recv()
        child.join()
        results.append(data)
        print(f"\n{size:,} stories (generated in {data['generate']:.1f} s)")
        print(
            f"  {'build':<16}{'wall s':>9}{'cpu s':>9}{'search s':>10}{'pages':>9}{'rendered':>10}"
            f"{'files':>9}{'unchanged':>11}"
        )
        for run in data["runs"]:
            print(
                f"  {run.label:<16}{run.seconds:>9.2f}{run.cpu:>9.2f}{run.search_seconds:>10.2f}"
                f"{run.pages:>9,}{run.rendered:>10,}{run.files:>9,}{run.reused:>11,}"
            )
        print(
            f"  memory: stories {data['base']:.0f} MiB, build peak {data['peak']:.0f} MiB "
            f"(+{data['peak'] - data['base']:.0f} MiB), Pagefind peak {data['pagefind_peak']:.0f} MiB"
        )
        sys.stdout.flush()
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratio = last["size"] / first["size"]
        full = last["runs"][0].seconds / first["runs"][0].seconds
        same = last["runs"][1].seconds / first["runs"][1].seconds
        print(
            f"\ngrowth x{ratio:g} stories: full build x{full:.1f}, nothing-new rebuild x{same:.1f}"
        )


if __name__ == "__main__":
    main()
