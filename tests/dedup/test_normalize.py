"""Text normalisation: typography never makes two copies differ."""

from __future__ import annotations

import pytest

from crawler.dedup.fingerprint import words_of
from crawler.dedup.normalize import numbers, split_last_paragraph, strip_dateline, tokens

SAME_WORDS = [
    ("Kiev's drone strikes", "Kiev\u2019s drone strikes"),
    ("Kiev's drone strikes", "KIEVS DRONE STRIKES"),
    ('He said "all for all" today', "He said \u201call for all\u201d today"),
    ("He said \u00ab all for all \u00bb", 'He said "all for all"'),
    ("the U.S. and the U.K.", "the US and the UK"),
    ("the U.S.A.", "the USA"),
    ("1,000 prisoners", "1000 prisoners"),
    ("a  b\tc\n\nd", "a b c d"),
    ("a\u00a0b\u2009c", "a b c"),
    ("Russia-Ukraine talks", "Russia \u2013 Ukraine talks"),
    ("Russia\u2014Ukraine", "Russia - Ukraine"),
    ("T\u00fcrkiye, Z\u00fcrich", "Turkiye, Zurich"),
    ("Stra\u00dfe", "STRASSE"),
    ("\ufb01nal", "final"),  # the ligature fi
    ("e.g. this", "eg this"),
]


@pytest.mark.parametrize(("first", "second"), SAME_WORDS)
def test_typography_is_folded(first: str, second: str) -> None:
    assert tokens(first) == tokens(second)


def test_words_and_numbers() -> None:
    assert tokens("The Sensex fell 312.45 points, or 0.38 per cent, to 81,138.99.") == [
        "the",
        "sensex",
        "fell",
        "312_45",
        "points",
        "or",
        "0_38",
        "per",
        "cent",
        "to",
        "81138_99",
    ]
    assert tokens("June 2, 2025") == ["june", "2", "2025"]


def test_other_scripts_tokenise_too() -> None:
    assert tokens("Москва — “столица”, Київ’s") == [
        "москва",
        "столица",
        "киівs",
    ]  # diacritics go in every script
    assert tokens("Kiev’s Киев") == tokens("KIEV'S КИЕВ")


def test_empty() -> None:
    assert tokens("") == []
    assert tokens(" \n .,;!? ") == []


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("BEIJING, June 2 (Xinhua) -- As Children's Day fell", "As Children's Day fell"),
        ("Kyiv [Ukraine], June 2 (ANI): Major General", "Major General"),
        ("Mumbai (Maharashtra) [India], June 2 (ANI): Indian stock", "Indian stock"),
        ("MOSCOW (Reuters) - Russia said", "Russia said"),
        ("NEW DELHI, June 2 (PTI) \u2014 The", "The"),
        ("  KIEV, April 5 (RT.com) -- Astana has", "Astana has"),
    ],
)
def test_dateline_is_stripped(text: str, rest: str) -> None:
    assert strip_dateline(text) == rest


@pytest.mark.parametrize(
    "text",
    [
        "SEOUL, South Korea: On May 30, the candidate said",
        "The WHO said (on Monday) that cases rose",
        "The second round of talks (the first since 2022) - begins",
        "Prices rose 3 (percent) - a record",
    ],
)
def test_not_a_dateline_is_kept(text: str) -> None:
    assert strip_dateline(text) == text


def test_split_last_paragraph() -> None:
    assert split_last_paragraph("one\n\ntwo\n\nthree\n") == ("one\n\ntwo\n", "three")
    assert split_last_paragraph("one\ntwo") == ("one", "two")
    assert split_last_paragraph("only one") == ("only one", "")
    assert split_last_paragraph("\n\nonly one\n\n") == ("\n\nonly one\n\n", "")
    body, tail = split_last_paragraph("a b\n\nc d")
    assert tokens(body) + tokens(tail) == tokens("a b\n\nc d")


def test_numbers() -> None:
    assert numbers(" ".join(tokens("On June 02, 1,000 people paid 3.50 dollars in 2025"))) == {
        "2",
        "1000",
        "3_50",
        "2025",
    }
    assert numbers("no figures here") == frozenset()
    assert numbers("0 and 007 and 0_5") == {"0", "7", "0_5"}
    assert numbers(" ".join(tokens("0.5 and 00.5"))) == {"0_5"}


def test_exact_key_ignores_paragraphing() -> None:
    assert words_of("a b\n\nc d").key == words_of("a b c d").key == words_of("a b\nc d").key
    assert words_of("***\n\nc d").key == words_of("c d").key
    assert words_of("a b").key != words_of("a c").key
