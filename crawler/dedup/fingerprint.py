"""One article text -> what the index compares, in two steps.

`words_of` normalises the text and hashes its words into the exact key: all an exact copy needs.
`fingerprint` does the rest for the near-duplicate steps. The index keeps a `Fingerprint` per
indexed copy: the shingle set as a sorted uint32 array (about 4 bytes a word, so 100,000
articles cost tens of MB, not the GB Python sets would), its opening (the head), the shingles
and the key of the last paragraph (so a promo a site appended can be recognised and discounted),
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

    `tail_key` identifies the last paragraph (b"" for a one-paragraph text). `shingles` and
    `tail` are sorted, unique uint32 hashes; `tail` holds the shingles that reach into the last
    paragraph (empty for a one-paragraph text). `numbers` are those stated before the last
    paragraph, `tail_numbers` those only the last paragraph states (sorted tuples: unlike sets,
    the garbage collector need not walk them). `head` holds the first `head_size` shingles
    (unique, sorted): the text's opening, which an excerpt shares with its story.
    """

    words: int
    tail_key: bytes
    shingles: np.ndarray
    tail: np.ndarray
    numbers: tuple[str, ...]
    tail_numbers: tuple[str, ...]
    head: np.ndarray
    head_size: int


def _key(normalised: str) -> bytes:
    return blake2b(normalised.encode(), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Words:
    """A text's normalised words, apart before its last paragraph; `key` identifies the text.

    The first thing the index needs, and for an exact copy the only one, so it is cheap to get.
    """

    body: list[str]
    tail: list[str]
    key: bytes
    normalised_body: str

    @property
    def count(self) -> int:
        return len(self.body) + len(self.tail)


def words_of(text: str) -> Words:
    """Normalise `text` (dateline dropped) into its words and its exact key."""
    body_text, tail_text = split_last_paragraph(strip_dateline(text))
    body = tokens(body_text)
    tail = tokens(tail_text) if tail_text else []
    joined, tail_joined = " ".join(body), " ".join(tail)
    everything = f"{joined} {tail_joined}" if joined and tail_joined else joined or tail_joined
    return Words(body, tail, _key(everything), joined)


def fingerprint(words: Words, shingle_size: int, head_words: int) -> tuple[Fingerprint, np.ndarray]:
    """Fingerprint a text's `words` with `shingle_size`-word shingles and a `head_words` head.

    Also returns the shingles in text order (their first `head_size` make the head), which the
    index needs for the signatures but does not keep.
    """
    body, tail_words = words.body, words.tail
    every = body + tail_words if tail_words else body
    ordered = shingle_hashes(every, shingle_size)
    tail = EMPTY
    if body and tail_words and len(every) > shingle_size:
        # the shingles that reach into the last paragraph (a promo rarely repeats the body's)
        tail = unique_sorted(ordered[max(0, len(body) - shingle_size + 1) :])
    head_size = min(ordered.size, max(1, head_words - shingle_size + 1))
    tail_normalised = " ".join(tail_words)
    body_numbers = numbers(words.normalised_body)
    tail_numbers = numbers(tail_normalised) - body_numbers if tail_words else frozenset()
    found = Fingerprint(
        words=len(every),
        tail_key=_key(tail_normalised) if tail_words else b"",
        shingles=unique_sorted(ordered),
        tail=tail,
        numbers=tuple(sorted(body_numbers)),
        tail_numbers=tuple(sorted(tail_numbers)),
        head=unique_sorted(ordered[:head_size]),
        head_size=head_size,
    )
    return found, ordered


__all__ = ["Fingerprint", "Words", "fingerprint", "words_of"]
