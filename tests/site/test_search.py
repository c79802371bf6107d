"""The search index: shards (a few large old ones that stay, smaller newer ones, the newest taking
new stories), their files, and terms made alike in Python and in the browser's search.js."""

import itertools
import json
import random
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pytest

from crawler.items import Story
from crawler.site import default_templates_dir
from crawler.site.search import (
    DOCS_PER_FILE,
    FORMAT_VERSION,
    Record,
    _argsort,
    bucket_file,
    plan_shards,
    shard_files,
    shard_sizes,
    tokens,
)
from crawler.site.search import record as record_of
from crawler.site.views import SiteView, story_views

from .conftest import sample_config


@pytest.mark.parametrize("count", [0, 1, 511, 512, 1000, 10_000, 10_050, 65_536, 100_000])
def test_shard_sizes_cover_every_story_in_few_shards(count: int) -> None:
    sizes = shard_sizes(count, 256)
    assert sum(sizes) == count
    assert len(sizes) <= max(1, (count // 256).bit_length() + 3)
    if count >= 512:
        assert max(sizes) <= count // 2  # two indexers share a full build
        assert sizes == sorted(sizes, reverse=True)


def test_new_stories_mostly_change_only_the_small_newest_shards() -> None:
    """Older shards stay as they were, except where small ones merge into a larger one (as in a
    binary counter): 50 new stories at a time, nine builds in ten index fewer than 600 stories."""
    small, steps = 0, 0
    for count in range(512, 30_000, 50):
        before, after = shard_sizes(count, 256), shard_sizes(count + 50, 256)
        kept = 0
        while kept < min(len(before), len(after)) and before[kept] == after[kept]:
            kept += 1
        steps += 1
        small += sum(after[kept:]) < 600
    assert small >= 0.9 * steps


def test_plan_shards_names_follow_their_stories(
    story_factory: Callable[..., Story], t0: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crawler.site.search.SMALLEST", 2)
    site = SiteView.from_config(sample_config().site)

    def cards(count: int) -> list:  # type: ignore[type-arg]
        made = [
            story_factory(id=f"s{i}", first_seen=t0 + timedelta(hours=i), lede=f"Lede {i}.")
            for i in range(count)
        ]
        return story_views(made, site)

    assert [len(s.ids) for s in plan_shards([], "salt")] == [0]  # an empty index, still one
    first = plan_shards(cards(9), "salt")
    assert [s.ids for s in first] == [("s8",), ("s4", "s5", "s6", "s7"), ("s0", "s1", "s2", "s3")]
    more = plan_shards(cards(10), "salt")
    assert [s.name for s in more][1:] == [s.name for s in first][1:]  # the old shards stay
    assert {s.name for s in plan_shards(cards(8), "other salt")}.isdisjoint(s.name for s in first)


def record(title: str, text: str, number: int = 0) -> Record:
    return Record(f"stories/s{number}.html", title, "2025-06-02", "AFP", text[:40], None, text)


def decoded(postings: list[int]) -> list[tuple[int, bool]]:
    """(story number, in the title) from delta-encoded postings, as search.js reads them."""
    number, stories = 0, []
    for value in postings:
        number += value >> 1
        stories.append((number, bool(value & 1)))
    return stories


def test_postings_round_trip_with_the_title_bit() -> None:
    records = [
        record("Election results", "The election was close. Turnout rose.", 0),
        record("Rain in Kerala", "Heavy rain; the elections were delayed.", 1),
        record("Turnout", "Officials counted the election turnout again.", 2),
    ]
    files = shard_files(records)
    index: dict[str, list[int]] = {}
    for name, data in files.items():
        if name.startswith("t/"):
            index.update(json.loads(data))
    expected: dict[str, list[tuple[int, bool]]] = {}
    for number, item in enumerate(records):
        title = set(tokens(item.title))
        for term in sorted(title | set(tokens(item.text))):
            expected.setdefault(term, []).append((number, term in title))
    assert {term: decoded(p) for term, p in index.items()} == expected
    assert decoded(index["turnout"]) == [(0, False), (2, True)]
    entry = json.loads(files["entry.json"])
    assert entry == {
        "v": FORMAT_VERSION,
        "stories": 3,
        "per": DOCS_PER_FILE,
        "width": 1,  # a small shard: terms bucketed by their first character
        "buckets": sorted({term[:1] for term in index}),
    }
    assert {f"t/{bucket_file(key, 1)}.json" for key in entry["buckets"]} == {
        name for name in files if name.startswith("t/")
    }


def test_result_lines_come_in_files_of_a_few_stories() -> None:
    records = [record(f"Story {i}", f"Text {i}.", i) for i in range(2 * DOCS_PER_FILE + 3)]
    files = shard_files(records)
    lines = [json.loads(files[f"d/{k}.json"]) for k in range(3)]
    assert [len(chunk) for chunk in lines] == [DOCS_PER_FILE, DOCS_PER_FILE, 3]
    assert lines[2][2] == ["stories/s66.html", "Story 66", "2025-06-02", "AFP", "Text 66."]
    empty = shard_files([])  # the one shard of a site with no stories
    assert list(empty) == ["entry.json"] and json.loads(empty["entry.json"])["buckets"] == []


def test_a_record_holds_what_a_result_line_shows(
    story_factory: Callable[..., Story], t0: datetime
) -> None:
    site = SiteView.from_config(sample_config().site)
    words = " ".join(f"w{i}" for i in range(40))
    (view,) = story_views(
        [story_factory(id="s", title="T", lede=words, language="ru", first_seen=t0)], site
    )
    made = record_of(view, site.language)
    assert made.path == "stories/s.html" and made.title == "T" and made.language == "ru"
    assert made.date == view.date.date().isoformat() and made.credit == view.credit
    assert made.excerpt == " ".join(words.split()[:30]) + "…"
    assert record_of(view, "ru").language is None


STRINGS = [
    "Plain ASCII: Hello, World! 2025-06-02 x_y o'clock",
    "Élection présidentielle: naïve façade, Ærøskøbing, straße, İstanbul",
    "Москва: ёлка, Йошкар-Ола; ΟΔΟΣ Αθηνών",
    "हिन्दी समाचार: भारत की राजधानी १२३",
    "東京都の天気 2025年; 서울 날씨; ﬁnance ① ²³ Ⅻ",
    "tab\tnew\nline\u00a0nbsp\u200bzero-width \U0001d400\U0001d401 emoji 🎉 e\u0301",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_python_and_the_browser_tokenise_alike() -> None:
    script = (
        "const s = require(process.argv[1]);"
        "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(texts.map(t => {"
        "  const terms = s.tokens(t);"
        "  return [terms, [1, 2].map(n => terms.map(w => s.bucketFile(s.bucketKey(w, n))))]; })));"
    )
    ran = subprocess.run(
        ["node", "-e", script, str(default_templates_dir() / "static" / "search.js")],
        input=json.dumps(STRINGS),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    expected = [
        [tokens(t), [[bucket_file(w, n) for w in tokens(t)] for n in (1, 2)]] for t in STRINGS
    ]
    assert json.loads(ran.stdout) == expected
    assert tokens(STRINGS[1])[:3] == ["election", "presidentielle", "naive"]
    assert "елка" in tokens(STRINGS[2]) and "हिन्दी" in tokens(STRINGS[3])


def plain_buckets(records: list[Record], width: int) -> dict[str, bytes]:
    """The bucket files made the plain way: a list of stories per term, and `json.dumps`."""
    index: dict[str, list[int]] = {}
    for number, item in enumerate(records):
        title = set(tokens(item.title))
        for term in title | set(tokens(item.text)):
            index.setdefault(term, []).append(2 * number + (term in title))
    buckets: dict[str, dict[str, list[int]]] = {}
    for term, numbers in sorted(index.items()):
        deltas = [numbers[0], *(b - (a & -2) for a, b in itertools.pairwise(numbers))]
        buckets.setdefault(f"t/{bucket_file(term, width)}.json", {})[term] = deltas
    return {
        name: json.dumps(bucket, ensure_ascii=False, separators=(",", ":")).encode()
        for name, bucket in buckets.items()
    }


@pytest.mark.parametrize(("hashed_at_once", "wide_from"), [(1 << 18, 2048), (50, 1)])
def test_bucket_files_are_those_of_a_plain_index(
    monkeypatch: pytest.MonkeyPatch, hashed_at_once: int, wide_from: int
) -> None:
    """The index inverted and written in numpy (its terms hashed 50 bytes at a time, the second
    time) is byte for byte the plain one, in every script."""
    monkeypatch.setattr("crawler.site.search._HASHED_AT_ONCE", hashed_at_once)
    monkeypatch.setattr("crawler.site.search.WIDE_FROM", wide_from)
    words = [*" ".join(STRINGS).split(), "x" * 300, "Word", "words", "1234567", "0", '"q"', "a\\b"]
    rng = random.Random(7)
    records = [
        record(" ".join(rng.sample(words, 3)), " ".join(rng.choices(words, k=rng.randrange(40))), n)
        for n in range(300)
    ]
    records[5:5] = [record("", "", 5), record("!", "", 6)]  # stories without terms
    files = shard_files(records)
    width = 1 if wide_from > len(records) else 2
    assert {name: data for name, data in files.items() if name.startswith("t/")} == plain_buckets(
        records, width
    )
    keys = {term[:width] for r in records for term in tokens(f"{r.title} {r.text}")}
    assert json.loads(files["entry.json"])["buckets"] == sorted(keys)


def test_argsort_is_a_stable_argsort() -> None:
    """Also when the values differ only in the bits where the fast way puts their index."""
    rng = np.random.default_rng(7)
    for values in (
        rng.integers(-(2**63), 2**63 - 1, 10_000),
        rng.integers(-5, 5, 10_000) << 40,  # many equal values
        np.arange(1000)[::-1],  # out of order in the low bits only
        np.array([3, 1 << 20, 2, 1 << 20]),
    ):
        assert np.array_equal(_argsort(values), np.argsort(values, kind="stable"))


def test_shard_names_follow_what_a_result_line_shows(
    story_factory: Callable[..., Story], t0: datetime
) -> None:
    site = SiteView.from_config(sample_config().site)

    def name(**fields: object) -> str:
        views = story_views([story_factory(id="s", first_seen=t0, **fields)], site)
        return plan_shards(views, "salt")[0].name

    plain = name(original_source="AFP")
    assert name(original_source="AFP") == plain
    assert name(original_source="PTI") != plain  # the credit shown changed
    assert name(original_source="AFP", language="ru") != plain
