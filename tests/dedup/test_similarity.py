"""Exact set similarity and the numbers check."""

from __future__ import annotations

import numpy as np
import pytest

from crawler.dedup.fingerprint import fingerprint, words_of
from crawler.dedup.similarity import common, numbers_agree, similarity

from .stories import BACKGROUND, GRAIN, ISTANBUL, PROMO


def _array(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.uint32)


def test_common() -> None:
    assert common(_array(1, 3, 5, 7), _array(3, 4, 7, 9, 11)) == 2
    assert common(_array(), _array(1)) == 0
    assert common(_array(9), _array(1, 2, 3)) == 0


def test_excerpt_lies_inside_its_story() -> None:
    full = fingerprint(words_of(ISTANBUL), 3, 40)[0]
    excerpt = fingerprint(words_of(" ".join(ISTANBUL.split()[:60]) + "..."), 3, 40)[0]
    sim = similarity(excerpt, full, trim_a=False, trim_b=False)
    assert (
        sim.containment == 1.0 and sim.jaccard < 0.3 and sim.contained_words == 61
    )  # "Russia-Ukraine" is two words


def test_a_promo_paragraph_may_be_discounted() -> None:
    head = "\n\n".join(ISTANBUL.split("\n\n")[:2])
    full = fingerprint(words_of(ISTANBUL), 3, 40)[0]
    promoted = fingerprint(words_of(head + "\n\n" + PROMO), 3, 40)[0]
    plain = similarity(promoted, full, trim_a=False, trim_b=False)
    trimmed = similarity(promoted, full, trim_a=True, trim_b=False)
    assert plain.containment < 0.8
    assert trimmed.containment == 1.0


def test_a_story_repeating_a_background_paragraph_opens_with_its_own_words() -> None:
    own = "The finance ministry said on Monday it would cut the fuel tax by a fifth from July."
    short = fingerprint(words_of(own + "\n\n" + BACKGROUND), 3, 40)[0]
    other = fingerprint(words_of(GRAIN), 3, 40)[0]
    sim = similarity(short, other, trim_a=False, trim_b=False)
    assert sim.containment > 0.6  # mostly the background paragraph...
    assert sim.head_inside < 0.75  # ...but it does not open like the other story


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        (set(), set(), True),
        ({"2"}, {"3"}, True),  # one number decides nothing
        ({"2", "30"}, {"2", "30", "1000", "16"}, True),  # an excerpt states fewer
        ({"2", "30", "7"}, {"2", "30", "8"}, True),  # one corrected figure
        ({"2", "30", "7", "9"}, {"2", "31", "8", "9"}, False),
        ({"312_45", "0_38", "81138_99", "91_20"}, {"208_17", "0_26", "81347_16", "57_35"}, False),
        ({"1", "2", "3", "4", "5", "6", "7", "8"}, {"1", "2", "3", "4", "5", "6", "9", "10"}, True),
        (
            {"1", "2", "3", "4", "5", "6", "7", "8"},
            {"1", "2", "3", "4", "5", "9", "10", "11"},
            False,
        ),
    ],
)
def test_numbers_agree(a: set[str], b: set[str], agree: bool) -> None:
    assert numbers_agree(frozenset(a), frozenset(b), 0.25) is agree
