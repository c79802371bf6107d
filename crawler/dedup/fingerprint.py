"""One article text -> everything the index compares, computed once per text.

The index keeps a `Fingerprint` per distinct copy: the exact key, the shingle set as a sorted
uint32 array (about 4 bytes a word, so 100,000 articles cost tens of MB, not the GB a Python set
would), the shingles only the last paragraph has (so a promo a site appended can be discounted),
and the numbers the text states.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b

import numpy as np

from crawler.dedup.normalize import last_paragraph, numbers, strip_dateline, tokens
from crawler.dedup.shingles import EMPTY, shingle_hashes, unique_sorted


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """What dedup knows about one text.

    `key` identifies the normalised text, `tail_key` its last paragraph (b"" if it has one).
    `shingles` and `tail` are sorted, unique uint32 hashes; `tail` holds the shingles that only
    the last paragraph contributes (empty for a one-paragraph text); `head` the shingles of the
    first `head_words` words, the part an excerpt shares with its full story.
    """

    key: bytes
    words: int
    tail_key: bytes
    shingles: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    numbers: frozenset[str]


def _key(words: list[str]) -> bytes:
    return blake2b(" ".join(words).encode(), digest_size=16).digest()


def fingerprint(text: str, shingle_size: int, head_words: int) -> Fingerprint:
    """Fingerprint `text` with `shingle_size`-word shingles."""
    text = strip_dateline(text)
    words = tokens(text)
    key = _key(words)
    ordered = shingle_hashes(words, shingle_size)
    shingles = unique_sorted(ordered)
    head = unique_sorted(ordered[: max(1, head_words - shingle_size + 1)])
    tail_tokens = tokens(last_paragraph(text)) if len(words) > shingle_size else []
    tail_words = len(tail_tokens)
    tail_key = _key(tail_tokens) if tail_tokens else b""
    tail = EMPTY
    if 0 < tail_words < len(words):
        # shingles that start in the body, then those that reach into the last paragraph
        cut = max(0, len(words) - tail_words - shingle_size + 1)
        body = unique_sorted(ordered[:cut])
        ending = unique_sorted(ordered[cut:])
        if body.size:
            at = np.searchsorted(body, ending)
            at[at == body.size] = body.size - 1
            ending = ending[body[at] != ending]
        tail = ending
    return Fingerprint(
        key=key,
        words=len(words),
        tail_key=tail_key,
        shingles=shingles,
        tail=tail,
        head=head,
        numbers=numbers(words),
    )


__all__ = ["Fingerprint", "fingerprint"]
