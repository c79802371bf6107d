"""The whole state as a portable archive, published beside the site.

If the state is lost (a deleted branch, a corrupt file), the next run rebuilds it from the
published archive instead of starting empty: every story keeps its id and first-seen time, so
nothing a reader saw is lost or announced again. One JSON object per stored copy, gzipped with
a fixed timestamp so an unchanged state gives identical bytes.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from crawler.items import Article, AssignedArticle
from crawler.store import Store, StoreError

ARCHIVE_PATH = "data/archive.jsonl.gz"
FORMAT = 1


def _record(story_id: str, first_seen: datetime, article: Article) -> dict[str, Any]:
    data = asdict(article)
    for key in ("published", "fetched_at"):
        data[key] = data[key].isoformat()
    data["paragraphs"], data["images"] = list(article.paragraphs), list(article.images)
    return {"format": FORMAT, "story_id": story_id, "first_seen": first_seen.isoformat(),
            "article": data}


def dump(store: Store) -> Iterator[str]:
    """JSON lines, stories in first-seen order, copies in stored order."""
    grouped = sorted(store.articles_by_story().items(), key=lambda item: (item[1][0], item[0]))
    for story_id, (first_seen, articles) in grouped:
        for article in articles:
            yield json.dumps(_record(story_id, first_seen, article), ensure_ascii=False,
                             sort_keys=True)


def archive_bytes(store: Store) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        for line in dump(store):
            out.write(line.encode("utf-8") + b"\n")
    return buffer.getvalue()


def _article(data: dict[str, Any]) -> Article:
    return Article(**{
        **data,
        "published": datetime.fromisoformat(data["published"]),
        "fetched_at": datetime.fromisoformat(data["fetched_at"]),
        "paragraphs": tuple(data["paragraphs"]),
        "images": tuple(data.get("images", ())),
    })


def restore(lines: Iterable[str], store: Store) -> int:
    """Load archive lines into an (empty) store; returns the number of stories restored."""
    stories: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if record.get("format") != FORMAT:
                raise ValueError(f"unknown archive format {record.get('format')!r}")
            article = _article(record["article"])
            first_seen = datetime.fromisoformat(record["first_seen"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"archive line {number}: {exc}") from None
        new = record["story_id"] not in stories
        stories.add(record["story_id"])
        store.save(AssignedArticle(article, record["story_id"], new), None, first_seen)
    return len(stories)


def read_archive(data: bytes) -> list[str]:
    try:
        text = gzip.decompress(data).decode("utf-8") if data[:2] == b"\x1f\x8b" else data.decode()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise StoreError(f"unreadable archive: {exc}") from None
    return text.splitlines()
