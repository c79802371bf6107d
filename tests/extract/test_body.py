"""Body extraction around trafilatura: the pass cascade, split bodies, embedded posts, galleries."""

from __future__ import annotations

import pytest

from crawler.extract import body as body_module
from crawler.extract import extract
from crawler.extract.body import body_paragraphs, gallery_paragraphs, merge_split_body
from crawler.extract.metadata import read_metadata
from crawler.extract.parse import parse_html, prune_invisible


def para(i: int) -> str:
    return (
        f"Paragraph {i} of the story says something substantial about the harbour, the council "
        f"and the ferry timetable that readers want to know about."
    )


def tree_of(html: str):  # type: ignore[no-untyped-def]
    tree = parse_html(html)
    assert tree is not None
    return tree


def ps(*numbers: int) -> str:
    return "".join(f"<p>{para(i)}</p>" for i in numbers)


SPLIT = (
    "<html><body><article><h1>Harbour ferry timetable to change</h1>"
    f"<div class='grid'><div class='body article__body'>{ps(0, 1, 2)}</div>"
    "<aside class='rail'><p>Most read: something else entirely</p></aside></div>"
    "<div class='ad ad--mid'><span>Advertisement</span></div>"
    f"<div class='grid'><div class='body article__body'>{ps(3, 4)}</div></div>"
    "<div class='body article__body' style='display: none'><p>We've noticed you're adblocking. "
    "We rely on advertising to fund our journalism, so please consider switching it off.</p></div>"
    "<div class='teasers'><div class='body article__body'><p><a href='/a'>Another story headline "
    "that is only a link</a></p><p><a href='/b'>And one more linked headline here</a></p>"
    "<p><a href='/c'>A third linked headline to make it long enough</a></p></div></div>"
    "</article></body></html>"
)


def test_split_body_containers_are_merged_in_document_order() -> None:
    merged = merge_split_body(tree_of(SPLIT), [para(0), para(1), para(2)])
    assert merged == [para(i) for i in range(5)]


def test_hidden_and_link_list_containers_are_not_merged() -> None:
    merged = merge_split_body(tree_of(SPLIT), [para(0), para(1), para(2)])
    assert not any("adblocking" in p or "headline" in p for p in merged)


def test_nothing_to_merge_leaves_the_paragraphs_alone() -> None:
    html = f"<html><body><div class='story'>{ps(0, 1, 2)}</div></body></html>"
    assert merge_split_body(tree_of(html), [para(0), para(1), para(2)]) == [
        para(0),
        para(1),
        para(2),
    ]


TWEET = (
    '<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">Yes this is '
    'real and the state spent half a million dollars on it <a href="https://t.co/x">'
    "https://t.co/x</a></p>— Dianna Anderson (@diannaeanderson) "
    '<a href="https://twitter.com/x/status/1">November 18, 2019</a></blockquote></div>'
)


def test_embedded_post_between_paragraphs_is_restored_in_place() -> None:
    html = (
        f"<html><body><div class='story'>{ps(0, 1)}{TWEET}{ps(2)}</div>"
        f"<aside class='sidebar'>{TWEET.replace('Yes this', 'Sidebar')}</aside></body></html>"
    )
    merged = merge_split_body(tree_of(html), [para(0), para(1), para(2)])
    assert merged == [
        para(0),
        para(1),
        "Yes this is real and the state spent half a million dollars on it https://t.co/x",
        "— Dianna Anderson (@diannaeanderson) November 18, 2019",
        para(2),
    ]


def test_embedded_post_already_extracted_is_not_repeated() -> None:
    html = f"<html><body><div class='story'>{ps(0, 1)}{TWEET}{ps(2)}</div></body></html>"
    kept = "Yes this is real and the state spent half a million dollars on it https://t.co/x"
    paragraphs = [para(0), para(1), kept, "— Dianna Anderson", para(2)]
    assert merge_split_body(tree_of(html), paragraphs) == paragraphs


def slide(n: int) -> str:
    return (
        f'<figure class="slide"><div class="counter">{n} of 4</div><img src="/{n}.jpg">'
        f'<figcaption><span class="caption-text">Caption {n}: villagers move their belongings '
        f'to higher ground as the river rises.</span> <span class="caption-credit">Photo: Jane '
        f"Roe/AFP</span></figcaption></figure>"
    )


GALLERY = (
    "<html><body><div class='page'><h1>In pictures: floods</h1>"
    "<div class='breadcrumbs'><p>Home » Photos</p></div>"
    "<div class='intro'><p>Heavy rain flooded hundreds of villages this week.</p></div>"
    f"<div class='gallery'>{''.join(slide(n) for n in range(1, 5))}</div>"
    "</div></body></html>"
)


def test_photo_story_text_is_its_intro_and_captions_without_credits() -> None:
    assert gallery_paragraphs(tree_of(GALLERY)) == [
        "Heavy rain flooded hundreds of villages this week.",
        *(
            f"Caption {n}: villagers move their belongings to higher ground as the river rises."
            for n in range(1, 5)
        ),
    ]


def test_trailing_photo_credit_is_cut_from_a_caption() -> None:
    html = GALLERY.replace(
        '</span> <span class="caption-credit">Photo: Jane Roe/AFP</span>', " (Photo: Jane Roe/AFP)"
    )
    assert gallery_paragraphs(tree_of(html))[1] == (
        "Caption 1: villagers move their belongings to higher ground as the river rises."
    )


def test_article_with_pictures_is_not_a_photo_story() -> None:
    html = (
        f"<html><body><div class='story'>{ps(0, 1, 2, 3, 4, 5)}"
        f"{''.join(slide(n) for n in range(1, 5))}</div></body></html>"
    )
    assert gallery_paragraphs(tree_of(html)) == []


def test_photo_story_through_extract() -> None:
    extracted = extract(GALLERY.encode(), "https://a.example/photos/floods")
    assert len(extracted.paragraphs) >= 4
    assert all("Photo:" not in p and " of 4" not in p for p in extracted.paragraphs)


def test_slower_passes_run_only_when_the_fast_pass_finds_next_to_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[bool, bool]] = []
    answers = {
        (True, True): ["Too short."],
        (False, True): ["Still short but longer than the first answer was."],
        (False, False): [para(0), para(1), para(2), para(3), para(4)],
    }

    def fake(tree, url, *, fast, precision):  # type: ignore[no-untyped-def]
        calls.append((fast, precision))
        return answers[(fast, precision)]

    monkeypatch.setattr(body_module, "_trafilatura", fake)
    tree = tree_of("<html><body><p>x</p></body></html>")
    assert (
        body_paragraphs(tree, "https://a.example/", read_metadata(tree)) == answers[(False, False)]
    )
    assert calls == [(True, True), (False, True), (False, False)]

    calls.clear()
    answers[(True, True)] = [para(0), para(1), para(2), para(3), para(4)]
    body_paragraphs(tree, "https://a.example/", read_metadata(tree))
    assert calls == [(True, True)]


def test_prune_invisible_keeps_json_ld_and_following_text() -> None:
    tree = tree_of(
        '<html><head><script type="application/ld+json">{"@type":"NewsArticle"}</script>'
        "<script>var x = 1;</script><style>p{}</style></head><body><p>Before<script>x()</script>"
        " after</p><noscript>no js</noscript><template><p>t</p></template><svg><text>s</text>"
        "</svg></body></html>"
    )
    prune_invisible(tree)
    scripts = tree.findall(".//script")
    assert len(scripts) == 1 and scripts[0].get("type") == "application/ld+json"
    assert tree.find(".//body").text_content() == "Before after"
