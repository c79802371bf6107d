"""Whole-pipeline crawl throughput on a generated network served on loopback.

    python benchmarks/crawl.py [--sites 20] [--pages 10000] [--seed 1]

Generates a network of sites (RSS feeds, sitemaps, paginated listings; about a third of the
articles are syndicated copies of another site's story), serves it from a separate process on
127.0.0.x, runs `digest crawl` on it and prints pages per second (article pages over the
command's wall time, start-up included), CPU per page (user+sys of the crawl process and its
extraction workers, not the server's; and of the crawl process alone, whose one thread runs
Scrapy and so bounds the rate) and peak memory (RSS summed over the crawl's process
tree, sampled every 50 ms). It checks that every article was stored, then fetches the same URLs
(discovery documents and articles) with a bare Scrapy spider that runs on the digest's own
Scrapy settings minus syndigest's components (no extraction, no pipelines): the ceiling, whose
ratio it prints. Politeness delays are for real sites: this benchmark switches them off for
loopback through the documented `[crawl]` keys of its generated sources.toml
(`download_delay = 0`, `autothrottle = false`, `concurrent_per_domain = 8`).

The load average is printed beside each figure: on a shared machine wall-clock rates move with
it, CPU per page much less.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapy.settings import default_settings

from crawler.config import load_config
from crawler.crawl import settings_for
from crawler.pipelines.extract import worker_count

WORDS = ("government", "minister", "council", "harbour", "river", "bridge", "school", "water",
         "budget", "ferry", "road", "farmer", "market", "police", "court", "election", "hospital",
         "teacher", "worker", "railway", "airport", "festival", "museum", "storm", "rainfall",
         "province", "mayor", "senator", "union", "strike", "tariff", "export", "wheat", "rice",
         "approved", "delayed", "announced", "rejected", "opened", "closed", "funded", "repaired",
         "expanded", "said", "officials", "residents", "during", "after", "before", "while",
         "because", "new", "old", "large", "small")
FIRST_HOST = 10


def prose(rng: random.Random, sentences: int) -> str:
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 24))).capitalize() + "."
        for _ in range(sentences))


def article_html(site: int, title: str, paragraphs: list[str], when: str) -> str:
    nav = "".join(f'<li><a href="/section/{i}/">Section {i}</a></li>' for i in range(12))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/news/{i}/">Related headline {i}...</a></li>' for i in range(6))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Site {site}'
            f'</title><meta property="article:published_time" content="{when}">'
            f'<link rel="canonical" href="/news/PATH/"></head><body><header><ul>{nav}</ul></header>'
            f"<main><article><h1>{title}</h1>{body}<p>(ANI)</p></article>"
            f"<aside><h3>Related posts</h3><ul>{related}</ul></aside></main>"
            f"<footer>Copyright Site {site}. All rights reserved.</footer></body></html>")


def generate(sites: int, pages: int, seed: int) -> dict[int, dict[str, bytes]]:
    """host index -> {path: body}. About a third of the pages are copies of another site's."""
    rng = random.Random(seed)
    per_site = pages // sites
    stories: list[tuple[str, list[str]]] = []
    network: dict[int, dict[str, bytes]] = {}
    for site in range(sites):
        files: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
        links = []
        for n in range(per_site):
            if stories and rng.random() < 0.35:
                title, paragraphs = rng.choice(stories)
            else:
                title = prose(rng, 1)[:80].rstrip(".")
                paragraphs = [prose(rng, rng.randint(2, 4)) for _ in range(rng.randint(5, 9))]
                stories.append((title, paragraphs))
            path = f"/news/{site}-{n}/"
            when = f"2025-06-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+05:30"
            files[path] = article_html(site, title, paragraphs, when).replace(
                "/news/PATH/", path).encode()
            links.append(path)
        kind = site % 3
        if kind == 0:  # RSS feed
            items = "".join(f"<item><title>t</title><link>{{base}}{p}</link></item>" for p in links)
            files["/feed.xml"] = f"<rss version='2.0'><channel><title>f</title>{items}</channel></rss>".encode()
        elif kind == 1:  # sitemap
            urls = "".join(f"<url><loc>{{base}}{p}</loc></url>" for p in links)
            files["/sitemap.xml"] = (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                     f"{urls}</urlset>").encode()
        else:  # paginated listing, 50 per page
            chunks = [links[i:i + 50] for i in range(0, len(links), 50)]
            for number, chunk in enumerate(chunks, 1):
                anchors = "".join(f'<a href="{p}">story</a> ' for p in chunk)
                following = f'<a href="/list/{number + 1}/">next</a>' if number < len(chunks) else ""
                files[f"/list/{number}/"] = f"<html><body>{anchors}{following}</body></html>".encode()
        network[site] = files
    return network


