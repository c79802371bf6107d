"""StoryIndex: which story, if any, a new article text is a copy of.

Three steps, cheapest first (the thresholds and the measurements behind them: THRESHOLDS.md):

1. Exact: a hash of the normalised words (case, punctuation, quotes, accents and a leading wire
   dateline folded away).
2. Near duplicate: MinHash LSH (datasketch `MinHashLSH`) over word shingles proposes candidates,
   MinHash estimates drop chance collisions, and each remaining candidate is verified on the
   exact shingle sets: Jaccard >= `threshold`, or the smaller text lies (>= `containment`)
   inside the larger one and so does its opening (a story that repeats another's background
   paragraph still opens with its own words).
3. Excerpt: a second LSH over the shingles of each text's opening words (its head) finds the
   full story of a truncated copy and the truncated copy of a full story, since an excerpt is
   the first paragraphs of its story; the same exact containment check accepts it.

A candidate must also state the same numbers (all but one or a quarter): template stories such as
market or weather reports share their prose and differ in their figures. A last paragraph that is
short beside the text, or that has ended other stories too (a site's promo), may be discounted.
Texts under `min_words` words never match on Jaccard; containment needs the smaller text to have
`min_contained_words` words (or `SHORT_CONTAINED_WORDS` and near-total containment, but such a
text is only half as long as the indexed heads, so the head LSH proposes it only sometimes);
texts shorter than that match only exactly.

Determinism: hashes and MinHash permutations are seeded and independent of PYTHONHASHSEED,
candidates are checked in a fixed order and ties go to the earliest copy, so the same calls give
the same answers in any process.

Two cores: normalising, shingling and signing a text (`Sketcher.prepare`) is over half the cost
and needs no index state, so it can run in worker processes; `match` and `add` take the
`Prepared` text as they take a plain one, with the same answers.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from crawler.dedup.fingerprint import Fingerprint, Words, fingerprint, words_of
from crawler.dedup.shingles import SignatureRows, Signer, band_keys
from crawler.dedup.similarity import Similarity, numbers_agree, similarity

if TYPE_CHECKING:
    from crawler.dedup.lsh import BandedLSH

# Chosen on benchmarks/dedup.py; see THRESHOLDS.md for the figures.
DEFAULT_THRESHOLD = 0.7  # verified Jaccard for a near duplicate
DEFAULT_CONTAINMENT = 0.8  # share of the smaller text's shingles inside the larger
DEFAULT_NUM_PERM = 64  # MinHash permutations (main LSH: 16 bands of 4)
DEFAULT_SHINGLE_SIZE = 3  # words per shingle
MIN_WORDS = 25  # shorter texts never match on Jaccard
MIN_CONTAINED_WORDS = 40  # an excerpt this long joins at `containment`
SHORT_CONTAINED_WORDS = 15  # shorter texts match only exactly...
SHORT_CONTAINMENT = 0.95  # ...and those in between only when (nearly) wholly contained
HEAD_WORDS = 40  # the opening an excerpt shares with its story
HEAD_PERM = 48  # permutations of the head LSH (9 bands of 5)
HEAD_CANDIDATE_THRESHOLD = 0.6  # where the head LSH's S-curve turns
CANDIDATE_SLACK = 0.15  # the main LSH's S-curve turns this far below `threshold`
ESTIMATE_SLACK = 0.25  # a candidate is checked if its estimated Jaccard is this close...
HEAD_ESTIMATE = 0.4  # ...or its heads' estimated Jaccard reaches this
FEW_CANDIDATES = 3  # this few are checked exactly without estimating first
MAX_CANDIDATES = 64  # exact checks per text at most, likeliest first
REDUNDANT = 0.9  # a copy this close (Jaccard) to an indexed copy of its story is not indexed
HEAD_INSIDE = 0.75  # share of a contained text's opening that must lie inside the other
TAIL_SHARE = 1 / 3  # a last paragraph this small beside the text may be discounted
NUMBER_MISMATCH = 0.25  # numbers that may differ, beyond one
SEED = 1


@dataclass(frozen=True, slots=True)
class _Sketch:
    """A text's fingerprint, MinHash signatures and LSH band keys."""

    fingerprint: Fingerprint
    signature: np.ndarray
    head_signature: np.ndarray
    bands: list[bytes]
    head_bands: list[bytes]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as one buffer of its five uint32 arrays: unpickling five numpy arrays one by
        # one cost a third of what preparing the text in a worker saved.
        found = self.fingerprint
        arrays = (found.shingles, found.tail, found.head, self.signature, self.head_signature)
        return _unpickle_sketch, (
            b"".join(array.tobytes() for array in arrays),
            tuple(array.size for array in arrays),
            (found.words, found.tail_key, found.numbers, found.tail_numbers, found.head_size),
            self.bands,
            self.head_bands,
        )


