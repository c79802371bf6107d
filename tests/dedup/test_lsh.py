"""BandedLSH is a MinHashLSH: same buckets, same answers, with compact storage."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from crawler.dedup.lsh import BandedLSH, CompactBuckets, CompactKeys
from crawler.dedup.shingles import band_keys


def _minhashes(count: int) -> list[MinHash]:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 1 << 32, 200)
    out = []
    for n in range(count):
        values = base.copy()
        values[: n * 7 % 200] = rng.integers(0, 1 << 32, n * 7 % 200)  # varying overlap
        minhash = MinHash(num_perm=64, seed=1, hashfunc=int)
        minhash.update_batch(values.tolist())
        out.append(minhash)
    return out


def test_same_answers_as_minhashlsh() -> None:
    stock = MinHashLSH(num_perm=64, params=(16, 4))
    banded = BandedLSH(64, (16, 4))
    sketches = _minhashes(40)
    for key, minhash in enumerate(sketches):
        stock.insert(key, minhash)
        if key % 2:
            banded.insert(key, minhash)  # datasketch's own insert works on it
        else:
            banded.insert_bands(key, band_keys(minhash.hashvalues, banded.hashranges))
    for minhash in sketches:
        found: set[int] = set()
        banded.query_bands(band_keys(minhash.hashvalues, banded.hashranges), found)
        assert found == set(stock.query(minhash)) == set(banded.query(minhash))
    assert 3 in banded and 99 not in banded


def test_band_keys_match_datasketch() -> None:
    lsh = BandedLSH(64, (16, 4))
    values = _minhashes(1)[0].hashvalues
    assert band_keys(values, lsh.hashranges) == [lsh._H(values[start:end]) for start, end in lsh.hashranges]


def test_remove() -> None:
    lsh = BandedLSH(64, (16, 4))
    sketches = _minhashes(3)
    for key, minhash in enumerate(sketches):
        lsh.insert(key, minhash)
    lsh.remove(1)
    assert 1 not in lsh and 1 not in lsh.query(sketches[1])
    assert 0 in lsh.query(sketches[0])


def test_compact_buckets() -> None:
    buckets = CompactBuckets()
    assert buckets.get(b"x") == ()
    buckets.insert(b"x", 1)
    assert buckets.get(b"x") == (1,)
    buckets.insert(b"x", 2, 3)
    assert list(buckets.get(b"x")) == [1, 2, 3]
    assert not gc.is_tracked(buckets._dict)  # nothing for the collector to walk
    assert buckets.itemcounts() == {b"x": 3} and buckets.size() == 1
    buckets.remove_val(b"x", 2)
    buckets.remove_val(b"x", 1)
    assert buckets.get(b"x") == (3,)
    buckets.remove_val(b"x", 3)
    assert not buckets.get(b"x")
    buckets.remove(b"x")
    assert not buckets.has_key(b"x")
    buckets.insert(b"z", 1 << 70, "k")  # keys that are not 64-bit ints
    assert list(buckets.get(b"z")) == [1 << 70, "k"]
    buckets.insert(b"y", (1, 2))  # a tuple key is a key, not a bucket
    assert buckets.get(b"y") == ((1, 2),)
    buckets.insert(b"y", 3)
    assert buckets.get(b"y") == ((1, 2), 3)
    buckets.remove_val(b"y", 3)
    assert buckets.get(b"y") == ((1, 2),)
    with pytest.raises(ValueError):
        buckets.remove_val(b"y", 5)


def test_compact_keys() -> None:
    keys = CompactKeys()
    keys.insert(7, b"aa", b"bb")
    assert keys.get(7) == [b"aa", b"bb"] and 7 in keys and keys.size() == 1
    with pytest.raises(ValueError):
        keys.insert(8, b"ccc")
    keys.remove_val(7, b"aa")
    assert keys.itemcounts() == {7: 1}
    keys.remove(7)
    assert 7 not in keys
