"""Word shingles as 32-bit hashes, and their MinHash signatures, computed with numpy.

datasketch's `MinHash.update` hashes one value per Python call; at a few hundred shingles per
article that alone would cost more than the whole throughput budget (>= 2,000 articles/s). Here a
word is hashed once (blake2b, cached), a shingle is a polynomial of its words' hashes over a numpy
array, and the signature applies datasketch's own "affine32" permutations (same seed, same
formula), so the values are exactly those `MinHash.update_batch` would give for the same shingle
hashes and datasketch's `MinHashLSH` indexes them as they are. Every hash is seeded and
platform-independent: the same text gives the same signature in every process.

datasketch itself (and the scipy it loads: a second of start-up) is imported only to draw the
permutations and by checks: an extraction worker gets a `Signer` ready-made and never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

_U32 = np.uint32
_U64 = np.uint64
_MULTIPLIER = _U64(0x9E3779B97F4A7C15)  # odd 64-bit constant: the shingle polynomial's base
_FMIX32 = (_U32(16), _U32(0x85EBCA6B), _U32(13), _U32(0xC2B2AE35))
_CACHE_LIMIT = 500_000  # words; about 50 MB at most
EMPTY = np.empty(0, dtype=_U32)
EMPTY.flags.writeable = False


class _WordHashes(dict[str, int]):
    """word -> stable 64-bit hash; a dict so the hot path is one C-level lookup per word."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _CACHE_LIMIT:  # numbers make the vocabulary open-ended
            self.clear()
        value = int.from_bytes(blake2b(word.encode(), digest_size=8).digest(), "little")
        self[word] = value
        return value


_WORD_HASHES = _WordHashes()


def shingle_hashes(words: list[str], k: int) -> np.ndarray:
    """The 32-bit hashes of the `k`-word shingles of `words`, in text order.

    A text shorter than `k` words is one shingle, so that even a tiny text has a set to compare.
    """
    if not words:
        return EMPTY
    hashed = np.array(list(map(_WORD_HASHES.__getitem__, words)), dtype=_U64)
    width = min(k, len(words))
    count = len(words) - width + 1
    acc = hashed[:count].copy()
    for offset in range(1, width):
        acc *= _MULTIPLIER
        acc += hashed[offset : offset + count]
    # word hashes are uniform 64-bit values, so the polynomial's high half is a fair 32-bit hash
    return (acc >> _U64(32)).astype(_U32)


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """`np.unique` for a small array, by sort and compare (several times faster than its hash
    path on arrays of a few hundred values)."""
    if values.size < 2:
        return values.copy()
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _fmix32(values: np.ndarray) -> np.ndarray:
    """datasketch's pre-mix for the affine32 scheme (MurmurHash3 finalizer)."""
    s1, m1, s2, m2 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s1)


class Signer:
    """MinHash signatures for one (num_perm, seed): the permutations are drawn once."""

    scheme = "affine32"

    def __init__(self, num_perm: int, seed: int) -> None:
        from datasketch import MinHash

        template = MinHash(num_perm=num_perm, seed=seed, scheme=self.scheme)
        self.num_perm = num_perm
        self.seed = seed
        self._a, self._b = (np.ascontiguousarray(row, dtype=_U32) for row in template.permutations)
        self.permutations = template.permutations

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """The MinHash values of the set `shingles` (uint32[num_perm])."""
        if shingles.size == 0:
            return np.full(self.num_perm, np.iinfo(_U32).max, dtype=_U32)
        mixed = _fmix32(shingles)
        return (np.multiply.outer(mixed, self._a) + self._b).min(axis=0)

    def signatures(
        self, ordered: np.ndarray, head_size: int, head_perm: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The signature of all of `ordered` and, sharing the work, the signature of its first
        `head_size` shingles under the first `head_perm` permutations (duplicates in `ordered`
        do not change a minimum)."""
        if ordered.size == 0:
            empty = np.full(self.num_perm, np.iinfo(_U32).max, dtype=_U32)
            return empty, empty[:head_perm].copy()
        matrix = np.multiply.outer(_fmix32(ordered), self._a)
        matrix += self._b
        return matrix.min(axis=0), matrix[:head_size, :head_perm].min(axis=0)

    def minhash(self, shingles: np.ndarray) -> MinHash:
        """The MinHash of `shingles` as a datasketch object (slower to build; for checks)."""
        from datasketch import MinHash

        return MinHash(
            seed=self.seed,
            hashvalues=self.signature(shingles),
            permutations=self.permutations,
            scheme=self.scheme,
        )


def band_keys(signature: np.ndarray, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """The LSH bucket key of each band of `signature` (`ranges`: `MinHashLSH.hashranges`),
    exactly as `MinHashLSH` computes them."""
    raw = signature.byteswap().tobytes()
    size = signature.itemsize
    return [raw[start * size : end * size] for start, end in ranges]


class SignatureRows:
    """A growable uint32 matrix of signatures, one row per indexed text.

    The LSH says only that two texts collided in some band; the stored signatures give every
    candidate an estimated Jaccard in one vectorised comparison, so chance collisions are
    dropped, and the rest ranked, before any exact check.
    """

    def __init__(self, width: int) -> None:
        self._rows = np.empty((1024, width), dtype=_U32)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, row: np.ndarray) -> None:
        if self._size == len(self._rows):
            grown = np.empty((2 * len(self._rows), self._rows.shape[1]), dtype=_U32)
            grown[: self._size] = self._rows
            self._rows = grown
        self._rows[self._size] = row
        self._size += 1

    def agreement(self, rows: np.ndarray, signature: np.ndarray) -> np.ndarray:
        """How many values `signature` shares with each of `rows` (row numbers): the estimated
        Jaccard times the signature width."""
        return np.count_nonzero(self._rows[rows] == signature, axis=1)


__all__ = ["EMPTY", "SignatureRows", "Signer", "band_keys", "shingle_hashes", "unique_sorted"]