def _unpickle_sketch(
    buffer: bytes,
    sizes: tuple[int, ...],
    scalars: tuple[Any, ...],
    bands: list[bytes],
    head_bands: list[bytes],
) -> _Sketch:
    flat = np.frombuffer(buffer, dtype=np.uint32)
    ends = np.cumsum(sizes).tolist()
    shingles, tail, head, signature, head_signature = (
        flat[end - size : end] for size, end in zip(sizes, ends, strict=True)
    )
    words, tail_key, numbers, tail_numbers, head_size = scalars
    found = Fingerprint(words, tail_key, shingles, tail, numbers, tail_numbers, head, head_size)
    return _Sketch(found, signature, head_signature, bands, head_bands)


@dataclass(slots=True)
class Prepared:
    """A text made ready for the index elsewhere (`Sketcher.prepare`): its exact key, its word
    count and, when it is long enough to be a near copy, its sketch. Small and picklable."""

    key: bytes
    count: int
    sketch: _Sketch | None


@dataclass(slots=True)
class _Probe:
    """One text being matched and then added: normalised once, sketched once if need be (an
    exact copy never is)."""

    source: str | Prepared  # what match() or add() was given
    key: bytes
    count: int
    words: Words | None  # None when prepared elsewhere
    sketch: _Sketch | None = None
    match: tuple[int, float] | None = None  # (story, Jaccard) of the last match() answer


