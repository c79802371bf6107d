"""The state: articles, stories and runs in SQLite.

The build reads only this, so a crawl and a build can run apart. A story's id and `first_seen`
are written once, when the story is created, and never changed: feed GUIDs and story URLs rest
on them. Every write is a transaction; the database runs in WAL mode so a killed crawl leaves the
last committed state intact.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from crawler.items import Article, AssignedArticle

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DB_NAME = "syndigest.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    canonical_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT NOT NULL,
    published_estimated INTEGER NOT NULL,
    author TEXT,
    original_source TEXT,
    lede TEXT NOT NULL,
    paragraphs TEXT NOT NULL,
    language TEXT,
    images TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories(id),
    run_id INTEGER REFERENCES runs(id)
);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    stats TEXT NOT NULL DEFAULT '{}'
);
"""


class StoreError(Exception):
    """The state directory cannot be used (unreadable, corrupt or from a newer version)."""


class Store(Protocol):
    """What the pipelines, the build and the export need from the state."""

    def story_texts(self) -> Iterator[tuple[str, str]]: ...
    def known_url(self, url: str) -> bool: ...
    def all_urls(self) -> set[str]: ...
    def save(
        self, assigned: AssignedArticle, run_id: int | None, first_seen: datetime | None = None
    ) -> None: ...
    def articles_by_story(self) -> dict[str, tuple[datetime, list[Article]]]: ...
    def begin_run(self, started: datetime) -> int: ...
    def finish_run(self, run_id: int, finished: datetime, status: str, stats: dict[str, Any]) -> None: ...


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class SQLiteStore:
    """SQLite implementation of `Store`, one database file in the state directory."""

    def __init__(self, state_dir: str | Path) -> None:
        self.path = Path(state_dir) / DB_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            self._check_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the state database: {exc}") from None

    def check(self) -> None:
        """Raise StoreError unless SQLite finds the database intact."""
        try:
            result = self._db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: damaged: {exc}") from None
        if result != "ok":
            raise StoreError(f"{self.path}: damaged: {result}")

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer syndigest (schema {row[0]})")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- crawl side --

    def story_texts(self) -> Iterator[tuple[str, str]]:
        """(story id, clean text) of every stored copy, oldest first: seeds the dedup index."""
        rows = self._db.execute("SELECT story_id, paragraphs FROM articles ORDER BY rowid")
        for story_id, paragraphs in rows:
            yield story_id, "\n\n".join(json.loads(paragraphs))

    def known_url(self, url: str) -> bool:
        """Whether a page under this URL (fetched or canonical) is already stored."""
        row = self._db.execute(
            "SELECT 1 FROM urls WHERE url=? UNION SELECT 1 FROM articles WHERE canonical_url=?",
            (url, url),
        ).fetchone()
        return row is not None

    def all_urls(self) -> set[str]:
        """Every URL (fetched or canonical) of a stored page."""
        return {url for (url,) in self._db.execute("SELECT url FROM urls")}

    def save(
        self, assigned: AssignedArticle, run_id: int | None, first_seen: datetime | None = None
    ) -> None:
        """Store a copy; a new story is first seen now (or at `first_seen`, when restoring)."""
        a = assigned.article
        with self._transaction() as db:
            if assigned.new_story:
                db.execute(
                    "INSERT OR IGNORE INTO stories(id, first_seen) VALUES(?, ?)",
                    (assigned.story_id, (first_seen or a.fetched_at).isoformat()),
                )
            db.execute(
                "INSERT OR IGNORE INTO articles VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    a.canonical_url, a.url, a.source, a.title, a.published.isoformat(),
                    int(a.published_estimated), a.author, a.original_source, a.lede,
                    json.dumps(list(a.paragraphs), ensure_ascii=False), a.language,
                    json.dumps(list(a.images)), a.fetched_at.isoformat(), assigned.story_id,
                    run_id,
                ),
            )
            db.executemany(
                "INSERT OR IGNORE INTO urls(url, canonical_url) VALUES(?, ?)",
                [(a.url, a.canonical_url), (a.canonical_url, a.canonical_url)],
            )

    def refusals(self) -> dict[str, tuple[str, int, datetime]]:
        """Article URLs not kept by earlier runs: reason, attempts, when last tried."""
        rows = self._db.execute("SELECT url, reason, attempts, last FROM refusals")
        return {url: (reason, attempts, _dt(last)) for url, reason, attempts, last in rows}

    def save_refusals(self, entries: dict[str, tuple[str, int, datetime]]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO refusals(url, reason, attempts, last) VALUES(?, ?, ?, ?)",
                [(url, r, n, last.isoformat()) for url, (r, n, last) in entries.items()],
            )

    def validators(self) -> dict[str, tuple[str | None, str | None]]:
        """ETag and Last-Modified of discovery documents, by URL, from earlier runs."""
        rows = self._db.execute("SELECT url, etag, last_modified FROM validators")
        return {url: (etag, modified) for url, etag, modified in rows}

    def save_validators(self, entries: dict[str, tuple[str | None, str | None]]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO validators(url, etag, last_modified) VALUES(?, ?, ?)",
                [(url, etag, modified) for url, (etag, modified) in entries.items()],
            )

    def published_count(self) -> int:
        """How many stories the last published build showed (0 before the first)."""
        row = self._db.execute("SELECT value FROM meta WHERE key='published_stories'").fetchone()
        return int(row[0]) if row else 0

    def set_published_count(self, stories: int) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('published_stories', ?)",
                (str(stories),),
            )

    def begin_run(self, started: datetime) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs(started, status) VALUES(?, 'running')", (started.isoformat(),)
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self, run_id: int, finished: datetime, status: str, stats: dict[str, Any]
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished=?, status=?, stats=? WHERE id=?",
                (finished.isoformat(), status, json.dumps(stats, default=str), run_id),
            )

    # -- build side --

    def articles_by_story(self) -> dict[str, tuple[datetime, list[Article]]]:
        """Every story id with its first-seen time and its copies."""
        stories: dict[str, tuple[datetime, list[Article]]] = {
            story_id: (_dt(first_seen), [])
            for story_id, first_seen in self._db.execute("SELECT id, first_seen FROM stories")
        }
        rows = self._db.execute(
            "SELECT url, canonical_url, source, title, published, published_estimated, author,"
            " original_source, lede, paragraphs, language, images, fetched_at, story_id"
            " FROM articles ORDER BY rowid"
        )
        for row in rows:
            article = Article(
                url=row[0], canonical_url=row[1], source=row[2], title=row[3],
                published=_dt(row[4]), published_estimated=bool(row[5]), author=row[6],
                original_source=row[7], lede=row[8], paragraphs=tuple(json.loads(row[9])),
                language=row[10], images=tuple(json.loads(row[11])), fetched_at=_dt(row[12]),
            )
            stories[row[13]][1].append(article)
        return stories

    def runs(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT id, started, finished, status, stats FROM runs ORDER BY id")
        return [
            {"id": r[0], "started": r[1], "finished": r[2], "status": r[3], "stats": json.loads(r[4])}
            for r in rows
        ]