def serve(network: dict[int, dict[str, bytes]], ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ports = {}
    for site, files in network.items():
        host = f"127.0.0.{FIRST_HOST + site}"

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            pages = files

            def do_GET(self) -> None:
                body = self.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                base = f"http://{self.headers['Host']}".encode()
                body = body.replace(b"{base}", base)
                self.send_response(200)
                kind = "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports[site] = server.server_port
    ready.put(ports)
    threading.Event().wait()


# Politeness off for loopback: the documented [crawl] keys of sources.toml.
LOOPBACK_CRAWL = {"download_delay": "0", "autothrottle": "false", "concurrent_per_domain": "8",
                  "retry_times": "1"}


def config_text(network: dict[int, dict[str, bytes]], ports: dict[int, int]) -> str:
    lines = ["[crawl]", *(f"{key} = {value}" for key, value in LOOPBACK_CRAWL.items()), ""]
    for site, files in network.items():
        base = f"http://127.0.0.{FIRST_HOST + site}:{ports[site]}"
        lines += ["[[sources]]", f'name = "Site {site}"', "article_pattern = '/news/'",
                  "max_pages = 100000", "max_depth = 20"]
        if "/feed.xml" in files:
            lines.append(f'feeds = ["{base}/feed.xml"]')
        elif "/sitemap.xml" in files:
            lines.append(f'sitemaps = ["{base}/sitemap.xml"]')
        else:
            lines.append(f'start_urls = ["{base}/list/1/"]')
        lines.append("")
    return "\n".join(lines)


BARE_SPIDER = '''
import json, os
import scrapy

class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = json.loads(os.environ["BARE_SETTINGS"])

    async def start(self):
        with open(self.urls_file) as urls:
            for url in urls:
                yield scrapy.Request(url.strip(), callback=self.parse)

    def parse(self, response):
        self.crawler.stats.inc_value("bare/pages")

    def closed(self, reason):
        with open(self.count_file, "w") as out:
            out.write(str(self.crawler.stats.get_value("bare/pages", 0)))
'''


def bare_settings(config: Path, state: Path) -> dict[str, Any]:
    """The Scrapy settings `digest crawl` runs with (project defaults plus the config's values),
    where they differ from Scrapy's, minus syndigest's own components and values."""
    settings = settings_for(load_config(config), state, None).copy_to_dict()
    bare: dict[str, Any] = {}
    for key, value in settings.items():
        if key.startswith("SYNDIGEST_") or key in ("ITEM_PIPELINES", "EXTENSIONS", "BOT_NAME",
                                                  "SPIDER_MODULES", "NEWSPIDER_MODULE"):
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if not str(k).startswith("crawler.")}
        if value != getattr(default_settings, key, None):
            bare[key] = value
    return bare