class Sketcher:
    """Text -> what the index compares, for one set of index parameters; no index state, so a
    copy can work in another process and give exactly the index's own sketches."""

    def __init__(
        self, shingle_size: int, head_words: int, num_perm: int, head_perm: int, seed: int,
        lsh: BandedLSH, head_lsh: BandedLSH,
    ) -> None:
        self.shingle_size = shingle_size
        self.head_words = head_words
        self.head_perm = head_perm
        self.signer = Signer(num_perm, seed)
        self.ranges = lsh.hashranges
        self.head_ranges = head_lsh.hashranges

    def sketch(self, words: Words) -> _Sketch:
        found, ordered = fingerprint(words, self.shingle_size, self.head_words)
        signature, head_signature = self.signer.signatures(
            ordered, found.head_size, self.head_perm
        )
        return _Sketch(
            found,
            signature,
            head_signature,
            band_keys(signature, self.ranges),
            band_keys(head_signature, self.head_ranges),
        )

    def prepare(self, text: str) -> Prepared:
        """Everything `StoryIndex.match` and `add` compute from `text` alone."""
        words = words_of(text)
        sketch = self.sketch(words) if words.count >= SHORT_CONTAINED_WORDS else None
        return Prepared(words.key, words.count, sketch)


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
        if not 0 < head_perm <= num_perm:
            raise ValueError("head_perm must be in [1, num_perm]")
        # Here, not at the top: datasketch loads scipy (a second), and an extraction worker,
        # which only sketches texts (`Sketcher`), never builds an index.
        from crawler.dedup.lsh import BandedLSH, lsh_bands

        self.threshold = threshold
        self.containment = containment
        self.shingle_size = shingle_size
        self.min_words = min_words
        self.min_contained_words = min_contained_words
        self.head_words = head_words
        self._head_perm = head_perm
        self._lsh = BandedLSH(num_perm, lsh_bands(threshold - CANDIDATE_SLACK, num_perm))
        self._head_lsh = BandedLSH(head_perm, lsh_bands(HEAD_CANDIDATE_THRESHOLD, head_perm))
        self.sketcher = Sketcher(
            shingle_size, head_words, num_perm, head_perm, seed, self._lsh, self._head_lsh
        )
        self._signatures = SignatureRows(num_perm)
        self._head_signatures = SignatureRows(head_perm)
        self._exact: dict[bytes, int] = {}  # normalised text key -> story number
        self._story_ids: list[str] = []  # story number -> id
        self._story_numbers: dict[str, int] = {}
        # the indexed copies by number (their LSH key): fingerprint and story number
        self._prints: list[Fingerprint] = []
        self._stories = array("l")
        # last paragraph key -> the story it ended, or -1 once it ended two (boilerplate)
        self._tails: dict[bytes, int] = {}
        self._probe: _Probe | None = None

    def __len__(self) -> int:
        """The number of distinct (normalised) texts registered."""
        return len(self._exact)

    def match(self, text: str | Prepared) -> str | None:
        """The id of the story `text` is a copy of, or None for a new story."""
        probe = self._probe_for(text)
        probe.match = None
        if probe.count == 0:
            return None
        story = self._exact.get(probe.key)
        if story is not None:
            probe.match = (story, 1.0)
        elif probe.count >= SHORT_CONTAINED_WORDS:
            probe.match = self._near(self._sketch(probe))
        return None if probe.match is None else self._story_ids[probe.match[0]]

    def add(self, story_id: str, text: str | Prepared) -> None:
        """Register `text` as a copy of `story_id` (a loaded copy, or one just assigned)."""
        probe = self._probe_for(text)
        story = self._story_numbers.get(story_id)
        if story is None:
            story = self._story_numbers[story_id] = len(self._story_ids)
            self._story_ids.append(story_id)
        if probe.count == 0 or probe.key in self._exact:
            return  # the first story to claim a text keeps it
        self._exact[probe.key] = story
        if probe.count < SHORT_CONTAINED_WORDS:
            return
        sketch = self._sketch(probe)
        found = sketch.fingerprint
        if found.tail_key and self._tails.setdefault(found.tail_key, story) != story:
            self._tails[found.tail_key] = -1
        if probe.match is not None and probe.match[0] == story and probe.match[1] >= REDUNDANT:
            return  # a near-identical copy is indexed already: this one would add only cost
        number = len(self._prints)
        self._prints.append(found)
        self._stories.append(story)
        self._signatures.append(sketch.signature)
        self._head_signatures.append(sketch.head_signature)
        self._lsh.insert_bands(number, sketch.bands)
        self._head_lsh.insert_bands(number, sketch.head_bands)

    def _probe_for(self, text: str | Prepared) -> _Probe:
        # add() usually follows match() on the same text: normalise it once
        if self._probe is None or self._probe.source is not text:
            if isinstance(text, Prepared):
                self._probe = _Probe(text, text.key, text.count, None, text.sketch)
            else:
                words = words_of(text)
                self._probe = _Probe(text, words.key, words.count, words)
        return self._probe

    def _sketch(self, probe: _Probe) -> _Sketch:
        if probe.sketch is None:
            assert probe.words is not None  # a prepared text long enough comes sketched
            probe.sketch = self.sketcher.sketch(probe.words)
        return probe.sketch

    def _near(self, sketch: _Sketch) -> tuple[int, float] | None:
        """The best verified (story, Jaccard) among the LSH candidates, or None."""
        candidates: set[int] = set()
        self._lsh.query_bands(sketch.bands, candidates)
        self._head_lsh.query_bands(sketch.head_bands, candidates)
        if not candidates:
            return None
        numbers = np.array(sorted(candidates), dtype=np.int64)
        if numbers.size > FEW_CANDIDATES:
            numbers = self._likeliest(sketch, numbers)
        found = sketch.fingerprint
        trim = self._trimmable(found)
        stated = frozenset(self._numbers(found, trim))
        best: tuple[float, int, float] | None = None
        for number in numbers.tolist():
            other = self._prints[number]
            other_trim = self._trimmable(other)
            if not numbers_agree(stated, self._numbers(other, other_trim), NUMBER_MISMATCH):
                continue
            score, jaccard = self._score(similarity(found, other, trim, other_trim))
            if score > 0.0 and (best is None or score > best[0]):
                best = (score, self._stories[number], jaccard)
        return None if best is None else (best[1], best[2])

    def _likeliest(self, sketch: _Sketch, numbers: np.ndarray) -> np.ndarray:
        """The candidates worth an exact check, likeliest first: MinHash estimates drop the
        LSH's chance collisions (template stories, stock phrases)."""
        whole = self._signatures.agreement(numbers, sketch.signature) / sketch.signature.size
        head = self._head_signatures.agreement(numbers, sketch.head_signature) / self._head_perm
        plausible = (whole >= self.threshold - ESTIMATE_SLACK) | (head >= HEAD_ESTIMATE)
        if not plausible.all():
            numbers, whole, head = numbers[plausible], whole[plausible], head[plausible]
        if numbers.size > MAX_CANDIDATES:
            likely = np.maximum(whole, head)
            numbers = numbers[np.argsort(-likely, kind="stable")[:MAX_CANDIDATES]]
        return numbers

    def _score(self, sim: Similarity) -> tuple[float, float]:
        """(how strongly one text is a copy of the other, 0.0 when it is not; their Jaccard)."""
        words = min(sim.smaller.words, sim.larger.words)
        if words >= self.min_words and sim.jaccard >= self.threshold:
            return max(sim.jaccard, sim.containment), sim.jaccard
        if sim.contained_words >= self.min_contained_words:
            needed = self.containment
        elif sim.contained_words >= SHORT_CONTAINED_WORDS:
            needed = max(self.containment, SHORT_CONTAINMENT)
        else:
            return 0.0, sim.jaccard
        inside = sim.containment >= needed and sim.head_inside >= HEAD_INSIDE
        return (sim.containment if inside else 0.0), sim.jaccard

    def _numbers(self, found: Fingerprint, trim: bool) -> tuple[str, ...]:
        """The numbers a text states, but for those of a last paragraph that may be discounted."""
        if trim or not found.tail_numbers:
            return found.numbers
        return found.numbers + found.tail_numbers

    def _trimmable(self, found: Fingerprint) -> bool:
        """May this text's last paragraph be discounted: short beside the text, or boilerplate?"""
        if found.tail.size <= TAIL_SHARE * found.shingles.size:
            return True
        return self._tails.get(found.tail_key, 0) == -1


__all__ = ["Prepared", "Sketcher", "StoryIndex"]
