"""``python -m crawler.demo``: serve the demo network until Ctrl-C and print its sources.toml."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from crawler.demo.network import DemoNetwork


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Serve the demo network; print the sources.toml on stdout and progress on stderr."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo",
        description="Serve the bundled sample syndication network on loopback.",
    )
    parser.add_argument("--phase", type=int, choices=(1, 2), default=1,
                        help="start in phase 1 (default) or 2 (one more story published)")
    parser.add_argument("--title", default="syndigest demo", help="[site] title in the config")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000/",
                        help="[site] base_url in the config")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    # Stop cleanly on Ctrl-C and on SIGTERM, even when started with SIGINT ignored (background job).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(message)s")
    try:
        with DemoNetwork().start(args.phase) as network:
            print(network.config_text(site_title=args.title, base_url=args.base_url), flush=True)
            for site in network.sites:
                print(f"{site.name}: {site.base_url} ({site.discovery})", file=sys.stderr)
            if args.phase == 1 and sys.stdin is not None and sys.stdin.isatty():
                print("Press Enter to publish phase 2, Ctrl-C to stop.", file=sys.stderr)
                sys.stdin.readline()
                network.set_phase(2)
                print("Phase 2 published.", file=sys.stderr)
            print("Serving; Ctrl-C to stop.", file=sys.stderr)
            threading.Event().wait()
    except KeyboardInterrupt:  # anywhere above, even before the network finished starting
        print("Stopped.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
