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

from array import array
from dataclasses import dataclass, replace

import numpy as np

from crawler.dedup.fingerprint import Fingerprint, fingerprint
from crawler.dedup.lsh import BandedLSH
from crawler.dedup.shingles import EMPTY, Signer
from crawler.dedup.similarity import numbers_agree, similarity

DEFAULT_THRESHOLD = 0.6
DEFAULT_NUM_PERM = 64
DEFAULT_CONTAINMENT = 0.9
DEFAULT_SHINGLE_SIZE = 4
MIN_WORDS = 25
MIN_CONTAINED_WORDS = 40
SHORT_CONTAINED_WORDS = 15
SHORT_CONTAINMENT = 0.95
HEAD_WORDS = 40
HEAD_PERM = 48
HEAD_CANDIDATE_THRESHOLD = 0.6
CANDIDATE_SLACK = 0.15
REDUNDANT = 0.9
ESTIMATE_SLACK = 0.25
HEAD_ESTIMATE = 0.4
TAIL_SHARE = 1 / 3
NUMBER_MISMATCH = 0.25
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


@dataclass(slots=True)
class _Probe:
    """One text being matched and then added: fingerprinted and sketched once."""

    text: str
    fingerprint: Fingerprint
    signature: np.ndarray
    head_signature: np.ndarray
    bands: list[bytes]
    head_bands: list[bytes]
    match: tuple[int, float] | None = None  # (story, Jaccard) of the last match() answer


