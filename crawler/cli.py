"""The `digest` command: run | crawl | build | export | demo | serve."""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import logging
import os
import shutil
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from crawler import __version__
from crawler.config import Config, ConfigError, StateConfig, load_config
from crawler.export import json_lines
from crawler.site.writer import WriteError
from crawler.store import DB_NAME, SQLiteStore, StoreError, open_store
from crawler.stories import assemble_stories

logger = logging.getLogger(__name__)

EXIT_USAGE = 2


def _stories(state: Path, where: StateConfig | None) -> list:  # type: ignore[type-arg]
    with open_store(state, where) as store:
        return assemble_stories(store.story_copies())


def do_crawl(config: Config, state: Path) -> int:
    """Crawl, print the report, save it; 1 only when every source failed."""
    from crawler.crawl import run_crawl
    from crawler.runreport import FAILED, to_markdown, to_text

    report = run_crawl(config, state)
    print(to_text(report), flush=True)
    state.mkdir(parents=True, exist_ok=True)  # a PostgreSQL store leaves it to us
    (state / "report.json").write_text(json.dumps(report.to_json(), indent=2) + "\n")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(to_markdown(report))
    if report.status == FAILED:
        print("digest: every source failed; the site is left as it was", file=sys.stderr)
        return 1
    return 0


def cache_folder(state: Path) -> Path:
    """The state's `cache/`: what only makes builds faster (compiled templates). Its
    `.gitignore` keeps it out of the state that `scripts/state.sh` saves."""
    folder = state / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


def do_build(config: Config, state: Path, out: Path, force: bool = False) -> int:
    """Build the site; refuse one that would show fewer stories than the last published."""
    from crawler.archive import Archive
    from crawler.site import build_site
    from crawler.site.build import TooFewStories
    from crawler.site.catalog import StoreCatalog
    from crawler.status import source_health

    with open_store(state, config.state) as store:
        published = store.published_count()
        health = source_health(store.runs(), [source.name for source in config.sources])
        try:
            # Other connections to the state, for the parts of the build that run in a forked
            # process (a connection must not be used on both sides of a fork).
            reopen = functools.partial(open_store, state, config.state)
            result = build_site(StoreCatalog(store, reopen), config, out, status=health,
                                extras=Archive(store, reopen),
                                fewest=0 if force else published, cache=cache_folder(state))
        except TooFewStories as exc:
            print(f"digest: error: the new site would show {exc.stories} stories, the last "
                  f"published one showed {published}: refusing to publish (is the state lost or "
                  "damaged? --force publishes anyway)", file=sys.stderr)
            return 1
        store.set_published_count(result.stories)
    print(f"built {result.pages} pages for {result.stories} stories in {result.out_dir}", flush=True)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    status = do_crawl(config, args.state)
    if status != 0:
        return status
    return do_build(config, args.state, args.out, args.force)


def cmd_crawl(args: argparse.Namespace) -> int:
    return do_crawl(load_config(args.config), args.state)


def cmd_build(args: argparse.Namespace) -> int:
    return do_build(load_config(args.config), args.state, args.out, args.force)


def cmd_export(args: argparse.Namespace) -> int:
    where = load_config(args.config).state if args.config else None
    if not (where and where.shared) and not (args.state / DB_NAME).exists():
        raise StoreError(f"{args.state}: no state here (run `digest crawl` first)")
    for line in json_lines(_stories(args.state, where)):
        sys.stdout.write(line + "\n")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when the state is present and intact, 1 (with the reason) otherwise."""
    if not (args.state / DB_NAME).exists():
        raise StoreError(f"{args.state}: no state here")
    with SQLiteStore(args.state) as store:
        store.check()
        stories = len(store.articles_by_story())
    print(f"{args.state}: intact, {stories} stories")
    return 0


def _fetch(source: str) -> bytes:
    """The bytes at a path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": f"syndigest/{__version__}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return bytes(response.read())
    return Path(source).read_bytes()


