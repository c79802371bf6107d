"""The state as the build's catalog: a rebuild reads again only the stories whose copies changed,
and publishes exactly what a build from scratch would."""

import errno
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import NamedTuple

import pytest

from crawler.config import Config
from crawler.items import Article, AssignedArticle, Copy, Story
from crawler.site import build as build_module
from crawler.site import build_site, render, search, writer
from crawler.site.build import TooFewStories
from crawler.site.catalog import StoreCatalog
from crawler.store import SQLiteStore

from .test_build import files

StoryCopies = tuple[str, datetime, list[Article]]


def save(store: SQLiteStore, story: Story, *, new: bool = True) -> None:
    """Store each copy of `story` as an article of it."""
    for n, copy in enumerate(story.copies):
        article = Article(
            url=copy.url,
            canonical_url=copy.url,
            source=copy.source,
            title=copy.title,
            published=copy.published,
            published_estimated=False,
            author=story.author,
            original_source=story.original_source,
            lede=story.lede,
            paragraphs=story.paragraphs,
            language=story.language,
            fetched_at=story.first_seen,
        )
        store.save(AssignedArticle(article, story.id, new and n == 0), None, story.first_seen)


def stories(make: Callable[..., Story], t0: datetime, count: int, start: int = 0) -> list[Story]:
    return [
        make(
            id=f"s{i:03d}",
            title=f"Story {i}",
            lede=f"The lede of story {i}.",
            paragraphs=(f"The lede of story {i}.", f"Word{i} is in the text of story {i}."),
            original_source=("Xinhua", "ANI", None)[i % 3],
            published=t0 - timedelta(hours=5 * i),
            first_seen=t0 - timedelta(hours=5 * i) + timedelta(minutes=9),
            copies=(
                Copy(
                    f"https://a.example/{i}",
                    "Daily Gazette",
                    f"Story {i}",
                    t0 - timedelta(hours=5 * i),
                ),
            ),
        )
        for i in range(start, start + count)
    ]


def saved_and_built(
    store: SQLiteStore, saved: list[Story], build: Callable[[], object]
) -> list[Story]:
    """Save the stories into the state, build once, and give the stories back."""
    for story in saved:
        save(store, story)
    build()
    return saved


def another_copy(story: Story, at: datetime, text: str) -> Story:
    """The story with one more copy, from another site, whose text is longer (so it is shown)."""
    copy = Copy(f"https://b.example/{story.id}", "Pacific Times", f"{story.title}, again", at)
    return replace(story, copies=(copy,), paragraphs=(*story.paragraphs, text))


def build_two_days_on(config: Config, t0: datetime, store: SQLiteStore, where: Path) -> None:
    """Build the state's site into `where` as two days after `t0`."""
    build_site(StoreCatalog(store), config, where, durable=False, now=t0 + timedelta(days=2))


class Built(NamedTuple):
    """A state of thirty stories whose site was built once into `out` (no spare yet)."""

    store: SQLiteStore
    old: list[Story]
    out: Path
    build: Callable[[Path], None]  # the state's site, into a folder, as two days after t0


@pytest.fixture
def built(
    tmp_path: Path, story_factory: Callable[..., Story], t0: datetime, config: Config
) -> Iterator[Built]:
    out = tmp_path / "output"
    with SQLiteStore(tmp_path / "state") as store:
        build = partial(build_two_days_on, config, t0, store)
        yield Built(
            store,
            saved_and_built(store, stories(story_factory, t0, 30), partial(build, out)),
            out,
            build,
        )


def test_changed_since_names_the_stories_with_new_copies(
    tmp_path: Path, story_factory: Callable[..., Story], t0: datetime
) -> None:
    with SQLiteStore(tmp_path / "state") as store:
        old = stories(story_factory, t0, 5)
        for story in old:
            save(store, story)
        mark = StoreCatalog(store).watermark()
        assert StoreCatalog(store).changed_since(mark) == set()
        save(store, another_copy(old[2], t0, "More."), new=False)
        save(store, stories(story_factory, t0 + timedelta(days=1), 1, start=9)[0])
        assert StoreCatalog(store).changed_since(mark) == {"s002", "s009"}
        assert StoreCatalog(store).changed_since("not a watermark") is None


def test_another_state_is_never_taken_for_the_same(
    tmp_path: Path, story_factory: Callable[..., Story], t0: datetime
) -> None:
    """Two states with as many copies: the last copy tells them apart."""
    with SQLiteStore(tmp_path / "a") as a, SQLiteStore(tmp_path / "b") as b:
        for story in stories(story_factory, t0, 3):
            save(a, story)
        for story in stories(story_factory, t0, 3, start=3):
            save(b, story)
        assert StoreCatalog(b).changed_since(StoreCatalog(a).watermark()) is None


