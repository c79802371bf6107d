"""Where a build's stories come from, and how it tells which of them changed since the last build.

A build reads its stories through a `Catalog`: a watermark that is the same exactly when the
stories are, the ids of the stories that changed since an earlier watermark (None when that
cannot be told: then every story is read again), and the stories themselves, all or some, each
with its `story_fingerprint`.

`StoreCatalog` reads the state. Stored copies are never changed or removed, and each has a
position in storing order, so the copies stored after the last build's watermark name every
story that changed; reading only those keeps a rebuild's cost to what is new. `StoryList` wraps
stories already in memory (tests, scripts): any change there means reading them all again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from crawler.items import Story
from crawler.site.fingerprint import digest, story_fingerprint
from crawler.site.text import clean_line
from crawler.store import Store
from crawler.stories import assemble_stories

Fingerprinted = tuple[Story, str]
Reader = AbstractContextManager[Callable[[Collection[str]], list[Fingerprinted]]]


class Catalog(Protocol):
    def watermark(self) -> str: ...

    def changed_since(self, watermark: str) -> set[str] | None: ...

    def load(self, ids: Collection[str] | None = None) -> list[Fingerprinted]: ...

    def ids(self) -> list[str]: ...

    def reader(self) -> Reader | None:
        """What reads stories by id in a forked process (`with catalog.reader() as load`), or
        None when this catalog cannot."""
        ...


class StoryList:
    """Stories given as a list; when their ids repeat, the first of them is shown."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self.stories = [(story, story_fingerprint(story)) for story in stories]

    def watermark(self) -> str:
        fingerprints = [fingerprint for _story, fingerprint in self.stories]
        # The same stories in another order are the same, unless ids repeat: then the order
        # decides which one is shown.
        if len({clean_line(story.id) for story, _ in self.stories}) == len(self.stories):
            fingerprints.sort()
        return digest("list", *fingerprints)

    def changed_since(self, watermark: str) -> set[str] | None:
        return set() if watermark == self.watermark() else None

    def load(self, ids: Collection[str] | None = None) -> list[Fingerprinted]:
        """All the stories, or those whose shown id (`text.clean_line` of theirs) is in `ids`."""
        if ids is None:
            return self.stories
        return [(s, fingerprint) for s, fingerprint in self.stories if clean_line(s.id) in ids]

    def ids(self) -> list[str]:
        return list(dict.fromkeys(clean_line(story.id) for story, _ in self.stories))

    def reader(self) -> None:
        """None: a list shows the first of stories whose ids repeat, so it is read as a whole."""
        return None


class StoreCatalog:
    """The stories of a state; the watermark is the count and position of its stored copies."""

    def __init__(self, store: Store, reopen: Callable[[], Store] | None = None) -> None:
        self.store = store
        self.reopen = reopen  # another connection to the same state, for a forked process
        self._watermark: str | None = None

    def watermark(self) -> str:
        if self._watermark is None:
            count, last = self.store.copies_stored()
            last_copy = self.store.copies_after(last - 1)[0].canonical_url if last else ""
            self._watermark = json.dumps(["store", count, last, last_copy])
        return self._watermark

    def changed_since(self, watermark: str) -> set[str] | None:
        """The stories with copies stored since `watermark`, or None when that is not all.

        Not all when the copy at the old watermark's position is another one (another state),
        or when the counts do not add up: a copy committed late with an earlier position, as
        writers sharing a database can.
        """
        current = self.watermark()
        if watermark == current:
            return set()
        try:
            kind, count, last, last_copy = json.loads(watermark)
        except (ValueError, TypeError):
            return None
        if kind != "store":
            return None
        copies = self.store.copies_after(last - 1) if last else self.store.copies_after(0)
        if last:
            if not copies or (copies[0].position, copies[0].canonical_url) != (last, last_copy):
                return None
            copies = copies[1:]
        if count + len(copies) != json.loads(current)[1]:
            return None
        return {copy.story_id for copy in copies}

    def load(self, ids: Collection[str] | None = None) -> list[Fingerprinted]:
        """Stories newest first-seen first (ties by id), as `stories.assemble_stories` orders
        them; read a story at a time, so that only the stories are held, not all their copies."""
        stories = assemble_stories(self.store.story_copies(ids))
        return [(story, story_fingerprint(story)) for story in stories]

    def ids(self) -> list[str]:
        return [story_id for story_id, _, _ in self.store.story_counts()]

    def reader(self) -> Reader | None:
        """Reading through a connection of its own: a database connection must not be used on
        both sides of a fork."""
        reopen = self.reopen
        if reopen is None:
            return None

        @contextmanager
        def opened() -> Iterator[Callable[[Collection[str]], list[Fingerprinted]]]:
            with reopen() as store:
                yield StoreCatalog(store).load

        return opened()
