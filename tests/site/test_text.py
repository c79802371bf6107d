from hypothesis import given
from hypothesis import strategies as st

from crawler.site.text import (
    clean_language,
    clean_line,
    clean_paragraphs,
    excerpt,
    strip_forbidden,
)


def test_strip_forbidden_removes_what_xml_cannot_carry() -> None:
    dirty = "a\x00b\x07c\x0bd\x1be\x7ff\x85g\ufffeh\uffffi\ud800j"
    assert strip_forbidden(dirty) == "abcdefghij"


def test_strip_forbidden_keeps_tab_newline_and_non_ascii() -> None:
    assert strip_forbidden("Über\t早い\n«x»\r") == "Über\t早い\n«x»\r"


def test_clean_line_collapses_whitespace() -> None:
    assert clean_line("  Monsoon\n reaches \x07 Kerala\t ") == "Monsoon reaches Kerala"
    assert clean_line(None) == ""


def test_clean_paragraphs_drops_empty_ones() -> None:
    assert clean_paragraphs(["One.", " \x00 ", "", " Two. "]) == ("One.", "Two.")


@given(st.lists(st.text(" a\t\n\x00é", max_size=6), max_size=5))
def test_clean_paragraphs_cleans_each_like_a_line(paragraphs: list[str]) -> None:
    expected = tuple(p for p in map(clean_line, paragraphs) if p)
    assert clean_paragraphs(paragraphs) == clean_paragraphs(tuple(paragraphs)) == expected


def test_excerpt_cuts_at_a_word() -> None:
    text = "word " * 60
    short = excerpt(text, 40)
    assert len(short) <= 40
    assert short.endswith("word…")
    assert excerpt("short", 40) == "short"


def test_clean_language() -> None:
    assert clean_language("en") == "en"
    assert clean_language("pt-BR") == "pt-BR"
    assert clean_language('en" onload="x') is None
    assert clean_language(None) is None
