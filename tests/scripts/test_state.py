"""`scripts/state.sh` against a real git remote (a bare repository): the state kept as the one
commit of a branch, restored on a fresh clone, and rebuilt from the published archive when the
branch is lost or damaged; never silently replaced by an empty state."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.archive import ARCHIVE_INDEX, archive_files
from crawler.cli import cache_folder
from crawler.store import DB_NAME, SQLiteStore
from tests.test_archive import filled

REPO = Path(__file__).resolve().parents[2]
STATE_SH = REPO / "scripts" / "state.sh"
BRANCH = "digest-state"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


class Remote:
    """A bare repository standing in for GitHub, and clones of it standing in for runners."""

    def __init__(self, root: Path, site_url: str) -> None:
        self.root = root
        self.bare = root / "remote.git"
        git("init", "-q", "--bare", "-b", "main", str(self.bare), cwd=root)
        seed = self.clone("seed")
        (seed / "sources.toml").write_text(
            f'[site]\ntitle = "Test"\nbase_url = "{site_url}"\n\n'
            '[[sources]]\nname = "Alpha"\nfeeds = ["http://127.0.0.1:9/feed.xml"]\n')
        git("add", "-A", cwd=seed)
        git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "init",
            cwd=seed)
        git("push", "-q", "origin", "main", cwd=seed)

    def clone(self, name: str) -> Path:
        target = self.root / name
        git("clone", "-q", str(self.bare), str(target), cwd=self.root)
        return target

    def commits(self, branch: str) -> int:
        return int(git("rev-list", "--count", branch, cwd=self.bare))


def state_sh(action: str, checkout: Path, state: str = "state") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIGEST": str(Path(sys.executable).with_name("digest"))}
    return subprocess.run(["bash", str(STATE_SH), action, state], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def stories(state: Path) -> dict[str, int]:
    with SQLiteStore(state) as store:
        return {sid: len(copies) for sid, (_, copies) in store.articles_by_story().items()}


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Path]:
    """The published site, served on loopback: `restore --from site` reads its archive."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.joinpath(".url").write_text(f"http://127.0.0.1:{server.server_port}/")
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def remote(tmp_path: Path, published: Path) -> Remote:
    return Remote(tmp_path, published.joinpath(".url").read_text())


@pytest.fixture
def saved(remote: Remote, published: Path) -> dict[str, int]:
    """A runner that crawled, saved its state to the branch and published the site."""
    runner = remote.clone("runner1")
    with filled(runner / "state") as store:
        for path, data in archive_files(store, lambda: SQLiteStore(runner / "state")).items():
            (published / path).parent.mkdir(parents=True, exist_ok=True)
            (published / path).write_bytes(data)
    # What a build keeps only to go faster (compiled templates) is not part of the saved state.
    cache_folder(runner / "state").joinpath("__jinja2_0.cache").write_bytes(b"compiled")
    result = state_sh("save", runner)
    assert result.returncode == 0, result.stderr
    return stories(runner / "state")


def test_saved_state_is_one_commit_and_a_fresh_runner_gets_it_back(
    remote: Remote, saved: dict[str, int]
) -> None:
    runner = remote.clone("runner2")
    again = state_sh("save", remote.root / "runner1")  # the next run saves again
    assert again.returncode == 0, again.stderr
    assert remote.commits(BRANCH) == 1  # replaced, not grown
    assert remote.commits("main") == 1  # the project's own branch is untouched

    restored = state_sh("restore", runner)
    assert restored.returncode == 0, restored.stderr
    assert "state restored from branch" in restored.stdout
    assert stories(runner / "state") == saved == {"s1": 2, "s3": 1}
    assert not (runner / "state" / "cache").exists()


def test_damaged_branch_is_rebuilt_from_the_published_archive(
    remote: Remote, saved: dict[str, int]
) -> None:
    runner = remote.clone("runner2")
    broken = remote.root / "runner1" / "state"
    (broken / DB_NAME).write_bytes(b"\x00not a database" * 500)
    assert state_sh("save", remote.root / "runner1").returncode == 0

    restored = state_sh("restore", runner)
    assert restored.returncode == 0, restored.stderr
    assert "rebuilding it from the published site's archive" in restored.stdout
    assert stories(runner / "state") == saved


def test_lost_branch_is_rebuilt_from_the_published_archive(
    remote: Remote, saved: dict[str, int]
) -> None:
    git("branch", "-D", BRANCH, cwd=remote.bare)
    runner = remote.clone("runner2")
    restored = state_sh("restore", runner)
    assert restored.returncode == 0, restored.stderr
    assert stories(runner / "state") == saved


def test_damaged_branch_without_an_archive_fails_loudly(
    remote: Remote, saved: dict[str, int], published: Path
) -> None:
    (published / ARCHIVE_INDEX).unlink()
    runner1 = remote.root / "runner1"
    (runner1 / "state" / DB_NAME).write_bytes(b"garbage" * 500)
    assert state_sh("save", runner1).returncode == 0
    runner = remote.clone("runner2")
    restored = state_sh("restore", runner)
    assert restored.returncode == 1
    assert "::error::" in restored.stderr and BRANCH in restored.stderr


def test_first_run_starts_empty(remote: Remote, published: Path) -> None:
    runner = remote.clone("runner1")
    restored = state_sh("restore", runner)
    assert restored.returncode == 0, restored.stderr
    assert "first run, starting with an empty state" in restored.stdout
    assert list((runner / "state").iterdir()) == []
