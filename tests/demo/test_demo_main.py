"""``python -m crawler.demo``: serves the network, prints a valid sources.toml, stops on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import urllib.request

from crawler.config import parse_config


def _read_config(stream: object, lines: list[str], done: threading.Event) -> None:
    sources = 0
    for line in stream:  # type: ignore[attr-defined]
        lines.append(line)
        sources += line.strip() == "[[sources]]"
        if sources == 4 and not line.strip():
            break
    done.set()


def test_main_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo", "--title", "Manual try"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        lines: list[str] = []
        done = threading.Event()
        threading.Thread(target=_read_config, args=(process.stdout, lines, done),
                         daemon=True).start()
        assert done.wait(30), "no config printed"
        config = parse_config("".join(lines))
        assert config.site.title == "Manual try"
        assert len(config.sources) == 4
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for source in config.sources:
            url = (*source.feeds, *source.sitemaps, *source.start_urls)[0]
            with opener.open(url, timeout=10) as response:
                assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Serving" in err and "Stopped." in err


def test_main_stops_on_sigterm() -> None:
    process = subprocess.Popen([sys.executable, "-m", "crawler.demo", "--phase", "2"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        done = threading.Event()
        threading.Thread(target=_read_config, args=(process.stdout, lines, done),
                         daemon=True).start()
        assert done.wait(30), "no config printed"
    finally:
        process.terminate()
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0 and "Stopped." in err, err