@dataclass(frozen=True, slots=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user+sys seconds of the process and every descendant it reaped
    own_cpu: float  # user+sys seconds of the process alone (Scrapy's thread, for the digest)
    peak_mb: float  # highest sum of RSS over the process tree
    load: tuple[float, float]  # 1-minute load average before and after


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for parent in found:
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as children:
                    found.extend(int(child) for child in children.read().split())
        except OSError:  # ended between two reads
            continue
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total / 1024


def _cpu(pid: int) -> float:
    """CPU seconds (user+sys) that process `pid` itself has used so far; not its children's."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Measured:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    peak = own = 0.0
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                   env={**os.environ, **(env or {})})
        while process.poll() is None:
            peak = max(peak, _rss_mb(_descendants(process.pid)))
            with contextlib.suppress(OSError):  # ended since: the last sample stands
                own = _cpu(process.pid)
            time.sleep(0.05)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command[:4])}... failed:\n{log.read_text()[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, own, peak, (load, os.getloadavg()[0]))


def stored_articles(report: Path) -> tuple[int, int, int]:
    """(articles stored, new stories, pages not kept) from the crawl's report."""
    sources = json.loads(report.read_text())["sources"]
    return (sum(s["articles"] for s in sources), sum(s["new_stories"] for s in sources),
            sum(sum(s["not_kept"].values()) for s in sources))


def verdict(digest: Measured, bare: Measured, pages: int) -> str:
    """Each target of the issue, met or not, with the figure measured."""
    rate, cpu = pages / digest.wall, 1000 * digest.cpu / pages
    share = 100 * bare.wall / digest.wall
    checks = ((">= 100 pages/s", rate >= 100, f"{rate:.1f}"),
              ("<= 15 ms CPU/page", cpu <= 15, f"{cpu:.2f}"),
              (">= 50% of the bare rate", share >= 50, f"{share:.0f}%"),
              ("<= 600 MB peak", digest.peak_mb <= 600, f"{digest.peak_mb:.0f}"))
    return "targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'} ({value})"
                                   for name, ok, value in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    network = generate(args.sites, args.pages, args.seed)
    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=serve, args=(network, ready), daemon=True)
    server.start()
    ports = ready.get(timeout=60)
    articles = sum(1 for files in network.values() for p in files if p.startswith("/news/"))
    urls = [f"http://127.0.0.{FIRST_HOST + site}:{ports[site]}{path}"
            for site, files in network.items() for path in files if path != "/robots.txt"]
    print(f"network: {args.sites} sites, {articles} article pages (+{len(urls) - articles} feeds, "
          f"sitemaps and listing pages), served on 127.0.0.{FIRST_HOST}-"
          f"{FIRST_HOST + args.sites - 1} by a separate process")
    print("politeness delays off for loopback, through sources.toml's [crawl] keys: "
          + ", ".join(f"{key} = {value}" for key, value in LOOPBACK_CRAWL.items()))
    print(f"digest extracts in {worker_count(None)} worker process(es) beside Scrapy's "
          f"(EXTRACT_WORKERS' default on {os.cpu_count()} cores)")
    assert server.pid is not None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            config, state = work / "sources.toml", work / "state"
            config.write_text(config_text(network, ports))
            served = _cpu(server.pid)
            digest = measure([sys.executable, "-m", "crawler", "crawl", "--config", str(config),
                              "--state", str(state)], work, work / "digest.log")
            served = _cpu(server.pid) - served
            stored, stories, not_kept = stored_articles(state / "report.json")
            (work / "urls.txt").write_text("".join(f"{url}\n" for url in urls))
            (work / "bare.py").write_text(BARE_SPIDER)
            settings = json.dumps(bare_settings(config, work / "bare-state"))
            bare = measure([sys.executable, "-m", "scrapy", "runspider", str(work / "bare.py"),
                            "-a", f"urls_file={work / 'urls.txt'}", "-a",
                            f"count_file={work / 'bare-count'}"], work, work / "bare.log",
                           env={"BARE_SETTINGS": settings})
            fetched = int((work / "bare-count").read_text())
    finally:
        server.terminate()
    print(f"digest crawl stored {stored} of {articles} articles ({stories} stories, "
          f"{stored - stories} syndicated copies, {not_kept} pages not kept); "
          f"the bare spider fetched {fetched} of {len(urls)} URLs")
    print(f"{'':24}{'pages/s':>9}{'CPU ms/page':>13}{'main process':>14}{'peak MB':>9}"
          f"{'wall s':>8}  load avg before/after")
    for name, run in (("digest crawl", digest), ("bare Scrapy (ceiling)", bare)):
        print(f"{name:24}{articles / run.wall:>9.1f}{1000 * run.cpu / articles:>13.2f}"
              f"{1000 * run.own_cpu / articles:>14.2f}{run.peak_mb:>9.0f}{run.wall:>8.1f}  "
              f"{run.load[0]:.2f} / {run.load[1]:.2f}")
    print(f"server process during the digest crawl: {1000 * served / articles:.2f} ms CPU/page "
          f"(on the same {os.cpu_count()} cores)")
    print(f"digest reaches {100 * bare.wall / digest.wall:.0f}% of the bare-crawl rate; "
          f"uses {digest.cpu / bare.cpu:.1f}x its CPU")
    print(verdict(digest, bare, articles))
    if stored != articles or fetched != len(urls):
        sys.exit("incomplete crawl: the figures above do not measure the whole network")


if __name__ == "__main__":
    main()
