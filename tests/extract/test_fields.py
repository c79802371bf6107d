"""Title, canonical URL, language, author, standfirst and images: one field at a time."""

from __future__ import annotations

import pytest

from crawler.extract import extract
from crawler.extract.authors import split_byline
from crawler.extract.language import detect_language, find_language, normalise_language
from crawler.extract.lede import plausible_standfirst
from crawler.extract.metadata import read_metadata
from crawler.extract.parse import parse_html
from crawler.extract.text import text_key
from crawler.extract.titles import strip_site_name

BODY = "".join(
    f"<p>Paragraph {i}: the regional council said on Monday that the new bridge would open "
    f"in the autumn, after delays caused by flooding.</p>"
    for i in range(4)
)
FIRST = BODY[3 : BODY.index("</p>")]


def page(head: str = "", body: str = "", lang: str = "") -> bytes:
    lang_attr = f' lang="{lang}"' if lang else ""
    return (
        f"<html{lang_attr}><head>{head}</head><body><article><h1>New bridge to open in autumn"
        f"</h1>{body}{BODY}</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("title", "names", "host", "expected"),
    [
        ("Story about a bridge - Site Name", {"Site Name"}, "", "Story about a bridge"),
        ("Story about a bridge | Any Site", set(), "", "Story about a bridge"),
        (
            "Story about a bridge – Riverside Courier",
            set(),
            "riversidecourier.net",
            "Story about a bridge",
        ),
        (
            "Arctic route busy - St Petersburg Star",
            set(),
            "www.stpetersburgstar.com",
            "Arctic route busy",
        ),
        ("Valley Gazette - Café owners rally", set(), "www.valleygazette.com", "Café owners rally"),
        (
            "Story about a bridge | News | Coastal Herald",
            {"Coastal Herald"},
            "",
            "Story about a bridge",
        ),
        (
            "Ukraine - Russia talks resume in Istanbul",
            set(),
            "example.com",
            "Ukraine - Russia talks resume in Istanbul",
        ),
        ("Minister quits - report", set(), "example.com", "Minister quits - report"),
    ],
)
def test_site_name_suffix_stripped(title: str, names: set[str], host: str, expected: str) -> None:
    assert strip_site_name(title, names, host) == expected


def test_title_priority_og_then_headline_then_h1_then_title() -> None:
    head = (
        '<title>Title tag - Site</title><meta property="og:title" content="OG title">'
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD"}</script>'
    )
    assert extract(page(head), "https://a.com/x").title == "OG title"
    head = (
        "<title>Title tag - Site</title>"
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD"}</script>'
    )
    assert extract(page(head), "https://a.com/x").title == "LD"
    assert extract(page("<title>Title tag</title>"), "https://a.com/x").title == (
        "New bridge to open in autumn"
    )


def test_title_tag_with_h1_prefix_uses_the_h1() -> None:
    html = (
        b"<html><head><title>New bridge to open in autumn :: Local :: The Post</title></head>"
        b"<body><h1>Nothing else</h1></body></html>"
    )
    assert extract(html, "https://a.com/x").title == "Nothing else"


@pytest.mark.parametrize(
    ("head", "url", "expected"),
    [
        (
            '<link rel="canonical" href="/news/story">',
            "https://www.a.com/amp/news/story",
            "https://www.a.com/news/story",
        ),
        (
            '<link rel="canonical" href="https://a.com/news/story#top">',
            "https://www.a.com/x?amp=1",
            "https://a.com/news/story",
        ),
        (
            '<link rel="canonical" href="https://www.a.com/news/story">',
            "https://amp.a.com/story",
            "https://www.a.com/news/story",
        ),
        (
            '<link rel="canonical" href="https://original-wire.com/story">',
            "https://a.com/copy",
            "https://a.com/copy",
        ),
        (
            '<meta property="og:url" content="https://a.com/og-story">',
            "https://a.com/x?utm=1",
            "https://a.com/og-story",
        ),
        ('<link rel="canonical" href="javascript:void(0)">', "https://a.com/x", "https://a.com/x"),
        (
            '<base href="https://a.com/sub/"><link rel="canonical" href="story">',
            "https://a.com/x",
            "https://a.com/sub/story",
        ),
    ],
)
def test_canonical_url(head: str, url: str, expected: str) -> None:
    assert extract(page(head), url).canonical_url == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("EN", "en"),
        ("es-419", "es"),
        ("deu", "de"),
        ("zh-Hans-CN", "zh"),
        ("iw", "he"),
        ("und", None),
        ("x-default", None),
        ("", None),
        (None, None),
        ("english", None),
        ("12", None),
    ],
)
def test_normalise_language(value: str | None, code: str | None) -> None:
    assert normalise_language(value) == code


