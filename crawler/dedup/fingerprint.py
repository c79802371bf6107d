"""One article text -> everything the index compares, computed once per text.

The index keeps a `Fingerprint` per distinct copy: the exact key, the shingle set as a sorted
uint32 array (about 4 bytes a word, so 100,000 articles cost tens of MB, not the GB a Python set
would), the shingles only the last paragraph has (so a promo a site appended can be discounted),
and the numbers the text states (apart for the last paragraph, as a promo has its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b

import numpy as np

from crawler.dedup.normalize import numbers, split_last_paragraph, strip_dateline, tokens
from crawler.dedup.shingles import EMPTY, shingle_hashes, unique_sorted


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """What dedup knows about one text.

    `key` identifies the normalised text, `tail_key` its last paragraph (b"" if it has one).
    `shingles` and `tail` are sorted, unique uint32 hashes; `tail` holds the shingles that reach
    into the last paragraph (empty for a one-paragraph text). `numbers` are those stated before
    the last paragraph, `tail_numbers` those only the last paragraph states. `ordered` is the shingles in
    text order and its first `head_size` are the text's opening, the part an excerpt shares with
    its full story; both serve only to compute signatures, so the index drops `ordered` after.
    """

    key: bytes
    words: int
    tail_key: bytes
    shingles: np.ndarray
    tail: np.ndarray
    numbers: frozenset[str]
    tail_numbers: frozenset[str]
    ordered: np.ndarray
    head_size: int


def _key(normalised: str) -> bytes:
    return blake2b(normalised.encode(), digest_size=16).digest()


def fingerprint(text: str, shingle_size: int, head_words: int) -> Fingerprint:
    """Fingerprint `text` with `shingle_size`-word shingles; the head is `head_words` long."""
    body_text, tail_text = split_last_paragraph(strip_dateline(text))
    body_words = tokens(body_text)
    tail_words = tokens(tail_text) if tail_text else []
    words = body_words + tail_words if tail_words else body_words
    ordered = shingle_hashes(words, shingle_size)
    tail = EMPTY
    if body_words and tail_words and len(words) > shingle_size:
        # the shingles that reach into the last paragraph (a promo rarely repeats the body's)
        tail = unique_sorted(ordered[max(0, len(body_words) - shingle_size + 1) :])
    normalised = " ".join(words)
    tail_normalised = " ".join(tail_words)
    body_numbers = numbers(" ".join(body_words)) if tail_words else numbers(normalised)
    return Fingerprint(
        key=_key(normalised),
        words=len(words),
        tail_key=_key(tail_normalised) if tail_words else b"",
        shingles=unique_sorted(ordered),
        tail=tail,
        numbers=body_numbers,
        tail_numbers=numbers(tail_normalised) - body_numbers if tail_words else frozenset(),
        ordered=ordered,
        head_size=min(ordered.size, max(1, head_words - shingle_size + 1)),
    )


__all__ = ["Fingerprint", "fingerprint"]
