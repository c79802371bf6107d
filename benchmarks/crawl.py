"""Whole-pipeline crawl throughput on a generated network served on loopback.

    python benchmarks/crawl.py [--sites 20] [--pages 10000] [--seed 1]

Generates a network of sites (feeds, sitemaps, paginated listings, a share of syndicated
copies), serves it from a separate process on 127.0.0.x, runs `digest crawl` on it and prints
pages per second, CPU seconds per page (the crawler's own user+sys), and peak memory. In the
same run it crawls the same URLs with a bare Scrapy spider that does no extraction (the
ceiling) and prints the ratios. Politeness delays are for real sites: this benchmark switches
them off for loopback (`download_delay = 0`, `autothrottle = false` in its generated config).
"""

from __future__ import annotations

import argparse
import http.server
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

WORDS = ("government minister council harbour river bridge school water budget ferry road "
         "farmer market police court election hospital teacher worker railway airport festival "
         "museum storm rainfall province mayor senator union strike tariff export wheat rice "
         "approved delayed announced rejected opened closed funded repaired expanded said "
         "officials residents during after before while because new old large small").split()
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

            def do_GET(self) -> None:  # noqa: N802
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


def config_text(network: dict[int, dict[str, bytes]], ports: dict[int, int]) -> str:
    lines = ["[crawl]", "download_delay = 0", "autothrottle = false", "concurrent_per_domain = 8",
             "retry_times = 1", ""]
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
import scrapy

class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
                       "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                       "DOWNLOAD_DELAY": 0, "COOKIES_ENABLED": False,
                       "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}

    async def start(self):
        with open(self.urls_file) as urls:
            for url in urls:
                yield scrapy.Request(url.strip(), callback=self.parse)

    def parse(self, response):
        self.crawler.stats.inc_value("bare/pages")
'''


def measure(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, child CPU seconds (user+sys), child peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{command[:4]} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


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
    article_count = sum(1 for files in network.values() for p in files if p.startswith("/news/"))
    print(f"network: {args.sites} sites, {article_count} article pages, served on "
          f"127.0.0.{FIRST_HOST}-{FIRST_HOST + args.sites - 1} by a separate process")
    print("politeness delays off for loopback (download_delay = 0, autothrottle = false)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "sources.toml").write_text(config_text(network, ports))
            wall, cpu, rss = measure([sys.executable, "-m", "crawler", "crawl", "--config",
                                      str(work / "sources.toml"), "--state", str(work / "state")], work)
            (work / "urls.txt").write_text("".join(
                f"http://127.0.0.{FIRST_HOST + site}:{ports[site]}{p}\n"
                for site, files in network.items() for p in files if p.startswith("/news/")))
            (work / "bare.py").write_text(BARE_SPIDER)
            bwall, bcpu, brss = measure([sys.executable, "-m", "scrapy", "runspider",
                                         str(work / "bare.py"), "-a", f"urls_file={work / 'urls.txt'}"], work)
    finally:
        server.terminate()
    pages = article_count
    print(f"{'':24}{'pages/s':>10}{'CPU ms/page':>14}{'peak MB':>10}{'wall s':>9}")
    print(f"{'digest crawl':24}{pages / wall:>10.1f}{1000 * cpu / pages:>14.2f}{rss:>10.0f}{wall:>9.1f}")
    print(f"{'bare Scrapy (ceiling)':24}{pages / bwall:>10.1f}{1000 * bcpu / pages:>14.2f}"
          f"{brss:>10.0f}{bwall:>9.1f}")
    print(f"digest reaches {100 * bwall / wall:.0f}% of the bare-crawl rate")


if __name__ == "__main__":
    main()
