"""Charset decoding in browser order (BOM, HTTP header, <meta>, UTF-8, guess) and mojibake repair."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from crawler.extract import extract
from crawler.extract.decode import decode_html, resolve_charset, sniff_meta_charset
from crawler.extract.text import normalise_text

TEXT = "Café “midnight” fees — Zoë’s menu costs €4"


def html(meta: str = "", text: str = TEXT) -> str:
    return f"<html><head>{meta}<title>{text}</title></head><body><p>{text}</p></body></html>"


def test_bom_beats_header_and_meta() -> None:
    body = codecs.BOM_UTF8 + html('<meta charset="windows-1252">').encode("utf-8")
    decoded = decode_html(body, "iso-8859-1")
    assert decoded.source == "bom"
    assert TEXT in decoded.text


def test_utf16_bom() -> None:
    body = codecs.BOM_UTF16_LE + html().encode("utf-16-le")
    decoded = decode_html(body, "utf-8")
    assert decoded.source == "bom"
    assert TEXT in decoded.text


def test_header_beats_meta() -> None:
    body = html('<meta charset="utf-8">').encode("cp1252")
    decoded = decode_html(body, "windows-1252")
    assert decoded.source == "http"
    assert TEXT in decoded.text


def test_meta_charset_used_without_header() -> None:
    body = html('<meta charset="windows-1252">').encode("cp1252")
    decoded = decode_html(body)
    assert (decoded.source, decoded.encoding) == ("meta", "cp1252")
    assert TEXT in decoded.text


def test_http_equiv_content_type() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    assert TEXT in decode_html(html(meta).encode("cp1252")).text


def test_latin1_label_means_windows_1252_like_browsers() -> None:
    body = html().encode("cp1252")  # curly quotes are 0x93/0x94, undefined in real ISO-8859-1
    assert TEXT in decode_html(body, "ISO-8859-1").text


def test_unknown_header_label_falls_through_to_meta() -> None:
    body = html('<meta charset="windows-1252">').encode("cp1252")
    decoded = decode_html(body, "x-no-such-charset")
    assert decoded.source == "meta"
    assert TEXT in decoded.text


def test_undeclared_utf8() -> None:
    decoded = decode_html(html().encode("utf-8"))
    assert (decoded.source, decoded.encoding) == ("utf-8", "utf-8")
    assert TEXT in decoded.text


def test_undeclared_non_utf8_is_guessed() -> None:
    text = (
        "Le café de la gare a rouvert ses portes après des travaux. Les habitués étaient "
        "ravis de retrouver leur comptoir préféré et la terrasse ensoleillée. "
    ) * 3
    decoded = decode_html(html(text=text).encode("cp1252"))
    assert decoded.source == "detected"
    assert "café de la gare" in decoded.text and "\ufffd" not in decoded.text


def test_bytes_undefined_everywhere_become_replacement_characters() -> None:
    decoded = decode_html(b"<p>ok \x81\x8d broken</p>", "utf-8")
    assert "ok" in decoded.text and decoded.text.count("\ufffd") == 2


def test_stray_windows_1252_bytes_in_utf8_page_are_recovered() -> None:
    # Word-pasted quotes and an accented letter inside an otherwise UTF-8 page
    body = "<p>Zoë said ".encode() + b"\x93caf\xe9\x94 \x96 ok</p>"
    decoded = decode_html(body, "utf-8")
    assert decoded.text == "<p>Zoë said “café” – ok</p>"


def test_meta_declared_utf8_with_stray_bytes_is_recovered_too() -> None:
    body = b'<meta charset="utf-8"><p>\x93Hi\x94 caf\xc3\xa9</p>'
    assert "“Hi” café" in decode_html(body).text


def test_header_latin1_and_meta_utf8_disagree_header_wins_then_repaired() -> None:
    # What a browser does (header first) yields mojibake; normalising repairs it.
    page = html('<meta charset="utf-8">').encode("utf-8")
    decoded = decode_html(page, "iso-8859-1")
    assert decoded.source == "http" and "CafÃ©" in decoded.text
    assert normalise_text(decoded.text).count(TEXT) == 2


def test_bom_and_meta_disagree_bom_wins() -> None:
    body = codecs.BOM_UTF8 + html('<meta charset="iso-8859-1">').encode("utf-8")
    assert TEXT in decode_html(body).text


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("latin1", "cp1252"),
        ("gb2312", "gb18030"),
        ("Shift_JIS", "cp932"),
        ("nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_charset(label: str | None, codec: str | None) -> None:
    assert resolve_charset(label) == codec


def test_meta_declaring_utf16_in_ascii_bytes_means_utf8() -> None:
    assert sniff_meta_charset(b'<meta charset="utf-16"><p>x</p>') == "utf-8"


def test_mojibake_repaired_when_utf8_is_served_as_latin1() -> None:
    # A common server misconfiguration: UTF-8 bytes, header says ISO-8859-1.
    page = html('<meta charset="utf-8">').encode("utf-8")
    page = page.replace(b"<body>", b"<body><h1>" + TEXT.encode() + b"</h1>")
    extracted = extract(page, "https://a.com/x", encoding="iso-8859-1")
    assert extracted.title == TEXT
    assert "Ã" not in extracted.title and "â€" not in extracted.title


def test_normalise_text_repairs_and_composes() -> None:
    assert normalise_text("CafÃ© owners") == "Café owners"
    composed = normalise_text("Cafe\u0301 \u00a0 owners\u200b")
    assert composed == "Café owners" and unicodedata.is_normalized("NFC", composed)
    assert len(composed) == len("Café owners")
    # typographic quotes and full-width CJK punctuation are content, not damage
    assert normalise_text("“quoted”，好") == "“quoted”，好"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Itâ€™s fine", "It’s fine"),  # UTF-8 read as windows-1252
        ("naÃ¯ve cafÃ©", "naïve café"),
        ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет"),  # UTF-8 read as Latin-1, Cyrillic text
        ("РїСЂРёРІРµС‚", "привет"),  # UTF-8 read as windows-1251
        ("AT&amp;T  and\tco", "AT&T and co"),  # ASCII fast path still unescapes entities
        ("bell\x07 char", "bell char"),
        ("ﬁnal", "final"),
        ("Zürich, 2 °C, “quoted”", "Zürich, 2 °C, “quoted”"),  # clean text is left alone
        ("a\u00a0b\u2003c\u3000d\u202fe", "a b c d e"),
    ],
)
def test_normalise_text_repairs_only_what_is_broken(raw: str, clean: str) -> None:
    assert normalise_text(raw) == clean