def cmd_restore(args: argparse.Namespace) -> int:
    """Rebuild a lost or damaged state from a published archive: its index (a path or an http(s)
    URL), or a single archive file from before the archive had parts."""
    from crawler.archive import ARCHIVE_INDEX, read_archive, read_parts, restore

    source: str = args.source
    if source == "site":
        source = load_config(args.config).site.base_url + ARCHIVE_INDEX
    if source.endswith(".json"):
        where = source.rsplit("/", 1)[0] + "/" if "/" in source else ""
        lines = read_parts(_fetch(source), lambda name: _fetch(where + name))
    else:
        lines = read_archive(_fetch(source))
    if (args.state / DB_NAME).exists():
        if not args.force:
            raise StoreError(f"{args.state}: a state exists; --force moves it aside and restores")
        aside = args.state.with_name(f"{args.state.name}.damaged")
        shutil.rmtree(aside, ignore_errors=True)
        args.state.rename(aside)
        print(f"moved the old state to {aside}", file=sys.stderr)
    with SQLiteStore(args.state) as store:
        stories = restore(lines, store)
        store.set_published_count(stories)
    print(f"restored {stories} stories into {args.state}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.config import parse_config
    from crawler.demo import DemoNetwork

    base = args.dir.resolve()
    state, out = base / "state", base / "output"
    out_url = f"http://127.0.0.1:{args.port}/"
    with DemoNetwork() as network:
        text = network.config_text(site_title="syndigest demo", base_url=out_url)
        base.mkdir(parents=True, exist_ok=True)
        (base / "sources.toml").write_text(text, encoding="utf-8")
        config = parse_config(text, str(base / "sources.toml"))
        status = do_crawl(config, state)
    if status != 0:
        return status
    do_build(config, state, out)
    print(f"demo site: {out / 'index.html'}")
    print(f"see it with: digest serve --out {out} --port {args.port}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(args.out))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
        print(f"serving {args.out} at http://{args.host}:{server.server_port}/ (Ctrl-C to stop)",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="digest", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def command(name: str, func, help: str, config: bool = True, state: bool = True,  # type: ignore[no-untyped-def]
                out: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.set_defaults(func=func)
        if config:
            p.add_argument("--config", type=Path, default=Path("sources.toml"))
        if state:
            p.add_argument("--state", type=Path, default=Path("state"))
        if out:
            p.add_argument("--out", type=Path, default=Path("output"))
        if func in (cmd_run, cmd_build):
            p.add_argument("--force", action="store_true",
                           help="publish even if the site would show fewer stories than before")
        return p

    command("run", cmd_run, "crawl, then build the site", out=True)
    command("crawl", cmd_crawl, "crawl every source into the state")
    command("build", cmd_build, "build the site from the state", out=True)
    export = command("export", cmd_export, "print stories as JSON Lines", config=False)
    export.add_argument("--config", type=Path,
                        help="read the stories from the store this config's [state] names "
                             "(default: the SQLite file in --state)")
    command("check", cmd_check, "check that the state is present and intact", config=False)
    restore = command("restore", cmd_restore, "rebuild the state from a published archive")
    restore.add_argument("--from", dest="source", required=True,
                         help="path or URL of a published archive's index (data/archive/index.json) "
                              "or of a single-file archive, or `site` for the index under the "
                              "config's base_url")
    restore.add_argument("--force", action="store_true",
                         help="move an existing state aside and restore anyway")
    demo = command("demo", cmd_demo, "run the whole pipeline on the bundled sample network",
                   config=False, state=False)
    demo.add_argument("--dir", type=Path, default=Path("demo"),
                      help="where the demo's sources.toml, state/ and output/ go (default: demo/)")
    demo.add_argument("--port", type=int, default=8000, help="port the site's links assume")
    serve = command("serve", cmd_serve, "serve the built site on loopback", config=False,
                    state=False, out=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return 1
    except (OSError, WriteError) as exc:  # an output folder refused or unwritable
        print(f"digest: error: {exc}", file=sys.stderr)
        return 1
