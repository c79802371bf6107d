"""The `digest` command line as a user runs it: a subprocess, from a folder of the test's choice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def digest(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`python -m crawler ARGS` from `cwd` (default: the temp folder, not the project's), with
    `env` added to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd or tempfile.gettempdir(),
        env={**os.environ, **env} if env else None,
    )


def export(state: Path) -> list[dict[str, Any]]:
    """The stories of a state, as `digest export` prints them."""
    result = digest("export", "--state", str(state))
    assert result.returncode == 0, result.stderr
    # JSON Lines end at "\n" only: str.splitlines() would also split a story at U+2028 and kin
    return [json.loads(line) for line in result.stdout.split("\n") if line]
