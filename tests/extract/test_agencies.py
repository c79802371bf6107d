"""Wire-agency credits: many spellings to one canonical name, and where credits are found."""

from __future__ import annotations

import pytest

from crawler.extract import extract, normalise_agency
from crawler.extract.agencies import CANONICAL_NAMES, credit_from_line
from crawler.extract.dateline import parse_dateline, strip_dateline


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("RT.com", "RT.com"),
        ("(RT.com)", "RT.com"),
        ("RT", "RT.com"),
        ("Russia Today", "RT.com"),
        ("(ANI)", "ANI"),
        ("ANI", "ANI"),
        ("Asian News International", "ANI"),
        ("Xinhua", "Xinhua"),
        ("XINHUA", "Xinhua"),
        ("-- Xinhua", "Xinhua"),
        ("Xinhua News Agency", "Xinhua"),
        ("新华社", "Xinhua"),
        ("Reuters", "Reuters"),
        ("Source: Reuters", "Reuters"),
        ("Thomson Reuters", "Reuters"),
        ("AFP", "AFP"),
        ("— AFP", "AFP"),
        ("Agence France-Presse", "AFP"),
        ("Agence France Presse", "AFP"),
        ("AP", "AP"),
        ("The Associated Press", "AP"),
        ("Associated Press", "AP"),
        ("PTI", "PTI"),
        ("(PTI)", "PTI"),
        ("Press Trust of India", "PTI"),
        ("IANS", "IANS"),
        ("Indo-Asian News Service", "IANS"),
        ("UPI", "UPI"),
        ("United Press International", "UPI"),
        ("TASS", "TASS"),
        ("ITAR-TASS", "TASS"),
        ("Yonhap", "Yonhap"),
        ("Yonhap News Agency", "Yonhap"),
        ("Kyodo", "Kyodo"),
        ("Kyodo News", "Kyodo"),
        ("Anadolu Agency", "Anadolu"),
        ("AA", "Anadolu"),
        ("dpa", "dpa"),
        ("DPA", "dpa"),
        ("Deutsche Presse-Agentur", "dpa"),
        ("EFE", "EFE"),
        ("Agencia EFE", "EFE"),
        ("Bernama", "Bernama"),
        ("Big News Network", "Big News Network"),
        ("Big News Network.com", "Big News Network"),
        ("(With inputs from PTI)", "PTI"),
        ("Courtesy: Yonhap", "Yonhap"),
        ("via Reuters", "Reuters"),
        ("PA", "PA Media"),
        ("Press Association", "PA Media"),
    ],
)
def test_variants_fold_to_one_name(variant: str, canonical: str) -> None:
    assert normalise_agency(variant) == canonical
    assert canonical in CANONICAL_NAMES


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ap",
        "ani",
        "rt",
        "Getty Images",
        "The Times",
        "According to Reuters",
        "Reuters reported that the talks had failed",
        "Staff Reporter",
        "Apple",
    ],
)
def test_non_agencies(text: str) -> None:
    assert normalise_agency(text) is None
    assert credit_from_line(text) is None


def test_compound_credit_lines_take_the_first_agency() -> None:
    assert credit_from_line("AFP/Reuters") == "AFP"
    assert credit_from_line("(Reuters and AFP)") == "Reuters"
    assert credit_from_line("Reuters and the government") is None


@pytest.mark.parametrize(
    ("line", "agency", "rest"),
    [
        ("Kyiv [Ukraine], June 2 (ANI): Major General X resigned.", "ANI", "Major General X"),
        ("Mumbai (Maharashtra) [India], June 2 (ANI): Stocks fell.", "ANI", "Stocks fell."),
        ("BEIJING, June 2 (Xinhua) -- As Children's Day fell on Sunday", "Xinhua", "As Children"),
        ("LONDON (Reuters) - Britain's economy grew", "Reuters", "Britain's economy"),
        ("WASHINGTON (AP) — The Senate voted", "AP", "The Senate voted"),
        ("Berlin (dpa) - Die Regierung hat", "dpa", "Die Regierung"),
        ("Madrid, 2 jun (EFE).- El Gobierno aprobó", "EFE", "El Gobierno"),
        ("SEOUL, June 2, 2025 (Yonhap) -- South Korea's exports", "Yonhap", "South Korea"),
        ("SEOUL, South Korea: Opposition candidates made appeals", None, "Opposition"),
        ("WASHINGTON, D.C.: U.S. federal officials are looking", None, "U.S. federal"),
    ],
)
def test_datelines(line: str, agency: str | None, rest: str) -> None:
    dateline = parse_dateline(line)
    assert dateline is not None
    assert dateline.agency == agency
    assert strip_dateline(line).startswith(rest)


@pytest.mark.parametrize(
    "line",
    [
        "The firm (Acme) - which makes tools - said profits rose.",
        "NOTE: This story was updated with new figures.",
        "According to the statement (issued Monday), talks will resume.",
        "In Kyiv, officials said the strikes damaged power lines.",
    ],
)
def test_not_datelines(line: str) -> None:
    assert parse_dateline(line) is None
    assert strip_dateline(line) == line


def _page(body: str, head: str = "") -> bytes:
    return (
        f"<html><head>{head}</head><body><article><h1>Talks resume in the capital</h1>"
        f"{body}</article></body></html>"
    ).encode()


_PARAS = "".join(
    f"<p>Officials said the talks would resume next week, part {i} of the story body.</p>"
    for i in range(4)
)


def test_closing_credit_beats_agency_mentioned_in_text() -> None:
    body = "<p>According to Reuters, the delegation will propose a ceasefire.</p>" + _PARAS
    extracted = extract(_page(body + "<p>(RT.com)</p>"), "https://a.com/x")
    assert extracted.original_source == "RT.com"
    assert "(RT.com)" not in extracted.paragraphs


def test_agency_only_mentioned_in_a_sentence_is_no_credit() -> None:
    body = "<p>According to Reuters, the delegation will propose a ceasefire.</p>" + _PARAS
    assert extract(_page(body), "https://a.com/x").original_source is None


def test_credit_line_above_the_headline() -> None:
    body = '<div class="source">RT.com</div>' + _PARAS
    extracted = extract(_page(body), "https://a.com/x")
    assert extracted.original_source == "RT.com"
    assert all("RT.com" not in p for p in extracted.paragraphs)


def test_photo_credit_is_not_the_article_credit() -> None:
    body = '<figure><img src="/a.jpg"><figcaption class="credit">Reuters</figcaption></figure>'
    assert extract(_page(body + _PARAS), "https://a.com/x").original_source is None


def test_agency_as_meta_author_becomes_the_credit_not_the_author() -> None:
    extracted = extract(_page(_PARAS, '<meta name="author" content="Xinhua">'), "https://a.com/x")
    assert extracted.author is None
    assert extracted.original_source == "Xinhua"


def test_json_ld_publisher_counts_only_when_it_is_an_agency() -> None:
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","publisher":{"name":"%s"}}</script>'
    assert extract(_page(_PARAS, ld % "Metro Ledger"), "https://a.com/x").original_source is None
    assert (
        extract(_page(_PARAS, ld % "Yonhap News Agency"), "https://a.com/x").original_source
        == "Yonhap"
    )


def test_byline_with_agency_splits_person_and_credit() -> None:
    body = '<p class="byline">By Jane Doe, AFP</p>' + _PARAS
    extracted = extract(_page(body), "https://a.com/x")
    assert extracted.author == "Jane Doe"
    assert extracted.original_source == "AFP"