def test_a_rebuild_reads_only_what_changed_and_matches_a_fresh_build(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "SMALLEST", 4)  # several search shards
    out = tmp_path / "output"

    build = partial(build_two_days_on, config, t0)

    with SQLiteStore(tmp_path / "state") as store:
        old = saved_and_built(store, stories(story_factory, t0, 30), partial(build, store, out))
        for story in stories(story_factory, t0 + timedelta(days=1), 3, start=40):
            save(store, story)
        save(store, another_copy(old[1], t0, "A longer copy adds this."), new=False)
        asked: list[Collection[str] | None] = []
        real = store.story_copies

        def spy(ids: Collection[str] | None = None) -> Iterator[StoryCopies]:
            asked.append(None if ids is None else set(ids))
            return real(ids)

        monkeypatch.setattr(store, "story_copies", spy)
        build(store, out)
        assert asked[0] == {"s040", "s041", "s042", "s001"}  # the changed stories first
        assert None not in asked  # and never all of them
        monkeypatch.undo()
        monkeypatch.setattr(search, "SMALLEST", 4)
        build(store, tmp_path / "fresh")
        build(store, out)  # nothing new
    assert files(out) == files(tmp_path / "fresh")
    assert "A longer copy adds this." in (out / "stories/s001.html").read_text()