def declared_language(html: bytes) -> str | None:
    tree = parse_html(html.decode())
    assert tree is not None
    return find_language(read_metadata(tree))


def test_language_sources_in_order() -> None:
    assert declared_language(page(lang="de-DE")) == "de"
    og = '<meta property="og:locale" content="pt_BR">'
    assert declared_language(page(og)) == "pt"
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","inLanguage":"fr-FR"}</script>'
    assert declared_language(page(ld)) == "fr"
    assert declared_language(page()) is None


SPANISH = (
    "<p>El ayuntamiento aprobó el lunes el nuevo puente sobre el río, que estará abierto al "
    "tráfico en otoño, según informó la alcaldesa en una rueda de prensa.</p>"
    "<p>Las obras comenzaron hace dos años y han costado más de lo previsto por las lluvias "
    "del invierno, pero el proyecto se terminará a tiempo, dijo la concejala de obras.</p>"
)


def test_language_from_the_text_when_undeclared_or_declared_wrongly() -> None:
    assert extract(page(), "https://a.com/x").language == "en"
    # a template's site-wide lang="de" on an English story
    assert extract(page(lang="de-DE"), "https://a.com/x").language == "en"
    spanish = page(body=SPANISH, lang="en").replace(BODY.encode(), b"")
    assert extract(spanish, "https://a.com/x").language == "es"
    # too little text to tell: the declaration stands
    short = (
        b'<html lang="pt"><body><article><h1>Ponte</h1><p>Short text.</p></article></body></html>'
    )
    assert extract(short, "https://a.com/x").language == "pt"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Пожар на складе в пригороде потушили к утру, сообщили в МЧС. " * 5, "ru"),
        ("Пожежу на складі в передмісті загасили до ранку, повідомили рятувальники. " * 5, "uk"),
        ("東京都は二日、新しい橋の建設計画を発表した。工事は来年始まる予定だ。" * 8, "ja"),
        ("北京市政府二日宣布，新的大桥将于秋季通车，工程耗资超过预算。" * 8, "zh"),
        ("서울시는 2일 새 다리가 가을에 개통될 것이라고 발표했다. " * 8, "ko"),
        ("قالت البلدية يوم الاثنين إن الجسر الجديد سيفتح في الخريف بعد تأخير طويل. " * 5, "ar"),
        (
            "Der Stadtrat hat am Montag die neue Brücke über den Fluss genehmigt, die im Herbst "
            "für den Verkehr freigegeben werden soll, wie die Bürgermeisterin sagte. " * 2,
            "de",
        ),
        (
            "Le conseil municipal a approuvé lundi le nouveau pont sur la rivière, qui sera ouvert "
            "à la circulation à l'automne, a indiqué la maire dans une conférence. " * 2,
            "fr",
        ),
        ("Short.", None),
    ],
)
def test_detect_language(text: str, code: str | None) -> None:
    assert detect_language([text]) == code


@pytest.mark.parametrize(
    ("byline", "person", "agency"),
    [
        ("By Jane Doe", "Jane Doe", None),
        ("by Jane Doe | June 2, 2025", "Jane Doe", None),
        ("Jane Doe on June 5, 2025", "Jane Doe", None),
        ("By Jane Doe, AFP", "Jane Doe", "AFP"),
        ("Jane Doe (Reuters)", "Jane Doe", "Reuters"),
        ("Reuters", None, "Reuters"),
        ("By RT.com", None, "RT.com"),
        ("Posted by admin", None, None),
        ("https://www.facebook.com/janedoe", None, None),
        ("Von Jana Roth", "Jana Roth", None),
        ("", None, None),
    ],
)
def test_split_byline(byline: str, person: str | None, agency: str | None) -> None:
    assert split_byline(byline) == (person, agency)


