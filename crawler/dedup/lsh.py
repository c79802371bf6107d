"""datasketch's MinHashLSH, made cheap enough for 100,000 articles in one process.

Two costs of the stock in-memory index showed up in measurement (benchmarks/dedup.py):

* Time: `insert` and `query` slice, byteswap and copy the signature band by band, twice per
  article (a match, then an add). `BandedLSH` computes the same band keys (the bytes of each
  byte-swapped band, as `MinHashLSH._H` does without a `hashfunc`) from one byteswap of the
  whole signature, and reads and writes the same hash tables.
* Memory and garbage collection: the dict storage keeps every bucket as a `set` (216 bytes, and
  one more object for the collector to walk), though nearly every bucket holds one key; at 25
  bands that was about 8 KB and 25 tracked objects per article. `CompactBuckets` keeps a lone key
  as itself and only a shared bucket as a list; `CompactKeys` keeps each key's band keys in a
  tuple. Both implement datasketch's storage interface, so `MinHashLSH.insert`, `query`,
  `remove` and `__contains__` work on a `BandedLSH` unchanged.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
from datasketch import MinHashLSH
from datasketch.storage import OrderedStorage, UnorderedStorage


class _Shared(list):  # type: ignore[type-arg]
    """A bucket holding more than one key (a private type, so it is never taken for a key)."""


class CompactBuckets(UnorderedStorage):
    """One band's buckets: bucket key -> the lone indexed key, or a `_Shared` list of them."""

    def __init__(self) -> None:
        self._dict: dict[Hashable, Any] = {}

    def keys(self) -> Iterable[Hashable]:
        return self._dict.keys()

    def get(self, key: Hashable) -> tuple[Hashable, ...] | list[Hashable]:
        found = self._dict.get(key, _ABSENT)
        if found is _ABSENT:
            return ()
        return found if type(found) is _Shared else (found,)

    def insert(self, key: Hashable, *vals: Hashable, **kwargs: Any) -> None:
        for val in vals:
            found = self._dict.get(key, _ABSENT)
            if found is _ABSENT:
                self._dict[key] = val
            elif type(found) is _Shared:
                found.append(val)  # keys are unique: MinHashLSH.insert checks by default
            elif found != val:
                self._dict[key] = _Shared((found, val))

    def remove(self, *keys: Hashable, **kwargs: Any) -> None:
        for key in keys:
            del self._dict[key]

    def remove_val(self, key: Hashable, val: Hashable, **kwargs: Any) -> None:
        found = self._dict[key]
        if type(found) is _Shared:
            found.remove(val)
            if len(found) == 1:
                self._dict[key] = found[0]
        elif found == val:
            self._dict[key] = _Shared()  # empty, as datasketch expects before it removes the key
        else:
            raise ValueError(f"{val!r} is not in bucket {key!r}")

    def size(self) -> int:
        return len(self._dict)

    def itemcounts(self, **kwargs: Any) -> dict[Hashable, int]:
        return {key: len(self.get(key)) for key in self._dict}

    def has_key(self, key: Hashable) -> bool:
        return key in self._dict


class CompactKeys(OrderedStorage):
    """Indexed key -> its band keys, as a tuple (no list per key for the collector to walk)."""

    def __init__(self) -> None:
        self._dict: dict[Hashable, tuple[bytes, ...]] = {}

    def keys(self) -> Iterable[Hashable]:
        return self._dict.keys()

    def get(self, key: Hashable) -> tuple[bytes, ...]:
        return self._dict.get(key, ())

    def insert(self, key: Hashable, *vals: bytes, **kwargs: Any) -> None:
        self._dict[key] = self._dict.get(key, ()) + vals

    def remove(self, *keys: Hashable, **kwargs: Any) -> None:
        for key in keys:
            del self._dict[key]

    def remove_val(self, key: Hashable, val: bytes, **kwargs: Any) -> None:
        values = list(self._dict[key])
        values.remove(val)
        self._dict[key] = tuple(values)

    def size(self) -> int:
        return len(self._dict)

    def itemcounts(self, **kwargs: Any) -> dict[Hashable, int]:
        return {key: len(values) for key, values in self._dict.items()}

    def has_key(self, key: Hashable) -> bool:
        return key in self._dict


_ABSENT = object()


class BandedLSH(MinHashLSH):
    """An in-memory `MinHashLSH` with compact storage that also takes precomputed band keys."""

    def __init__(self, num_perm: int, params: tuple[int, int]) -> None:
        super().__init__(num_perm=num_perm, params=params)
        self.hashtables = [CompactBuckets() for _ in range(self.b)]
        self.keys = CompactKeys()

    def band_keys(self, signature: np.ndarray) -> list[bytes]:
        """The bucket key of each band, exactly as `MinHashLSH` computes them."""
        raw = signature.byteswap().tobytes()
        size = signature.itemsize
        return [raw[start * size : end * size] for start, end in self.hashranges]

    def insert_bands(self, key: Hashable, bands: list[bytes]) -> None:
        """`insert` with the band keys already computed."""
        self.keys.insert(key, *bands)
        for band, table in zip(bands, self.hashtables, strict=True):
            table.insert(band, key)

    def query_bands(self, bands: list[bytes], into: set[Any]) -> None:
        """`query` with the band keys already computed; adds the keys found to `into`."""
        for band, table in zip(bands, self.hashtables, strict=True):
            into.update(table.get(band))


__all__ = ["BandedLSH", "CompactBuckets", "CompactKeys"]
