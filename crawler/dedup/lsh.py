"""datasketch's MinHashLSH, made cheap enough for 100,000 articles in one process.

Two costs of the stock in-memory index showed up in measurement (benchmarks/dedup.py):

* Time: `insert` and `query` slice, byteswap and copy the signature band by band, twice per
  article (a match, then an add). `BandedLSH` computes the same band keys (the bytes of each
  byte-swapped band, as `MinHashLSH._H` does without a `hashfunc`) from one byteswap of the
  whole signature, and reads and writes the same hash tables.
* Memory and garbage collection: the dict storage keeps every bucket as a `set` (216 bytes, and
  one more object for the collector to walk), though nearly every bucket holds one key; at 25
  bands that was about 8 KB and 25 tracked objects per article, and garbage collection passes
  that walked them all. `CompactBuckets` keeps a lone key as itself and a shared bucket's int
  keys packed in `bytes`; `CompactKeys` keeps each key's band keys joined in one `bytes`. Both
  implement datasketch's storage interface, so `MinHashLSH.insert`, `query`, `remove` and
  `__contains__` work on a `BandedLSH` unchanged.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from struct import pack
from typing import Any

from datasketch import MinHashLSH
from datasketch.storage import OrderedStorage, UnorderedStorage


class CompactBuckets(UnorderedStorage):
    """One band's buckets: bucket key -> the lone indexed key, or the keys sharing it: packed
    into `bytes` when they are 64-bit ints (the index's keys), else a tuple.

    A stored `bytes` or tuple is always a bucket, so a key that is itself one is kept in a
    1-tuple. Ints and bytes are objects the garbage collector never tracks, so it never walks
    these dicts and their million entries (sets, lists and arrays are walked on every full pass).
    """

    def __init__(self) -> None:
        self._dict: dict[Hashable, Any] = {}

    def keys(self) -> Iterable[Hashable]:
        return self._dict.keys()

    def get(self, key: Hashable) -> Sequence[Hashable]:
        found = self._dict.get(key, _ABSENT)
        if found is _ABSENT:
            return ()
        if type(found) is bytes:
            return memoryview(found).cast("q").tolist()
        return found if type(found) is tuple else (found,)

    def insert(self, key: Hashable, *vals: Hashable, **kwargs: Any) -> None:
        for val in vals:
            _add(self._dict, key, val)

    def remove(self, *keys: Hashable, **kwargs: Any) -> None:
        for key in keys:
            del self._dict[key]

    def remove_val(self, key: Hashable, val: Hashable, **kwargs: Any) -> None:
        found = list(self.get(key))
        if val not in found:
            raise ValueError(f"{val!r} is not in bucket {key!r}")
        # an emptied bucket stays, empty, until datasketch sees it so and removes the key
        self._dict[key] = ()
        for other in found:
            if other != val:
                _add(self._dict, key, other)

    def size(self) -> int:
        return len(self._dict)

    def itemcounts(self, **kwargs: Any) -> dict[Hashable, int]:
        return {key: len(self.get(key)) for key in self._dict}

    def has_key(self, key: Hashable) -> bool:
        return key in self._dict


_BUCKETS = (tuple, bytes)
_INT64 = (-(1 << 63), (1 << 63) - 1)


def _add(buckets: dict[Hashable, Any], band: Hashable, key: Hashable) -> None:
    """Put `key` in bucket `band` (keys are unique: MinHashLSH.insert checks by default)."""
    found = buckets.get(band, _ABSENT)
    packable = type(key) is int and _INT64[0] <= key <= _INT64[1]
    if found is _ABSENT or found == ():
        buckets[band] = (key,) if type(key) in _BUCKETS else key
    elif type(found) is bytes:
        if packable:
            buckets[band] = found + pack("=q", key)
        else:
            buckets[band] = (*memoryview(found).cast("q").tolist(), key)
    elif type(found) is tuple:
        buckets[band] = (*found, key)
    elif found != key:
        if packable and type(found) is int and _INT64[0] <= found <= _INT64[1]:
            buckets[band] = pack("=2q", found, key)
        else:
            buckets[band] = (found, key)


class CompactKeys(OrderedStorage):
    """Indexed key -> its band keys, joined in one `bytes` (equal widths: no tuple or list per
    key for the collector to walk)."""

    def __init__(self) -> None:
        self._dict: dict[Hashable, bytes] = {}
        self._width = 0

    def keys(self) -> Iterable[Hashable]:
        return self._dict.keys()

    def get(self, key: Hashable) -> list[bytes]:
        joined, width = self._dict.get(key, b""), self._width
        return [joined[start : start + width] for start in range(0, len(joined), width)]

    def insert(self, key: Hashable, *vals: bytes, **kwargs: Any) -> None:
        for val in vals:
            if not self._width:
                self._width = len(val)
            elif len(val) != self._width:
                raise ValueError("band keys must all have one width")
        self._dict[key] = self._dict.get(key, b"") + b"".join(vals)

    def remove(self, *keys: Hashable, **kwargs: Any) -> None:
        for key in keys:
            del self._dict[key]

    def remove_val(self, key: Hashable, val: bytes, **kwargs: Any) -> None:
        values = self.get(key)
        values.remove(val)
        self._dict[key] = b"".join(values)

    def size(self) -> int:
        return len(self._dict)

    def itemcounts(self, **kwargs: Any) -> dict[Hashable, int]:
        return {key: len(self.get(key)) for key in self._dict}

    def has_key(self, key: Hashable) -> bool:
        return key in self._dict


_ABSENT = object()


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) whose LSH S-curve turns at about `threshold`: (1/b) ** (1/r) ~ threshold.

    datasketch can optimise (b, r) itself by numeric integration, but that takes a large part of a
    second per index; this closed form is instant and lands within a few hundredths.
    """
    best = (num_perm, 1)
    best_gap = float("inf")
    for rows in range(1, num_perm // 2 + 1):
        bands = num_perm // rows
        gap = abs((1 / bands) ** (1 / rows) - threshold)
        if gap < best_gap:
            best, best_gap = (bands, rows), gap
    return best


class BandedLSH(MinHashLSH):
    """An in-memory `MinHashLSH` with compact storage that also takes precomputed band keys."""

    hashtables: list[CompactBuckets]  # type: ignore[assignment]

    def __init__(self, num_perm: int, params: tuple[int, int]) -> None:
        super().__init__(num_perm=num_perm, params=params)
        self.hashtables = [CompactBuckets() for _ in range(self.b)]
        self.keys = CompactKeys()

    def insert_bands(self, key: Hashable, bands: list[bytes]) -> None:
        """`insert` with the band keys already computed (and the storage calls inlined)."""
        self.keys.insert(key, *bands)
        if type(key) is not int or not _INT64[0] <= key <= _INT64[1]:
            for band, table in zip(bands, self.hashtables, strict=True):
                _add(table._dict, band, key)
            return
        packed = pack("=q", key)
        for band, table in zip(bands, self.hashtables, strict=True):
            buckets = table._dict
            found = buckets.get(band, _ABSENT)
            if found is _ABSENT:  # the usual case: a bucket of its own
                buckets[band] = key
            elif type(found) is bytes:
                buckets[band] = found + packed
            else:
                _add(buckets, band, key)

    def query_bands(self, bands: list[bytes], into: set[Any]) -> None:
        """`query` with the band keys already computed; adds the keys found to `into`."""
        for band, table in zip(bands, self.hashtables, strict=True):
            found = table._dict.get(band, _ABSENT)
            if found is _ABSENT:
                continue
            if type(found) is bytes:
                into.update(memoryview(found).cast("q"))
            elif type(found) is tuple:
                into.update(found)
            else:
                into.add(found)


__all__ = ["BandedLSH", "CompactBuckets", "CompactKeys", "lsh_bands"]