def test_author_sources() -> None:
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","author":[{"@type":"Person",'
        '"name":"Ann Lee"},{"@type":"Person","name":"Bo Chan"}]}</script>'
    )
    assert extract(page(ld), "https://a.com/x").author == "Ann Lee, Bo Chan"
    assert extract(page('<meta name="author" content="Ann Lee">'), "https://a.com/x").author == (
        "Ann Lee"
    )
    rel = '<p>By <a rel="author" href="/ann">Ann Lee</a></p>'
    assert extract(page(body=rel), "https://a.com/x").author == "Ann Lee"
    assert extract(page(), "https://a.com/x").author is None


def test_site_name_is_not_an_author() -> None:
    head = (
        '<meta property="og:site_name" content="Metro Ledger">'
        '<meta name="author" content="Metro Ledger">'
    )
    assert extract(page(head), "https://a.com/x").author is None


def test_standfirst_shown_apart_is_the_lede_and_not_repeated() -> None:
    standfirst = "The council says the bridge will carry 12,000 vehicles a day once it opens."
    extracted = extract(page(body=f'<p class="standfirst">{standfirst}</p>'), "https://a.com/x")
    assert extracted.lede == standfirst
    assert standfirst not in extracted.paragraphs
    assert extracted.paragraphs[0] == FIRST


def test_description_repeating_the_first_paragraph_is_not_a_standfirst() -> None:
    head = f'<meta name="description" content="{FIRST}">'
    extracted = extract(page(head), "https://a.com/x")
    assert extracted.lede == FIRST
    assert extracted.paragraphs[0] == FIRST
    assert len(extracted.paragraphs) == 4


def test_no_standfirst_means_the_first_paragraph_is_the_lede() -> None:
    extracted = extract(page(), "https://a.com/x")
    assert extracted.lede == extracted.paragraphs[0] == FIRST


def test_images_absolute_deduplicated_and_without_pixels() -> None:
    head = (
        '<meta property="og:image" content="/img/a.jpg">'
        '<meta name="twitter:image" content="https://a.com/img/a.jpg">'
    )
    body = (
        '<img src="/img/b.jpg" width="800" height="450">'
        '<img src="/img/pixel.gif" width="1" height="1">'
        '<img src="data:image/gif;base64,R0lGOD">'
        '<img data-src="/img/c.jpg">'
    )
    images = extract(page(head, body), "https://a.com/news/x").images
    assert images == (
        "https://a.com/img/a.jpg",
        "https://a.com/img/b.jpg",
        "https://a.com/img/c.jpg",
    )


def test_sloppy_json_ld_is_still_read() -> None:
    tree = parse_html(
        '<html><head><script type="application/ld+json">\n<!--\n{"@context": "https://schema.org",'
        ' "@graph": [{"@type": "NewsArticle", "headline": "Read anyway", "author": {"name": "Ann"'
        "},},],}\n-->\n</script></head><body></body></html>"
    )
    assert tree is not None
    meta = read_metadata(tree)
    assert meta.article is not None and meta.article["headline"] == "Read anyway"


def test_unclassed_subheading_right_under_the_headline_is_the_standfirst() -> None:
    standfirst = "Engineers say the crossing will cut the commute between the two towns in half"
    body = f'<div class="meta">By Ann Lee</div><h2>{standfirst}</h2>'
    extracted = extract(page(body=body), "https://a.com/x")
    assert extracted.lede == standfirst
    assert extracted.paragraphs[0] == FIRST


def test_wholly_italic_opening_paragraph_is_a_standfirst() -> None:
    standfirst = "Two converted tugs will work alongside the diesel fleet for six months"
    extracted = extract(page(body=f"<p><em>{standfirst}</em></p>"), "https://a.com/x")
    assert extracted.lede == standfirst
    assert extracted.paragraphs[0] == FIRST


