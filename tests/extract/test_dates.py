"""Date parsing: offsets the human way (GMT+10 is ahead of UTC), zones, datelines, priorities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.extract import extract
from crawler.extract.dateline import parse_dateline
from crawler.extract.dates import is_date_line, parse_date
from crawler.extract.published import dateline_date, year_from_url


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("02 Jun 2025, 11:30 GMT+10", utc(2025, 6, 2, 1, 30)),
        ("02 Jun 2025, 11:30 GMT-5", utc(2025, 6, 2, 16, 30)),
        ("Mon, 02 Jun 2025 11:30:00 GMT-05:00", utc(2025, 6, 2, 16, 30)),
        ("2 June 2025 09:00 UTC+3", utc(2025, 6, 2, 6, 0)),
        ("2 June 2025 09:00 (UTC+05:30)", utc(2025, 6, 2, 3, 30)),
        ("2 June 2025 09:00 UTC", utc(2025, 6, 2, 9, 0)),
        ("June 2, 2025 10:00 AM EDT", utc(2025, 6, 2, 14, 0)),
        ("June 2, 2025 10:00 PM EST", utc(2025, 6, 3, 3, 0)),
        ("June 2, 2025 10:00 AM ET", utc(2025, 6, 2, 14, 0)),  # daylight time in June
        ("January 5, 2025 10:00 AM ET", utc(2025, 1, 5, 15, 0)),  # standard time in January
        ("12:30 IST, June 2, 2025", utc(2025, 6, 2, 7, 0)),
        ("2025-06-02T11:30:00Z", utc(2025, 6, 2, 11, 30)),
        ("2025-06-02T11:30:00+10:00", utc(2025, 6, 2, 1, 30)),
        ("2025-06-02T11:30:00.000+1000", utc(2025, 6, 2, 1, 30)),
        ("Mon, 02 Jun 2025 11:30:00 +1000", utc(2025, 6, 2, 1, 30)),
        ("Published: 3 June 2025 at 09:15 UTC", utc(2025, 6, 3, 9, 15)),
        ("2. Juni 2025, 14:30 Uhr MESZ", utc(2025, 6, 2, 12, 30)),
        ("06/02/2025 10:00 AM GMT-5", utc(2025, 6, 2, 15, 0)),
    ],
)
def test_offsets_and_zones(text: str, instant: datetime) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed == instant


def test_gmt_plus_keeps_the_human_sign() -> None:
    # dateutil would read this POSIX-style as ten hours *behind* GMT
    parsed = parse_date("02 Jun 2025, 11:30 GMT+10")
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=10)
    assert parsed.hour == 11


@pytest.mark.parametrize(
    ("text", "naive"),
    [
        ("2025-06-02 20:14:05", datetime(2025, 6, 2, 20, 14, 5)),
        ("2025-06-02", datetime(2025, 6, 2)),
        ("2 de junio de 2025", datetime(2025, 6, 2)),
        ("02.06.2025", datetime(2025, 6, 2)),
        ("June 2nd, 2025", datetime(2025, 6, 2)),
        ("Updated June 2, 2025 4:05 pm", datetime(2025, 6, 2, 16, 5)),
    ],
)
def test_dates_without_offset_stay_naive(text: str, naive: datetime) -> None:
    assert parse_date(text) == naive


@pytest.mark.parametrize(
    "text", ["", "2 hours ago", "June 2", "2025", "not a date at all", "31 February 2025"]
)
def test_unparseable_gives_none(text: str) -> None:
    assert parse_date(text) is None


def test_day_and_month_need_a_year_from_somewhere() -> None:
    assert parse_date("June 2, 10:00 AM EDT") is None
    parsed = parse_date("June 2, 10:00 AM EDT", default_year=2025)
    assert parsed == utc(2025, 6, 2, 14, 0)


@pytest.mark.parametrize(
    ("text", "is_date"),
    [
        ("02 Jun 2025, 11:30 GMT+10", True),
        ("Updated: June 2, 2025", True),
        ("Monday 2 June 2025 4:45pm", True),
        ("The meeting on June 2, 2025 was long", False),
        ("By Jane Doe", False),
        ("2025", False),
    ],
)
def test_is_date_line(text: str, is_date: bool) -> None:
    assert is_date_line(text) is is_date


def test_ani_dateline_takes_its_year_from_context() -> None:
    dateline = parse_dateline("Kyiv [Ukraine], June 2 (ANI): A regional governor said...")
    assert dateline is not None and (dateline.month, dateline.day) == (6, 2)
    assert dateline_date(dateline, context=datetime(2024, 6, 1, 9, 0)) == datetime(2024, 6, 2)
    assert dateline_date(dateline, url="https://x.in/news/2023/06/story") == datetime(2023, 6, 2)
    assert dateline_date(dateline) is None


def test_dateline_year_rolls_over_new_year() -> None:
    dateline = parse_dateline("BEIJING, Dec. 31 (Xinhua) -- Fireworks lit the sky over the river")
    assert dateline is not None
    assert dateline_date(dateline, context=datetime(2026, 1, 1, 0, 10)) == datetime(2025, 12, 31)


def test_year_from_url() -> None:
    assert year_from_url("https://a.com/2025/06/02/story") == 2025
    assert year_from_url("https://a.com/news/story-20240603.html") == 2024
    assert year_from_url("https://a.com/news/278301234/story") is None


def page(head: str = "", body: str = "") -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {i} of a story that is long enough to count as article text for sure.</p>"
        for i in range(4)
    )
    return (
        f"<html><head>{head}</head><body><article><h1>A headline for testing</h1>{body}"
        f"{paragraphs}</article></body></html>"
    ).encode()


def test_naive_json_ld_borrows_offset_from_meta() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"h",'
        '"datePublished":"2025-06-04T14:20:00"}</script>'
        '<meta property="article:published_time" content="2025-06-04T14:20:00+02:00">'
    )
    assert extract(page(head), "https://a.com/x").published == utc(2025, 6, 4, 12, 20)


def test_naive_time_with_no_offset_anywhere_is_taken_as_utc() -> None:
    head = '<meta property="article:published_time" content="2025-06-04T14:20:00">'
    published = extract(page(head), "https://a.com/x").published
    assert published == utc(2025, 6, 4, 14, 20)
    assert published is not None and published.utcoffset() == timedelta(0)


def test_declared_date_outranks_visible_date_line() -> None:
    head = '<meta property="article:published_time" content="2025-06-04T08:00:00+00:00">'
    body = '<div class="date">05 Jun 2025, 11:30 GMT+10</div>'
    assert extract(page(head, body), "https://a.com/x").published == utc(2025, 6, 4, 8, 0)


def test_visible_date_line_is_used_when_nothing_is_declared() -> None:
    body = '<div class="date">02 Jun 2025, 11:30 GMT+10</div>'
    assert extract(page(body=body), "https://a.com/x").published == utc(2025, 6, 2, 1, 30)


def test_time_element_datetime_attribute() -> None:
    body = '<time datetime="2025-06-03T09:00:00+09:00">June 3, 2025</time>'
    assert extract(page(body=body), "https://a.com/x").published == utc(2025, 6, 3, 0, 0)


def test_no_date_anywhere_gives_none() -> None:
    assert extract(page(), "https://a.com/news/story").published is None


def test_dateline_day_with_year_from_url() -> None:
    body = (
        "<p>New Delhi [India], June 2 (ANI): India and Japan on Monday held talks on chips "
        "and supply chains, officials said in a statement.</p>"
    )
    extracted = extract(page(body=body), "https://a.in/news/2025/06/story")
    assert extracted.published == utc(2025, 6, 2)
    assert extracted.original_source == "ANI"
    assert extracted.paragraphs[0].startswith("India and Japan on Monday")


# --- relative times, resolved against the fetch time ----------------------------------------

FETCHED = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("3 hours ago", utc(2025, 6, 2, 9, 0)),
        ("an hour ago", utc(2025, 6, 2, 11, 0)),
        ("Updated 10 mins ago", utc(2025, 6, 2, 11, 50)),
        ("5m ago", utc(2025, 6, 2, 11, 55)),
        ("2 days ago", utc(2025, 5, 31)),
        ("just now", FETCHED),
        ("Yesterday at 10:30 PM", utc(2025, 6, 1, 22, 30)),
        ("yesterday", utc(2025, 6, 1)),
        ("Today, 9:15", utc(2025, 6, 2, 9, 15)),
        ("hace 3 horas", utc(2025, 6, 2, 9, 0)),
        ("vor 2 Stunden", utc(2025, 6, 2, 10, 0)),
        ("il y a 3 heures", utc(2025, 6, 2, 9, 0)),
        ("3 ore fa", utc(2025, 6, 2, 9, 0)),
    ],
)
def test_relative_times_need_and_use_the_fetch_time(text: str, instant: datetime) -> None:
    assert parse_date(text) is None
    assert parse_date(text, now=FETCHED) == instant
    assert is_date_line(text, now=FETCHED)


@pytest.mark.parametrize("text", ["3 hours", "The 3 hours ago", "about three hours of talks"])
def test_not_relative_times(text: str) -> None:
    assert parse_date(text, now=FETCHED) is None


def test_relative_time_keeps_the_fetch_time_zone() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    parsed = parse_date("2 hours ago", now=FETCHED.astimezone(ist))
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=5, minutes=30)
    assert parsed == utc(2025, 6, 2, 10, 0)


def test_page_dated_only_relatively_gets_a_date_given_the_fetch_time() -> None:
    body = '<div class="post-date">Updated 3 hours ago</div>'
    assert extract(page(body=body), "https://a.com/x").published is None
    assert extract(page(body=body), "https://a.com/x", fetched_at=FETCHED).published == utc(
        2025, 6, 2, 9, 0
    )


def test_declared_date_outranks_a_relative_one() -> None:
    head = '<meta property="article:published_time" content="2025-06-01T08:00:00+00:00">'
    body = '<div class="post-date">3 hours ago</div>'
    assert extract(page(head, body), "https://a.com/x", fetched_at=FETCHED).published == utc(
        2025, 6, 1, 8, 0
    )


def test_naive_fetch_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extract(page(), "https://a.com/x", fetched_at=datetime(2025, 6, 2, 12, 0))


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", datetime(2018, 1, 22, 0, 13)),
        ("Sábado, 2 de junio de 2025", datetime(2025, 6, 2)),
        ("Montag, 2. Juni 2025, 11:30 Uhr", datetime(2025, 6, 2, 11, 30)),
        ("lundi 2 juin 2025 à 11h30", datetime(2025, 6, 2, 11, 30)),
    ],
)
def test_weekday_date_lines_in_other_languages(text: str, instant: datetime) -> None:
    assert is_date_line(text)
    assert parse_date(text) == instant
