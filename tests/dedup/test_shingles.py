"""Shingle hashes and MinHash signatures agree with datasketch's own computation."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from crawler.dedup.normalize import tokens
from crawler.dedup.shingles import Signer, shingle_hashes, unique_sorted

from .stories import GRAIN, ISTANBUL


def test_signature_is_datasketch_minhash() -> None:
    shingles = unique_sorted(shingle_hashes(tokens(ISTANBUL), 3))
    signer = Signer(64, seed=1)
    reference = MinHash(num_perm=64, seed=1, hashfunc=int)
    reference.update_batch(shingles.tolist())
    assert np.array_equal(signer.signature(shingles), reference.hashvalues)
    assert signer.minhash(shingles).jaccard(reference) == 1.0


def test_head_signature_shares_the_work() -> None:
    ordered = shingle_hashes(tokens(ISTANBUL), 3)
    signer = Signer(64, seed=1)
    whole, head = signer.signatures(ordered, 38, 48)
    assert np.array_equal(whole, signer.signature(unique_sorted(ordered)))
    assert np.array_equal(head, signer.signature(unique_sorted(ordered[:38]))[:48])


def test_shingles_are_order_sensitive_and_stable() -> None:
    a = shingle_hashes(["the", "talks", "began"], 3)
    b = shingle_hashes(["talks", "the", "began"], 3)
    assert a.size == b.size == 1 and a[0] != b[0]
    # pinned: hashes never depend on the process (no PYTHONHASHSEED), so stored state agrees
    assert int(a[0]) == int(shingle_hashes(["the", "talks", "began"], 3)[0]) == 842182841


def test_short_texts_are_one_shingle() -> None:
    assert shingle_hashes(["two", "words"], 3).size == 1
    assert shingle_hashes([], 3).size == 0
    assert shingle_hashes(["a", "b", "c", "d"], 3).size == 2


def test_similar_texts_similar_signatures() -> None:
    signer = Signer(64, seed=1)
    words = tokens(ISTANBUL)
    edited = tokens(ISTANBUL.replace("Kiev", "Kyiv"))
    other = tokens(GRAIN)
    sig = signer.signature(unique_sorted(shingle_hashes(words, 3)))
    assert (sig == signer.signature(unique_sorted(shingle_hashes(edited, 3)))).mean() > 0.7
    assert (sig == signer.signature(unique_sorted(shingle_hashes(other, 3)))).mean() < 0.1


def test_unique_sorted() -> None:
    values = np.array([5, 1, 5, 3, 1, 9], dtype=np.uint32)
    assert unique_sorted(values).tolist() == [1, 3, 5, 9]
    assert unique_sorted(values[:1]).tolist() == [5]
    assert unique_sorted(values[:0]).tolist() == []


def test_signature_is_pinned() -> None:
    """A signature is a pure function of the text: the same in every process and run (checked
    under several PYTHONHASHSEED values when pinned)."""
    signature = Signer(64, seed=1).signature(unique_sorted(shingle_hashes(tokens(ISTANBUL), 3)))
    assert signature[:4].tolist() == [2746194, 14167379, 10663659, 20192309]
