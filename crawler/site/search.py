"""Full-text search: a compact static index written beside the pages, searched in the browser.

The build writes the index as small JSON files and `site_templates/static/search.js` searches it
in the reader's browser, so search works on any static host, offline, with no server. (Pagefind
did this before; it cost about 2 ms of CPU per story, 20 s per 10,000 stories, too slow for the
build's budget. This index costs a tenth of that.)

The index is split into shards that the search page queries side by side, and a rebuild writes
again only the shards whose stories changed. Shards follow the order stories were first seen in:
a few large, old ones that stay as they are, then smaller and smaller ones, the newest last
(`shard_sizes`); new stories land in the newest shard, and only when enough have come are small
shards merged into a larger one, as in a binary counter. A shard's folder is named after the
digest of what it holds of its stories, so an unchanged shard is reused as it is.

A shard's folder (`search-index/<name>/`) holds, for its stories in shard order (oldest first):

- `entry.json`: `{"v": FORMAT_VERSION, "stories": N, "per": DOCS_PER_FILE, "buckets": [...]}`,
  the buckets (below) that exist, so the browser never asks for a missing file;
- `d/<k>.json`: what a result line shows of stories k*per to (k+1)*per-1, one array each:
  `[path from the site root, title, ISO date, credit, excerpt]`, plus the story's language when
  it differs from the site's;
- `t/<bucket>.json`: the inverted index of the terms that start with the bucket's two characters
  (`bucket_file`), `{term: postings}`. Postings are the story numbers holding the term, sorted
  and delta-encoded, each times two plus one when the term is in the title: `[5, 3, 4]` is story
  2 (title), story 3 and story 5. A query word, or the prefix being typed, needs one bucket file
  per shard.

Terms are `tokens`: NFKD, without the combining diacritical marks (accents), lowercased, maximal
runs of letters, digits and marks (Devanagari's vowel signs are marks). `search.js` has the same
function, and a test checks that they agree.

Indexing runs in a process forked from the build (`index_shards`), so it uses the second core while
the build renders the pages, and dies with the build.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import regex

from crawler.site import paths
from crawler.site.fingerprint import digest
from crawler.site.forked import Forked, ForkedError
from crawler.site.views import StoryCard, StoryView

FORMAT_VERSION = 1  # what search.js reads; bump when the files change
FORMAT = f"syndigest-search {FORMAT_VERSION}"  # part of every shard's name
SMALLEST = 256  # stories in the smallest full shard; the newest shard holds fewer
DOCS_PER_FILE = 32  # result lines per documents file: a page of results fetches a few small files
EXCERPT_WORDS = 30
# Stories in a shard from which its terms are bucketed by their first two characters, not one:
# a small shard (the newest, rewritten by every rebuild) then has a few dozen files, not hundreds.
WIDE_FROM = 2048
TIMEOUT = 600.0  # seconds for the indexer; 100,000 stories take about 30 s
_HASHED_AT_ONCE = 1 << 18  # bytes of terms hashed at a time (its arrays take 20 times that)

# The combining diacritical marks blocks (accents, after NFKD): the same class as in search.js.
_MARKS = regex.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_TOKEN = regex.compile(r"[\p{L}\p{N}\p{M}]+")
# The same for ASCII: letters lowercased, digits kept, anything else a space.
_ASCII_TERMS = bytes(
    ord(chr(c).lower()) if chr(c) in string.ascii_letters + string.digits else ord(" ")
    for c in range(256)
)
_PLAIN_BUCKET = re.compile(r"[a-z0-9]{1,2}")


_BY_ID = attrgetter("id")
_BY_FIRST_SEEN = attrgetter("first_seen")


class SearchIndexError(Exception):
    """The indexer failed: the build stops rather than publish a site with a broken search."""


class Record(NamedTuple):
    """What the index holds of one story (`record`)."""

    path: str
    title: str
    date: str
    credit: str
    excerpt: str
    language: str | None  # when it differs from the site's
    text: str


def _term_text(text: str) -> bytes:
    """`tokens`, in UTF-8, between spaces (one or more): ASCII text, most news text, in one pass
    of C (`bytes.translate`)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TERMS)
    found = _TOKEN.findall(_MARKS.sub("", unicodedata.normalize("NFKD", text)).lower())
    return " ".join(found).encode("utf-8")