def test_nothing_new_reads_no_story_and_writes_nothing(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What keeps a build with nothing new well under a second: it reads the watermark and the
    manifest, checks the files are there, and stops."""
    out = tmp_path / "output"
    with SQLiteStore(tmp_path / "state") as store:
        for story in stories(story_factory, t0, 20):
            save(store, story)
        build_site(StoreCatalog(store), config, out, durable=False, now=t0 + timedelta(days=1))
        before = files(out)

        def forbidden(*args: object, **kwargs: object) -> None:
            raise AssertionError("a build with nothing new did this")

        monkeypatch.setattr(store, "story_copies", forbidden)
        monkeypatch.setattr(render.Renderer, "render", forbidden)
        monkeypatch.setattr(search, "index_shards", forbidden)
        result = build_site(
            StoreCatalog(store), config, out, durable=False, now=t0 + timedelta(days=1)
        )
    assert result.unchanged and result.rendered == 0
    assert files(out) == before


def test_a_site_with_fewer_stories_than_allowed_is_not_published(
    tmp_path: Path, story_factory: Callable[..., Story], t0: datetime, config: Config
) -> None:
    out = tmp_path / "output"
    with SQLiteStore(tmp_path / "state") as store:
        for story in stories(story_factory, t0, 3):
            save(store, story)
        build_site(StoreCatalog(store), config, out, durable=False, search=False)
        before = files(out)
        with pytest.raises(TooFewStories) as refused:
            build_site(StoreCatalog(store), config, out, durable=False, search=False, fewest=4)
    assert (refused.value.stories, refused.value.fewest) == (3, 4)
    assert files(out) == before


def test_a_new_story_rewrites_the_story_pages_of_its_wire_and_day_only(
    built: Built, tmp_path: Path, t0: datetime
) -> None:
    """A new story changes the related stories of its wire's other stories that day; every other
    story page is left as it was, unless it was damaged since: then it is rewritten."""
    old, out = built.old, built.out

    def inodes(root: Path) -> dict[str, int]:
        return {p.name: p.stat().st_ino for p in (root / "stories").iterdir()}

    before = inodes(out)
    at = t0 - timedelta(hours=35)  # between s006 and s009, of the same wire and UTC day
    newcomer = replace(old[6], id="s900", title="Story 900", published=at)
    copy = replace(old[6].copies[0], url="https://a.example/900", published=at)
    save(built.store, replace(newcomer, copies=(copy,)))
    (out / "stories/s029.html").write_text("defaced")
    built.build(out)
    after = inodes(out)
    built.build(tmp_path / "fresh")
    day = at.astimezone(UTC).date()
    same_day = {
        f"{s.id}.html"
        for s in old
        if s.original_source == "Xinhua" and s.published.astimezone(UTC).date() == day
    }
    assert same_day == {"s006.html", "s009.html"}
    rewritten = {name for name, inode in before.items() if after[name] != inode}
    assert rewritten == same_day | {"s029.html"}
    assert "s900.html" in after
    assert files(out) == files(tmp_path / "fresh")


def test_story_pages_follow_a_source_page_that_moved(
    built: Built, tmp_path: Path, t0: datetime
) -> None:
    """A new site whose name makes the same slug as an old one's moves the old site's page (both
    then get a suffix): the story pages that link to it are rewritten, though their stories did
    not change."""
    out = built.out
    assert 'href="../sources/daily-gazette.html"' in (out / "stories/s020.html").read_text()
    copy = Copy("https://c.example/900", "Daily-Gazette", "Story 900", t0)
    save(built.store, replace(built.old[0], id="s900", title="Story 900", copies=(copy,)))
    built.build(out)
    built.build(tmp_path / "fresh")
    assert "sources/daily-gazette.html" not in (out / "stories/s020.html").read_text()
    assert files(out) == files(tmp_path / "fresh")


@pytest.fixture(params=[1, 1000], ids=["forked", "here"])
def either_linking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged pages linked from the previous site by a forked process, or by the build's."""
    monkeypatch.setattr(writer, "FORK_LINKS_FROM", request.param)


@pytest.mark.usefixtures("either_linking")
def test_pages_that_cannot_be_linked_are_written_instead(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged pages are hard-linked from the previous site, many of them by a forked
    process; where that fails (another file system, too many links), the rebuild renders them
    after all. The site was built once: no spare, so the rebuild links every page it keeps."""
    out, old = built.out, built.old
    copy = replace(old[6].copies[0], url="https://a.example/900")
    save(built.store, replace(old[6], id="s900", title="Story 900", copies=(copy,)))
    real_link = os.link

    def link(source: str, target: str, **options: bool) -> None:
        if "/stories/s01" in target:
            raise OSError(errno.EMLINK, "Too many links")
        real_link(source, target, **options)

    monkeypatch.setattr(os, "link", link)
    built.build(out)
    monkeypatch.setattr(os, "link", real_link)
    built.build(tmp_path / "fresh")
    assert files(out) == files(tmp_path / "fresh")
    assert (out / "stories/s012.html").stat().st_nlink == 1  # written, not linked
    assert (out / "stories/s023.html").stat().st_nlink == 2  # linked: the spare has it too


@pytest.mark.usefixtures("either_linking")
def test_a_list_page_damaged_since_is_written_again(built: Built, tmp_path: Path) -> None:
    """A list page that shows what it showed is linked from the previous site, unless that copy
    was changed in place since: then it is rendered again."""
    out, old = built.out, built.old
    oldest_day, kept = sorted((out / "days").glob("2*.html"))[:2]  # no new story on these
    oldest_day.write_text("defaced")
    copy = replace(old[0].copies[0], url="https://a.example/900")
    save(built.store, replace(old[0], id="s900", title="Story 900", copies=(copy,)))
    built.build(out)
    built.build(tmp_path / "fresh")
    assert files(out) == files(tmp_path / "fresh")
    assert kept.stat().st_nlink == 2  # linked: the spare has it too


def test_a_forked_build_reads_the_feeds_stories_in_the_other_process(
    tmp_path: Path,
    story_factory: Callable[..., Story],
    t0: datetime,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The forked processes that read stories, write the feeds and render pages read through
    connections of their own, and the site is the same as one process builds."""
    state = tmp_path / "state"
    log = tmp_path / "read-by"
    real = SQLiteStore.story_copies

    def spy(self: SQLiteStore, ids: Collection[str] | None = None) -> Iterator[StoryCopies]:
        with log.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return real(self, ids)

    def build(where: Path) -> None:
        with SQLiteStore(state) as store:
            catalog = StoreCatalog(store, partial(SQLiteStore, state))
            build_site(catalog, config, where, durable=False, now=t0 + timedelta(days=2))

    monkeypatch.setattr(search, "SMALLEST", 4)  # the newest stories' shard is all that changes
    with SQLiteStore(state) as store:
        for story in stories(story_factory, t0, 40):  # shards of 16, 16 and 8 stories
            save(store, story)
    build(tmp_path / "one")
    build(tmp_path / "two")
    with SQLiteStore(state) as store:  # three new stories, the newest: a few pages change
        for story in stories(story_factory, t0 + timedelta(days=12), 3, start=50):
            save(store, story)
    build(tmp_path / "one")
    monkeypatch.setattr(build_module, "FORK_PAGES_FROM", 1)
    monkeypatch.setattr(build_module, "FORK_FEEDS_FROM", 1)
    monkeypatch.setattr(build_module, "CHUNK", 3)
    monkeypatch.setattr(SQLiteStore, "story_copies", spy)
    build(tmp_path / "two")
    assert set(log.read_text().split()) - {str(os.getpid())}  # read in the forked process too
    assert files(tmp_path / "two") == files(tmp_path / "one")

    # A full build: two processes read the stories, a few at a time, whichever is free.
    monkeypatch.setattr(build_module, "FORK_FROM", 5)
    monkeypatch.setattr(build_module, "READ_CHUNK", 4)
    log.unlink()
    build(tmp_path / "three")
    assert len(log.read_text().split()) == 11  # 43 stories, 4 at a time
    assert files(tmp_path / "three") == files(tmp_path / "one")
