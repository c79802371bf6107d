"""A lost or damaged state is rebuilt from the published archive, ids and first-seen intact."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.archive import (
    ARCHIVE_DIR,
    ARCHIVE_INDEX,
    Archive,
    archive_files,
    read_archive,
    read_parts,
    restore,
)
from crawler.items import AssignedArticle
from crawler.store import DB_NAME, SQLiteStore, StoreError
from tests.commands import digest
from tests.test_store import T0, article


def filled(state: Path) -> SQLiteStore:
    store = SQLiteStore(state)
    store.save(AssignedArticle(article(1), "s1", True), None)
    store.save(AssignedArticle(article(2, source="Beta", fetched_at=T0 + timedelta(days=3)),
                               "s1", False), None)
    store.save(AssignedArticle(article(3, fetched_at=T0 + timedelta(days=2)), "s3", True), None)
    return store


def files_of(store: SQLiteStore) -> dict[str, bytes]:
    return archive_files(store, lambda: SQLiteStore(store.path.parent))


def write_archive(store: SQLiteStore, root: Path) -> Path:
    """Publish the store's archive under `root` as a build would; returns the index's path."""
    for path, data in files_of(store).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root / ARCHIVE_INDEX


def read(index: Path) -> list[str]:
    return read_parts(index.read_bytes(), lambda name: (index.parent / name).read_bytes())


def test_round_trip_keeps_ids_first_seen_and_copies(tmp_path: Path) -> None:
    with filled(tmp_path / "a") as original:
        files = files_of(original)
        assert files_of(original) == files  # deterministic bytes
        expected = original.articles_by_story()
        index = write_archive(original, tmp_path / "site")
    # a part per first-seen day, listed oldest first
    assert sorted(files) == [f"{ARCHIVE_DIR}/2025-06-03.jsonl.gz",
                             f"{ARCHIVE_DIR}/2025-06-04.jsonl.gz", ARCHIVE_INDEX]
    with SQLiteStore(tmp_path / "b") as rebuilt:
        assert restore(read(index), rebuilt) == 2
        assert rebuilt.articles_by_story() == expected
        assert rebuilt.known_url(article(2).canonical_url)


def test_a_part_is_made_again_only_when_its_stories_gain_copies(tmp_path: Path) -> None:
    with filled(tmp_path / "a") as store:
        before = Archive(store, lambda: store).keys()
        store.save(AssignedArticle(article(4, source="Gamma"), "s3", False), None)
        after = Archive(store, lambda: store).keys()
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed == {ARCHIVE_INDEX, f"{ARCHIVE_DIR}/2025-06-04.jsonl.gz"}


def test_an_archive_from_before_the_parts_is_still_read(tmp_path: Path) -> None:
    with filled(tmp_path / "a") as store:
        files = files_of(store)
        expected = store.articles_by_story()
    parts = [files[path] for path in sorted(files) if path.endswith(".gz")]
    single = gzip.compress(b"".join(gzip.decompress(part) for part in parts))
    with SQLiteStore(tmp_path / "b") as rebuilt:
        assert restore(read_archive(single), rebuilt) == 2
        assert rebuilt.articles_by_story() == expected


def test_a_truncated_or_missing_part_is_an_error(tmp_path: Path) -> None:
    with filled(tmp_path / "a") as store:
        index = write_archive(store, tmp_path / "site")
    part = index.parent / "2025-06-03.jsonl.gz"
    lines = gzip.decompress(part.read_bytes()).splitlines(keepends=True)
    part.write_bytes(gzip.compress(b"".join(lines[:-1])))
    with pytest.raises(StoreError, match=r"2025-06-03\.jsonl\.gz: 1 copies, the index says 2"):
        read(index)
    part.write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(StoreError, match="unreadable archive"):
        read(index)
    index.write_text('{"format": 2, "parts": [{"path": "../../etc/passwd", "copies": 1}]}')
    with pytest.raises(StoreError, match="outside its folder"):
        read(index)


def test_check_and_restore_commands(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with filled(state) as store:
        index = write_archive(store, tmp_path / "site")
    assert digest("check", "--state", str(state)).returncode == 0

    (state / DB_NAME).write_bytes(b"\x00garbage" * 1000)  # the state is damaged
    for suffix in ("-wal", "-shm"):
        (state / (DB_NAME + suffix)).unlink(missing_ok=True)
    broken = digest("check", "--state", str(state))
    assert broken.returncode == 1 and "digest: error:" in broken.stderr

    refused = digest("restore", "--state", str(state), "--from", str(index))
    assert refused.returncode == 1 and "--force" in refused.stderr
    restored = digest("restore", "--state", str(state), "--from", str(index), "--force")
    assert restored.returncode == 0, restored.stderr
    assert "restored 2 stories" in restored.stdout
    assert digest("check", "--state", str(state)).returncode == 0
    assert (tmp_path / "state.damaged").is_dir()
    with SQLiteStore(state) as store:
        assert store.published_count() == 2


def test_bad_archive_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format": 1, "story_id": "x"}\n')
    result = digest("restore", "--state", str(tmp_path / "s"), "--from", str(bad))
    assert result.returncode == 1 and "archive line 1" in result.stderr
