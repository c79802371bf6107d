"""The command line: clear one-line errors with the documented exit codes; serve works."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.commands import digest


@pytest.mark.parametrize("command", ["run", "crawl", "build"])
def test_bad_config_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nname = "a"\nfeeds = ["http://127.0.0.2/f"]\nfeds = 1\n')
    result = digest(command, "--config", str(config), "--state", str(tmp_path / "s"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "sources[0].feds (line 4): unknown key" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_config_exit_2(tmp_path: Path) -> None:
    result = digest("crawl", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "file not found" in result.stderr


def test_export_without_state_is_a_clear_error(tmp_path: Path) -> None:
    result = digest("export", "--state", str(tmp_path / "empty"))
    assert result.returncode == 1 and "no state here" in result.stderr
    assert not (tmp_path / "empty").exists()


def test_serve_shows_the_built_site(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>hello digest</title>")
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", "--out", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"hello digest" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=10)