def tokens(text: str) -> list[str]:
    """The search terms of a text, in order, repeats included (see the module's docstring)."""
    return [term.decode("utf-8") for term in _term_text(text).split()]


def bucket_file(term: str, width: int = 2) -> str:
    """The name of the bucket file holding `term`: its first `width` characters when they are
    ASCII letters or digits, else `u` and their code points in hex (`u3b1-3b2`), lowercase
    either way."""
    key = term[:width]
    if _PLAIN_BUCKET.fullmatch(key):
        return key
    return "u" + "-".join(f"{ord(c):x}" for c in key)


@dataclass(frozen=True, slots=True)
class Shard:
    """Some stories' part of the index, in `search-index/<name>/`; `ids` oldest first."""

    name: str
    ids: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"{paths.SEARCH_BUNDLE}/{self.name}"


def shard_sizes(count: int, smallest: int) -> list[int]:
    """How many stories each shard holds, oldest first, for `count` stories.

    Two or three of the largest size (`smallest` times a power of two) that fits twice, then at
    most one of each smaller size, then the rest (fewer than `smallest`). Adding stories changes
    the newest shards only, except when they add up to a larger size; no shard holds more than
    half the stories, and there are about log2(count / smallest) + 3 shards at most.
    """
    if count < 2 * smallest:
        return [count]
    size = smallest
    while 4 * size <= count:
        size *= 2
    sizes = [size] * (count // size)
    rest = count % size
    while size > smallest:
        size //= 2
        if rest >= size:
            sizes.append(size)
            rest -= size
    return [*sizes, rest] if rest else sizes


def plan_shards(cards: Sequence[StoryCard], salt: str) -> list[Shard]:
    """The shards of these stories, newest first; one empty shard when there are none.

    `salt` names what else the index depends on (`FORMAT`, the site's language). A shard's name
    covers all that `record` takes from its stories (each card's `search` digests it).
    """
    ordered = sorted(sorted(cards, key=_BY_ID), key=_BY_FIRST_SEEN)  # C keys: fast
    shards = []
    start = 0
    for size in shard_sizes(len(ordered), SMALLEST):
        members = ordered[start : start + size]
        start += size
        name = digest(salt, *(c.search for c in members))[:20]
        shards.append(Shard(name, tuple(c.id for c in members)))
    return shards[::-1]


def record(view: StoryView, language: str) -> Record:
    """What the index holds of a story on a site in `language`."""
    lead = view.lede or (view.body[0] if view.body else "")
    words = lead.split(maxsplit=EXCERPT_WORDS)
    excerpt = " ".join(words[:EXCERPT_WORDS]) + ("…" if len(words) > EXCERPT_WORDS else "")
    return Record(
        path=view.path,
        title=view.title,
        date=view.date.date().isoformat(),
        credit=view.credit,
        excerpt=excerpt,
        language=view.language if view.language and view.language != language else None,
        text="\n".join(view.paragraphs),
    )


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Postings(NamedTuple):
    """A shard's inverted index: `terms` (UTF-8, sorted) and, one term after the other, their
    postings (delta-encoded, title bit kept): `numbers[firsts[i]:firsts[i + 1]]` for `terms[i]`."""

    terms: list[bytes]
    numbers: np.ndarray
    firsts: np.ndarray


def _term_hashes(
    data: np.ndarray, start: int, stop: int, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the terms in `data[start:stop]` (UTF-8 bytes: a space, then terms between spaces)
    start and end in `data`, and their hashes: the sum of a term's bytes times `weights[their
    place in the term]`, mod 2**64 (weights as long as the longest term).

    With random weights, two different terms share a hash with a chance of at most 2**-57 (a
    multilinear hash): padded with zero bytes, they differ at some place by 1 to 255, a number
    with at most 7 factors 2."""
    chunk = data[start:stop]
    edges = np.flatnonzero(np.diff(chunk != ord(" "), append=False)) + 1
    starts, ends = edges[::2], edges[1::2]
    steps = np.ones(len(chunk), dtype=np.int32)  # each byte's place: from 0 at each start
    steps[starts] = 1 - np.diff(starts, prepend=0)
    places = np.cumsum(steps, dtype=np.int32)
    places -= 1
    np.minimum(places, len(weights) - 1, out=places)  # (a space's place does not matter)
    sums = weights[places]
    sums *= chunk
    np.cumsum(sums, out=sums)
    return starts + start, ends + start, sums[ends - 1] - sums[starts - 1]


def _argsort(values: np.ndarray) -> np.ndarray:
    """`np.argsort(values, kind="stable")` of int64 values, by a plain sort when it can (several
    times faster): of the values with their index in place of their lowest bits, which orders
    them unless two that differ only in those bits are out of order."""
    low = (1 << len(values).bit_length()) - 1
    order = np.sort(values & ~low | np.arange(len(values))) & low
    ordered = values[order]
    if np.all(ordered[1:] >= ordered[:-1]):
        return order
    return np.argsort(values, kind="stable")


def _postings(records: Sequence[Record]) -> _Postings:
    """Every term of these stories with its postings.

    Inverted with numpy, from the text of the stories' terms: a list per term appended to story
    by story, or even a set or a `hash` of each term of each story, costs a Python step per
    term. Terms are grouped by a hash made in numpy instead (`_term_hashes`), and only one term
    of each group is looked at again, to sort them. Two terms of one shard sharing a hash would
    share their postings: for each pair of terms a chance of at most 2**-57, under one in 10^7
    for a shard of 100,000 terms.
    """
    parts = [_term_text(text) for item in records for text in (item.title, item.text)]
    joined = b" ".join([b"", *parts])  # part i after the space at bounds[i]
    if not joined.strip():
        return _Postings([], np.empty(0, np.int64), np.empty(0, np.int64))
    data = np.frombuffer(joined, dtype=np.uint8)
    bounds = [0, *itertools.accumulate(len(part) + 1 for part in parts)]
    cuts = [0]  # hashed a few parts at a time
    for end in bounds[1:]:
        if end - cuts[-1] >= _HASHED_AT_ONCE or end == len(joined):
            cuts.append(end)
    weights = np.random.default_rng().integers(0, 2**64, max(map(len, parts)), np.uint64)
    found = [_term_hashes(data, lo, hi, weights) for lo, hi in itertools.pairwise(cuts)]
    starts, ends, hashes = (np.concatenate(column) for column in zip(*found, strict=True))
    # part 2k holds story k's title (its terms' value 2k+1), part 2k+1 its text (value 2k)
    values = np.repeat(np.arange(len(parts)) ^ 1, np.diff(np.searchsorted(starts, bounds)))
    order = _argsort(hashes.view(np.int64))  # by term
    hashes = hashes[order]
    groups = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
    where = order[groups]  # a term of each group
    terms = [joined[a:b] for a, b in zip(starts[where].tolist(), ends[where].tolist(), strict=True)]
    by_term = sorted(range(len(terms)), key=terms.__getitem__)  # UTF-8 sorts as str does
    rank = np.empty(len(terms), dtype=np.int64)
    rank[by_term] = np.arange(len(terms))
    shift = len(parts).bit_length()
    keys = np.repeat(rank << shift, np.diff(groups, append=len(order))) | values[order]
    keys.sort()  # by term, then by story, a story's title after its text
    keys = keys[np.append(keys[1:] >> 1 != keys[:-1] >> 1, True)]  # once a story, title's last
    values = keys & ((1 << shift) - 1)
    firsts = np.flatnonzero(np.diff(keys >> shift, prepend=-1))
    before = np.empty_like(values)
    before[1:] = values[:-1] & -2
    before[firsts] = 0
    return _Postings([terms[i] for i in by_term], values - before, firsts)


def _buckets(postings: _Postings, width: int) -> dict[str, bytes]:
    """The JSON text of each bucket, `{term: postings}` in term order, by its key (the first
    `width` characters of its terms), keys in order.

    Written byte by byte in numpy: `json.dumps` of a shard's many short lists of postings took
    longer than inverting the index. Terms, letters, digits and marks only (`tokens`), are
    written as they are: `json.dumps` would not escape them either.
    """
    terms, numbers, firsts = postings
    if not terms:
        return {}
    keys = [term.decode("utf-8")[:width] for term in terms]
    named = np.array(keys)
    opens = np.flatnonzero(np.concatenate(([True], named[1:] != named[:-1])))  # a bucket's first
    opening = np.zeros(len(terms), dtype=bool)
    opening[opens] = True
    closing = np.roll(opening, -1)  # a bucket's last term
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    lasts = np.append(firsts[1:], len(numbers)) - 1
    # each number's bytes: its digits and "," or "]"; the first also '{"term":[' before (the
    # "{" when it opens a bucket), the last "," or "}" after
    powers = 10 ** np.arange(1, len(str(numbers.max())), dtype=np.int64)
    sizes = np.searchsorted(powers, numbers, side="right") + 2
    sizes[firsts] += opening + lengths + 4
    sizes[lasts] += 1
    ends = np.cumsum(sizes)
    text = np.full(ends[-1], ord(","), dtype=np.uint8)
    heads = ends[firsts] - sizes[firsts]
    text[heads[opens]] = ord("{")
    quoted = heads + opening + 1
    text[quoted - 1] = ord('"')
    shifts = np.repeat(quoted - (np.cumsum(lengths) - lengths), lengths)  # of the terms' bytes
    text[shifts + np.arange(len(shifts))] = np.frombuffer(b"".join(terms), dtype=np.uint8)
    for offset, char in enumerate(b'":['):
        text[quoted + lengths + offset] = char
    text[ends[lasts] - 2] = ord("]")
    text[ends[lasts[closing]] - 1] = ord("}")
    place = ends - 2  # where each number's last digit goes
    place[lasts] -= 1
    rest = numbers
    while len(rest):  # the last digit of every number, then the one before of those with more
        text[place] = ord("0") + rest % 10
        rest = rest // 10
        more = rest > 0
        place, rest = place[more] - 1, rest[more]
    data = text.tobytes()
    bounds = [*heads[opens].tolist(), len(data)]
    return {keys[i]: data[a:b] for i, a, b in zip(opens.tolist(), bounds, bounds[1:], strict=False)}


def shard_files(records: Sequence[Record]) -> dict[str, bytes]:
    """A shard's files (relative path -> bytes) for these stories, in shard order."""
    width = 2 if len(records) >= WIDE_FROM else 1
    buckets = _buckets(_postings(records), width)
    files = {f"t/{bucket_file(key, width)}.json": data for key, data in buckets.items()}
    for start in range(0, len(records), DOCS_PER_FILE):
        files[f"d/{start // DOCS_PER_FILE}.json"] = _json(
            [
                [
                    r.path,
                    r.title,
                    r.date,
                    r.credit,
                    r.excerpt,
                    *([r.language] if r.language else []),
                ]
                for r in records[start : start + DOCS_PER_FILE]
            ]
        )
    files["entry.json"] = _json(
        {
            "v": FORMAT_VERSION,
            "stories": len(records),
            "per": DOCS_PER_FILE,
            "width": width,
            "buckets": list(buckets),
        }
    )
    return files


def _write_shard(folder: Path, records: Sequence[Record]) -> None:
    """Write a shard's files into its empty folder."""
    files = shard_files(records)
    for sub in {relpath.rpartition("/")[0] for relpath in files} - {""}:
        os.mkdir(folder / sub)
    for relpath, data in files.items():
        with open(folder / relpath, "xb") as file:
            file.write(data)


def _write_shards(work: Sequence[tuple[Path, Sequence[StoryView]]], language: str) -> None:
    for folder, views in work:
        _write_shard(folder, [record(view, language) for view in views])


def index_shards(work: Sequence[tuple[Path, Sequence[StoryView]]], language: str) -> None:
    """Write each shard's index (the records of its stories, on a site in `language`) into its
    (empty) folder, in a forked process (the stories are handed over by the fork itself, not
    pickled). Call it from a thread that lives until it returns: the build's worker thread, while
    its main thread renders. Raises SearchIndexError when indexing fails."""
    if not work:
        return
    try:
        Forked(partial(_write_shards, work, language), "search indexer").result(TIMEOUT)
    except ForkedError as exc:
        raise SearchIndexError(str(exc)) from None
