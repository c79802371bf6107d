"""Exact set similarity between two fingerprints: the check behind every LSH candidate.

MinHash LSH only proposes candidates; accepting one on an estimate would let a lucky collision
merge two stories. These measures are exact on the shingle sets (32-bit hashes, so exact up to
hash collisions, about one in a few million shingle pairs).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from crawler.dedup.fingerprint import Fingerprint


def common(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted, unique arrays share."""
    if a.size > b.size:
        a, b = b, a
    if a.size == 0:
        return 0
    at = np.searchsorted(b, a)
    at[at == b.size] = b.size - 1
    return int(np.count_nonzero(b[at] == a))


@dataclass(frozen=True, slots=True)
class Similarity:
    """`jaccard` of the two shingle sets; `containment` of the smaller set in the larger.

    `containment` is the better of the plain value and the value without the smaller text's last
    paragraph (when allowed), since sites append a promo or a sign-off to their copy.
    `contained_words` is the length of the smaller text, the part that must lie inside the other,
    and `head_inside` (computed on demand) the share of its opening that does: an excerpt, a cut
    or a standfirst-less copy opens with its story's words, while a short story that repeats
    another's background paragraph opens with its own, however much of it that paragraph is.
    """

    jaccard: float
    containment: float
    contained_words: int
    smaller: Fingerprint
    larger: Fingerprint

    @property
    def head_inside(self) -> float:
        """The share of the smaller text's opening inside the larger text."""
        head = self.smaller.head
        return common(head, self.larger.shingles) / head.size if head.size else 0.0


def similarity(a: Fingerprint, b: Fingerprint, trim_a: bool, trim_b: bool) -> Similarity:
    """Compare two fingerprints; `trim_a`/`trim_b`: whether that text's last paragraph may be
    discounted (it is short beside the text, or known boilerplate)."""
    shared = common(a.shingles, b.shingles)
    union = a.shingles.size + b.shingles.size - shared
    small, large, trim = (a, b, trim_a) if a.shingles.size <= b.shingles.size else (b, a, trim_b)
    containment = shared / small.shingles.size if small.shingles.size else 0.0
    if trim and 0 < small.tail.size < small.shingles.size and containment < 1.0:
        # without the last paragraph (approximately: its shingles may recur in the body)
        in_tail = common(small.tail, large.shingles)
        trimmed = (shared - in_tail) / (small.shingles.size - small.tail.size)
        containment = max(containment, min(1.0, trimmed))
    return Similarity(
        jaccard=shared / union if union else 0.0,
        containment=containment,
        contained_words=small.words,
        smaller=small,
        larger=large,
    )


def numbers_agree(a: frozenset[str], b: Collection[str], mismatch: float) -> bool:
    """Whether two texts state the same numbers, but for at most one or a `mismatch` share.

    Counted on the text with fewer numbers, so an excerpt (few numbers) or a copy with an extra
    figure still agrees with its story, while two weather or market reports from one template,
    whose prose is nearly identical, are told apart by their figures. A single differing number
    decides nothing: a corrected figure, a truncated excerpt's last number.
    """
    fewer = min(len(a), len(b))
    return fewer - len(a.intersection(b)) <= max(1, int(mismatch * fewer))


__all__ = ["Similarity", "common", "numbers_agree", "similarity"]
