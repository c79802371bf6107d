"""StoryIndex: which story, if any, a new article text is a copy of.

Three steps, cheapest first (thresholds and the measurements behind them: THRESHOLDS.md):

1. Exact: a hash of the normalised words (case, punctuation, quotes, accents folded away).
2. Near duplicate: MinHash LSH (datasketch `MinHashLSH`) over word shingles proposes candidates,
   and each is verified on the exact shingle sets before it is accepted: Jaccard >= `threshold`,
   or the smaller text lies (>= `containment`) inside the larger one.
3. Excerpt: a second LSH over the shingles of each text's opening words (its "head") finds the
   full story of a truncated copy, and the truncated copy of a full story, since an excerpt is
   the first paragraphs of its story; the same exact containment check accepts it.

Every accepted candidate must also state (mostly) the same numbers: template stories (market
reports, scores) share their prose and differ in their figures. Texts under `min_words` words
match only exactly, and containment needs the smaller text to have `min_contained_words` words.

Determinism: the hashes and MinHash permutations are seeded, candidates are checked in insertion
order and ties go to the earliest text, so the same calls give the same answers in any process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH

from crawler.dedup.fingerprint import Fingerprint, fingerprint
from crawler.dedup.shingles import Signer
from crawler.dedup.similarity import numbers_agree, similarity

DEFAULT_THRESHOLD = 0.6
DEFAULT_NUM_PERM = 64
DEFAULT_CONTAINMENT = 0.9
DEFAULT_SHINGLE_SIZE = 4
MIN_WORDS = 25
MIN_CONTAINED_WORDS = 40
HEAD_WORDS = 40
TAIL_SHARE = 1 / 3
NUMBER_SHARE = 0.5
MAX_CANDIDATES = 64
SEED = 1


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


@dataclass(frozen=True, slots=True)
class _Copy:
    story: int
    fingerprint: Fingerprint


class StoryIndex:
    """An in-memory index of article texts (clean body text only) grouped into stories."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        *,
        containment: float = DEFAULT_CONTAINMENT,
        shingle_size: int = DEFAULT_SHINGLE_SIZE,
        min_words: int = MIN_WORDS,
        min_contained_words: int = MIN_CONTAINED_WORDS,
        head_words: int = HEAD_WORDS,
        candidate_threshold: float | None = None,
        seed: int = SEED,
    ) -> None:
        if not 0.0 < threshold <= 1.0 or not 0.0 < containment <= 1.0:
            raise ValueError("threshold and containment must be in (0, 1]")
        self.threshold = threshold
        self.containment = containment
        self.shingle_size = shingle_size
        self.min_words = min_words
        self.min_contained_words = min_contained_words
        self.head_words = head_words
        self._signer = Signer(num_perm, seed)
        lowered = candidate_threshold if candidate_threshold is not None else threshold - 0.15
        self._lsh = MinHashLSH(num_perm=num_perm, params=lsh_bands(lowered, num_perm))
        self._head_lsh = MinHashLSH(num_perm=num_perm, params=lsh_bands(0.5, num_perm))
        self._exact: dict[bytes, int] = {}
        self._story_ids: list[str] = []
        self._story_numbers: dict[str, int] = {}
        self._copies: list[_Copy] = []
        self._last: tuple[str, Fingerprint] | None = None

    def __len__(self) -> int:
        """The number of distinct (normalised) texts registered."""
        return len(self._exact)

    def match(self, text: str) -> str | None:
        """The id of the story `text` is a copy of, or None for a new story."""
        found = self._fingerprint(text)
        if found.words == 0:
            return None
        story = self._exact.get(found.key)
        if story is None and found.words >= self.min_words:
            story = self._near(found)
        return None if story is None else self._story_ids[story]

    def add(self, story_id: str, text: str) -> None:
        """Register `text` as a copy of `story_id` (a loaded copy, or one just assigned)."""
        found = self._fingerprint(text)
        story = self._story_numbers.get(story_id)
        if story is None:
            story = self._story_numbers[story_id] = len(self._story_ids)
            self._story_ids.append(story_id)
        if found.words == 0 or found.key in self._exact:
            return  # the first story to claim a text keeps it
        self._exact[found.key] = story
        if found.words < self.min_words:
            return
        number = len(self._copies)
        self._copies.append(_Copy(story, found))
        self._lsh.insert(number, self._signer.minhash(found.shingles), check_duplication=False)
        self._head_lsh.insert(number, self._signer.minhash(found.head), check_duplication=False)

    def _fingerprint(self, text: str) -> Fingerprint:
        # add() usually follows match() on the same text: fingerprint it once
        if self._last is not None and self._last[0] is text:
            return self._last[1]
        found = fingerprint(text, self.shingle_size, self.head_words)
        self._last = (text, found)
        return found

    def _near(self, found: Fingerprint) -> int | None:
        candidates = set(self._lsh.query(self._signer.minhash(found.shingles)))
        candidates.update(self._head_lsh.query(self._signer.minhash(found.head)))
        best: tuple[float, int] | None = None
        for number in sorted(candidates)[:MAX_CANDIDATES]:
            copy = self._copies[number]
            if not numbers_agree(found.numbers, copy.fingerprint.numbers, NUMBER_SHARE):
                continue
            score = self._score(found, copy.fingerprint)
            if score > 0.0 and (best is None or score > best[0]):
                best = (score, copy.story)
        return None if best is None else best[1]

    def _score(self, a: Fingerprint, b: Fingerprint) -> float:
        """How strongly `a` is a copy of `b`, or 0.0 when it is not."""
        if min(a.words, b.words) < self.min_words:
            return 0.0
        sim = similarity(a, b, TAIL_SHARE)
        near = sim.jaccard >= self.threshold
        inside = sim.containment >= self.containment and (
            sim.contained_words >= self.min_contained_words
        )
        return max(sim.jaccard, sim.containment) if near or inside else 0.0


__all__ = ["StoryIndex", "lsh_bands"]