class _Rows:
    """A growable uint32 matrix: one MinHash signature per indexed copy, for ranking."""

    def __init__(self, width: int) -> None:
        self.rows = np.empty((1024, width), dtype=np.uint32)
        self.size = 0

    def append(self, row: np.ndarray) -> None:
        if self.size == len(self.rows):
            grown = np.empty((2 * len(self.rows), self.rows.shape[1]), dtype=np.uint32)
            grown[: self.size] = self.rows
            self.rows = grown
        self.rows[self.size] = row
        self.size += 1

    def agreement(self, numbers: np.ndarray, row: np.ndarray) -> np.ndarray:
        """Estimated Jaccard of `row` with each of the rows `numbers`."""
        return (self.rows[numbers] == row).mean(axis=1)


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
        head_perm: int = HEAD_PERM,
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
        if not 0 < head_perm <= num_perm:
            raise ValueError("head_perm must be in [1, num_perm]")
        self._head_perm = head_perm
        self._lsh = BandedLSH(num_perm, lsh_bands(threshold - CANDIDATE_SLACK, num_perm))
        self._head_lsh = BandedLSH(head_perm, lsh_bands(HEAD_CANDIDATE_THRESHOLD, head_perm))
        self._signatures = _Rows(num_perm)
        self._head_signatures = _Rows(head_perm)
        self._exact: dict[bytes, int] = {}
        self._story_ids: list[str] = []
        self._story_numbers: dict[str, int] = {}
        # the indexed copies, by number (the LSH key): fingerprint and story
        self._prints: list[Fingerprint] = []
        self._stories = array("l")
        # last paragraph key -> the story it ended, or -1 once it has ended two stories (boilerplate)
        self._tails: dict[bytes, int] = {}
        self._probe: _Probe | None = None

    def __len__(self) -> int:
        """The number of distinct (normalised) texts registered."""
        return len(self._exact)

    def match(self, text: str) -> str | None:
        """The id of the story `text` is a copy of, or None for a new story."""
        probe = self._probe_for(text)
        found = probe.fingerprint
        if found.words == 0:
            return None
        story = self._exact.get(found.key)
        if story is not None:
            probe.match = (story, 1.0)
        elif found.words >= SHORT_CONTAINED_WORDS:
            probe.match = self._near(probe)
        return None if probe.match is None else self._story_ids[probe.match[0]]

    def add(self, story_id: str, text: str) -> None:
        """Register `text` as a copy of `story_id` (a loaded copy, or one just assigned)."""
        probe = self._probe_for(text)
        found = probe.fingerprint
        story = self._story_numbers.get(story_id)
        if story is None:
            story = self._story_numbers[story_id] = len(self._story_ids)
            self._story_ids.append(story_id)
        if found.words == 0 or found.key in self._exact:
            return  # the first story to claim a text keeps it
        self._exact[found.key] = story
        if found.tail_key:
            seen = self._tails.setdefault(found.tail_key, story)
            if seen != story:
                self._tails[found.tail_key] = -1
        if found.words < SHORT_CONTAINED_WORDS:
            return
        if probe.match is not None and probe.match[0] == story and probe.match[1] >= REDUNDANT:
            return  # a near-identical copy is indexed already: it would only add candidates
        number = len(self._prints)
        self._prints.append(replace(found, key=b"", ordered=EMPTY))
        self._stories.append(story)
        self._signatures.append(probe.signature)
        self._head_signatures.append(probe.head_signature)
        self._lsh.insert_bands(number, probe.bands)
        self._head_lsh.insert_bands(number, probe.head_bands)

    def _probe_for(self, text: str) -> _Probe:
        # add() usually follows match() on the same text: fingerprint and sketch it once
        if self._probe is not None and self._probe.text is text:
            return self._probe
        found = fingerprint(text, self.shingle_size, self.head_words)
        signature, head_signature = self._signer.signatures(
            found.ordered, found.head_size, self._head_perm
        )
        self._probe = _Probe(
            text,
            found,
            signature,
            head_signature,
            self._lsh.band_keys(signature),
            self._head_lsh.band_keys(head_signature),
        )
        return self._probe

    def _near(self, probe: _Probe) -> tuple[int, float] | None:
        """The best verified (story, Jaccard) among the LSH candidates, or None."""
        candidates: set[int] = set()
        self._lsh.query_bands(probe.bands, candidates)
        self._head_lsh.query_bands(probe.head_bands, candidates)
        if not candidates:
            return None
        numbers = np.fromiter(sorted(candidates), dtype=np.int64, count=len(candidates))
        # MinHash estimates drop the LSH's chance collisions (template stories, stock phrases)
        # before the exact check, and rank what is left, likeliest first
        whole = self._signatures.agreement(numbers, probe.signature)
        head = self._head_signatures.agreement(numbers, probe.head_signature)
        plausible = (whole >= self.threshold - ESTIMATE_SLACK) | (head >= HEAD_ESTIMATE)
        numbers, whole, head = numbers[plausible], whole[plausible], head[plausible]
        if numbers.size > MAX_CANDIDATES:
            likely = np.maximum(whole, head)
            numbers = numbers[np.argsort(-likely, kind="stable")[:MAX_CANDIDATES]]
        found = probe.fingerprint
        stated = self._numbers(found)
        best: tuple[float, int, float] | None = None
        for number in numbers.tolist():
            other = self._prints[number]
            if not numbers_agree(stated, self._numbers(other), NUMBER_MISMATCH):
                continue
            score, jaccard = self._score(found, other)
            if score > 0.0 and (best is None or score > best[0]):
                best = (score, self._stories[number], jaccard)
        return None if best is None else (best[1], best[2])

    def _score(self, a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
        """(how strongly `a` is a copy of `b` or 0.0 when it is not, their Jaccard)."""
        sim = similarity(a, b, self._trimmable(a), self._trimmable(b))
        if min(a.words, b.words) >= self.min_words and sim.jaccard >= self.threshold:
            return max(sim.jaccard, sim.containment), sim.jaccard
        if sim.contained_words >= self.min_contained_words:
            needed = self.containment
        elif sim.contained_words >= SHORT_CONTAINED_WORDS:
            needed = max(self.containment, SHORT_CONTAINMENT)
        else:
            return 0.0, sim.jaccard
        return (sim.containment if sim.containment >= needed else 0.0), sim.jaccard

    def _numbers(self, found: Fingerprint) -> frozenset[str]:
        """The numbers a text states, but for those of a last paragraph that may be discounted."""
        if not found.tail_numbers or self._trimmable(found):
            return found.numbers
        return found.numbers | found.tail_numbers

    def _trimmable(self, found: Fingerprint) -> bool:
        """May this text's last paragraph be discounted: short beside the text, or boilerplate?"""
        if found.tail.size <= TAIL_SHARE * found.shingles.size:
            return True
        return self._tails.get(found.tail_key, 0) == -1


__all__ = ["StoryIndex", "lsh_bands"]
