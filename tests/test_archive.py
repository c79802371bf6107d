"""A lost or damaged state is rebuilt from the published archive, ids and first-seen intact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crawler.archive import archive_bytes, read_archive, restore
from crawler.items import AssignedArticle
from crawler.store import DB_NAME, SQLiteStore
from tests.commands import digest
from tests.test_store import T0, article


def filled(state: Path) -> SQLiteStore:
    store = SQLiteStore(state)
    store.save(AssignedArticle(article(1), "s1", True), None)
    store.save(AssignedArticle(article(2, source="Beta", fetched_at=T0 + timedelta(days=3)),
                               "s1", False), None)
    store.save(AssignedArticle(article(3, fetched_at=T0 + timedelta(days=2)), "s3", True), None)
    return store


def test_round_trip_keeps_ids_first_seen_and_copies(tmp_path: Path) -> None:
    with filled(tmp_path / "a") as original:
        data = archive_bytes(original)
        assert archive_bytes(original) == data  # deterministic bytes
        expected = original.articles_by_story()
    with SQLiteStore(tmp_path / "b") as rebuilt:
        assert restore(read_archive(data), rebuilt) == 2
        assert rebuilt.articles_by_story() == expected
        assert rebuilt.known_url(article(2).canonical_url)


def test_check_and_restore_commands(tmp_path: Path) -> None:
    state, archive = tmp_path / "state", tmp_path / "archive.jsonl.gz"
    with filled(state) as store:
        archive.write_bytes(archive_bytes(store))
    assert digest("check", "--state", str(state)).returncode == 0

    (state / DB_NAME).write_bytes(b"\x00garbage" * 1000)  # the state is damaged
    for suffix in ("-wal", "-shm"):
        (state / (DB_NAME + suffix)).unlink(missing_ok=True)
    broken = digest("check", "--state", str(state))
    assert broken.returncode == 1 and "digest: error:" in broken.stderr

    refused = digest("restore", "--state", str(state), "--from", str(archive))
    assert refused.returncode == 1 and "--force" in refused.stderr
    restored = digest("restore", "--state", str(state), "--from", str(archive), "--force")
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
