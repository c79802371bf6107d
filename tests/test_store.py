"""The state, in SQLite and in PostgreSQL: stories keep their id and first-seen time; runs are
recorded; crawler processes sharing a PostgreSQL state take turns to store copies."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.archive import archive_files, read_parts, restore
from crawler.config import StateConfig
from crawler.items import Article, AssignedArticle
from crawler.store import DB_NAME, SQLiteStore, Store, StoreError, open_store
from crawler.store_pg import PostgresStore
from tests.services import postgres_dsn, postgres_server

__all__ = ["postgres_dsn", "postgres_server"]  # the fixtures

T0 = datetime(2025, 6, 2, 1, 30, tzinfo=UTC)


def article(n: int, source: str = "Alpha", **changes: object) -> Article:
    base = Article(
        url=f"http://127.0.0.2/news/{n}?utm_source=x",
        canonical_url=f"http://127.0.0.2/news/{n}",
        source=source,
        title=f"Story {n} — Ünïcode",
        published=T0 + timedelta(hours=n),
        published_estimated=False,
        author=None,
        original_source="ANI",
        lede="Lede.",
        paragraphs=("First paragraph.", "Second paragraph."),
        language="en",
        fetched_at=T0 + timedelta(days=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_state(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
    """Opens one state (each call a new connection, as another process would)."""
    if request.param == "sqlite":
        return lambda: open_store(tmp_path)
    state = StateConfig(backend="postgresql", dsn=request.getfixturevalue("postgres_dsn"))
    return lambda: open_store(tmp_path, state)


def test_saved_articles_come_back_grouped_by_story(open_state: Callable[[], Store]) -> None:
    with open_state() as store:
        run = store.begin_run(T0)
        store.save(AssignedArticle(article(1), "s1", True), run)
        copy = article(2, source="Beta", fetched_at=T0 + timedelta(days=2))
        store.save(AssignedArticle(copy, "s1", False), run)
        store.save(AssignedArticle(article(3), "s3", True), run)
    with open_state() as store:
        grouped = store.articles_by_story()
        assert set(grouped) == {"s1", "s3"}
        first_seen, copies = grouped["s1"]
        assert first_seen == T0 + timedelta(days=1)
        assert [c.source for c in copies] == ["Alpha", "Beta"]
        assert copies[0] == article(1)
        assert store.known_url("http://127.0.0.2/news/1")
        assert store.known_url("http://127.0.0.2/news/1?utm_source=x")
        assert not store.known_url("http://127.0.0.2/news/9")
        first = store.copies_after(0)[0]
        assert (first.story_id, first.url, first.canonical_url, first.text) == (
            "s1", article(1).url, article(1).canonical_url, "First paragraph.\n\nSecond paragraph.")


def test_the_archive_reads_the_same_stories_back_from_either_backend(
    open_state: Callable[[], Store], tmp_path: Path
) -> None:
    """The archive's parts (written as JSON by SQLite, by Python for PostgreSQL) restore the
    very stories that were stored, counted and keyed the same way."""
    images = article(2, source="Beta", images=("https://img.example/a.jpg",),
                     published_estimated=True, author="Ann Author", original_source=None)
    with open_state() as store:
        store.save(AssignedArticle(article(1), "s1", True), None)
        store.save(AssignedArticle(images, "s1", False), None)
        store.save(AssignedArticle(article(3, title="Ünïcode \"quoted\" <b>"), "s3", True), None)
        expected = store.articles_by_story()
        assert [(i, copies) for i, _, copies in sorted(store.story_counts())] == [("s1", 2), ("s3", 1)]
        files = archive_files(store, open_state)
    index = json.loads(files["data/archive/index.json"])
    assert [p["copies"] for p in index["parts"]] == [3]  # one first-seen day
    lines = read_parts(files["data/archive/index.json"],
                       lambda name: files[f"data/archive/{name}"])
    with SQLiteStore(tmp_path / "restored") as rebuilt:
        assert restore(lines, rebuilt) == 2
        assert rebuilt.articles_by_story() == expected


def test_story_first_seen_never_changes(open_state: Callable[[], Store]) -> None:
    with open_state() as store:
        store.save(AssignedArticle(article(1), "s1", True), None)
        late = article(5, fetched_at=T0 + timedelta(days=30))
        store.save(AssignedArticle(late, "s1", True), None)
        assert store.articles_by_story()["s1"][0] == T0 + timedelta(days=1)


def test_runs_are_recorded(open_state: Callable[[], Store]) -> None:
    with open_state() as store:
        run = store.begin_run(T0)
        store.finish_run(run, T0 + timedelta(minutes=3), "ok", {"pages": 4})
        (recorded,) = store.runs()
    assert recorded["status"] == "ok" and recorded["stats"] == {"pages": 4}


def test_copies_after_gives_what_others_stored_since(open_state: Callable[[], Store]) -> None:
    with open_state() as ours, open_state() as theirs:
        ours.save(AssignedArticle(article(1), "s1", True), None)
        ours.save(AssignedArticle(article(2), "s2", True), None)
        seen = ours.copies_after(0)
        assert [c.story_id for c in seen] == ["s1", "s2"]
        theirs.save(AssignedArticle(article(3, source="Beta"), "s1", False), None)
        (new,) = ours.copies_after(seen[-1].position)
        assert (new.story_id, new.canonical_url) == ("s1", article(3).canonical_url)
        assert ours.copies_after(new.position) == []
        assert ours.known_url(article(3).url) and article(3).url in ours.all_urls()


def test_later_saves_replace_refusals_validators_and_counts(open_state: Callable[[], Store]) -> None:
    with open_state() as store:
        store.save_refusals({"http://a/1": ("http-503", 1, T0)})
        store.save_refusals({"http://a/1": ("timeout", 2, T0 + timedelta(hours=6))})
        assert store.refusals() == {"http://a/1": ("timeout", 2, T0 + timedelta(hours=6))}
        store.save_validators({"http://a/feed": ('"v1"', None)})
        store.save_validators({"http://a/feed": ('"v2"', "Mon, 02 Jun 2025 01:30:00 GMT")})
        assert store.validators() == {"http://a/feed": ('"v2"', "Mon, 02 Jun 2025 01:30:00 GMT")}
        store.set_published_count(3)
        store.set_published_count(5)
        assert store.published_count() == 5
        copy = AssignedArticle(article(1), "s1", True)
        store.save(copy, None)
        store.save(replace(copy, story_id="s2"), None)  # a copy is stored once, in its first story
        grouped = store.articles_by_story()
        assert len(grouped["s1"][1]) == 1 and grouped["s2"][1] == []


def test_story_copies_gives_each_story_with_copies_one_at_a_time(
    open_state: Callable[[], Store],
) -> None:
    with open_state() as store:
        store.save(AssignedArticle(article(1), "s1", True), None)
        store.save(AssignedArticle(article(2, source="Beta"), "s2", True), None)
        store.save(AssignedArticle(article(3, source="Gamma"), "s1", False), None)
        store.save(AssignedArticle(article(4, paragraphs=("Other.",)), "s1", False), None)
        store.save(AssignedArticle(article(1), "empty", True), None)  # its copy is in s1
        grouped = store.articles_by_story()
        streamed = {story_id: (seen, copies) for story_id, seen, copies in store.story_copies()}
        assert streamed == {k: v for k, v in grouped.items() if k != "empty"}
        alpha, gamma, other = streamed["s1"][1]  # in storing order
        assert (alpha.source, gamma.source, other.paragraphs) == ("Alpha", "Gamma", ("Other.",))
        assert alpha.paragraphs is gamma.paragraphs  # one text, read once
        wanted = [f"missing{n}" for n in range(600)] + ["s2", "empty"]  # more than one query
        assert [story_id for story_id, _, _ in store.story_copies(wanted)] == ["s2"]
        assert set(store.articles_by_story(wanted)) == {"s2", "empty"}


def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    SQLiteStore(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(tmp_path)


def test_postgresql_processes_take_turns_to_store(postgres_dsn: str) -> None:
    """Two connections opening a new database at once create its schema once; `hold` is
    re-entrant and keeps the other waiting until every hold is released."""
    with ThreadPoolExecutor(2) as pool:
        ours, theirs = pool.map(lambda _: PostgresStore(postgres_dsn), range(2))
    entered = threading.Event()
    with ours, theirs:
        ours.hold()
        ours.hold()
        def wait_for_turn() -> None:
            theirs.hold()
            entered.set()

        waiter = threading.Thread(target=wait_for_turn)
        waiter.start()
        ours.release()
        time.sleep(0.3)
        assert not entered.is_set()
        ours.release()
        waiter.join(timeout=10)
        assert entered.is_set()
        theirs.release()


def test_unreachable_postgresql_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="cannot connect") as info:
        PostgresStore("postgresql://digest:s3cret-pw@127.0.0.1:1/digest")
    assert "s3cret-pw" not in str(info.value)