def test_bold_opening_paragraph_stays_in_the_body() -> None:
    opening = "LONDON - Ministers met on Monday to discuss the plan, officials said in a statement."
    extracted = extract(page(body=f"<p><strong>{opening}</strong></p>"), "https://a.com/x")
    assert extracted.paragraphs[0] == opening
    assert extracted.lede == opening


def test_title_decoration_around_the_h1_is_cut_even_when_the_h1_sits_in_a_sidebar() -> None:
    html = (
        '<html><head><meta property="og:title" content="All-new Sentra is what we want - Auto News">'
        '</head><body><div class="cell sidebar"><h1>All-new Sentra is what we want</h1></div>'
        f"{BODY}</body></html>"
    )
    assert (
        extract(html.encode(), "https://cars.example/x").title == "All-new Sentra is what we want"
    )


def test_section_label_before_the_headline_is_cut() -> None:
    html = (
        '<html><head><meta property="og:title" content="Opinion | Republicans Are Following Trump">'
        f"</head><body><article><h1>Republicans Are Following Trump</h1>{BODY}</article></body>"
        "</html>"
    )
    assert extract(html.encode(), "https://a.com/x").title == "Republicans Are Following Trump"


def test_logo_h1_and_site_name_titles_are_not_headlines() -> None:
    html = (
        '<html><head><meta property="og:site_name" content="Entermedia">'
        '<meta property="og:title" content="Entermedia">'
        "<title>Two stars feud over a contract - Entermedia</title></head><body>"
        '<a href="/"><h1>Enter Media</h1></a><div class="story">'
        f"{BODY}</div></body></html>"
    )
    assert extract(html.encode(), "https://entermedia.example/news/1").title == (
        "Two stars feud over a contract"
    )


@pytest.mark.parametrize(
    "name",
    [
        "Photo Desk",
        "Web Team",
        "Staff Reports",
        "Detroit News wire service",
        "jdadmin",
        "Powered by WordPress.com",
        "Nama (wajib)",
        "Name (required)",
        "By",
        "Гость",
    ],
)
def test_desks_accounts_and_form_labels_are_not_authors(name: str) -> None:
    assert split_byline(name)[0] is None


def test_comment_form_name_field_is_not_the_byline() -> None:
    body = (
        '<form id="commentform"><p class="comment-form-author"><label for="author">'
        "Name (required)</label></p></form>"
        '<div class="comments"><span class="author-name">Pat Commenter</span></div>'
    )
    assert extract(page(body=body), "https://a.com/x").author is None


@pytest.mark.parametrize(
    "text",
    [
        "By Mike Wuerthele and Malcolm Owen Monday, November 18, 2019, 04:05 pm PT",
        "Greg Beacham, Ap Sports Writer",
        "Meg Kinnard and Errin Haines, Associated Press",
        "JANIE HAR Nov. 20, 2019 Updated: Nov. 20, 2019 1:35 a.m.",
        "History Science Innovation Arts & Culture Travel",
        "Complete D.C. Coverage * Weekly Video with Editor * Must-Read Picks",
        "Subscribe Sign up to our newsletter for exclusive updates and enhanced content",
        "Available from Amazon. BGR may receive a commission",
    ],
)
def test_bylines_dates_menus_and_promos_are_not_standfirsts(text: str) -> None:
    assert not plausible_standfirst(text)


def test_a_real_standfirst_is_plausible() -> None:
    assert plausible_standfirst(
        "The carriers kept passengers waiting up to nine months for refunds, investigators found."
    )
    assert not plausible_standfirst(
        "New bridge to open in autumn: what drivers need to know",
        text_key("New bridge to open in autumn"),
    )


def test_speakable_first_paragraph_is_body_not_standfirst() -> None:
    body = f'<div class="content"><p id="speakable-summary">{FIRST}</p>{BODY[BODY.index("</p>") + 4 :]}</div>'
    extracted = extract(page(body=body).replace(BODY.encode(), b""), "https://a.com/x")
    assert extracted.paragraphs[0] == FIRST and extracted.lede == FIRST
