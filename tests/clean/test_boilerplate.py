"""Boilerplate rules: each kind of junk goes, real article sentences that resemble it stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.clean import RULES, is_boilerplate, regex_rule, strip_boilerplate
from crawler.clean.boilerplate import is_teaser, matching_rule

SEED = Path("/work/shared/seed/syndicated-page.txt")

# The body of the seed page as a reader would want it (the standfirst line included).
SEED_BODY_STARTS = (
    "The next stage of negotiations has started in Istanbul",
    "The second round of Russia-Ukraine peace talks begins",
    "Just a day before scheduled talks",
    "Later that same day, drones targeted",
    "Some military bloggers and analysts",
    "On Sunday afternoon, Russia's delegation",
    "The previous round of Istanbul talks",
)


@pytest.mark.skipif(not SEED.exists(), reason="shared seed page not present")
def test_seed_page_keeps_exactly_the_story() -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    kept = strip_boilerplate(lines)
    assert len(kept) == len(SEED_BODY_STARTS)
    for line, start in zip(kept, SEED_BODY_STARTS, strict=True):
        assert line.startswith(start)


@pytest.mark.parametrize(
    ("paragraph", "rule"),
    [
        (
            (
                "Get a daily dose of St Petersburg Star news through our daily email, its complimentary "
                "and keeps you fully up to date with world and business news as well."
            ),
            "newsletter-promo",
        ),
        ("Sign up for our newsletter", "newsletter-promo"),
        ("Subscribe", "newsletter-promo"),
        ("Subscribe now for unlimited access", "newsletter-promo"),
        ("Suscríbete a nuestro boletín y recibe cada mañana las noticias.", "newsletter-promo"),
        (
            (
                "Publish news of your business, community or sports group, personnel appointments, major "
                "event and more by submitting a news release to St Petersburg Star."
            ),
            "press-release-promo",
        ),
        ("Follow us on Google News", "social-follow-promo"),
        ("More Information", "teaser-heading"),
        (
            "More InformationThe next stage of negotiations has started in Istanbul ...",
            "teaser-heading",
        ),
        ("Related posts:", "teaser-heading"),
        ("Related: Why the port strike matters", "teaser-heading"),
        ("Read more: City trims branch library hours", "teaser-heading"),
        ("Also read", "teaser-heading"),
        ("You may also like", "teaser-heading"),
        ("Noticias relacionadas", "teaser-heading"),
        ("Share", "share-buttons"),
        ("Share this:", "share-buttons"),
        ("Tweet", "share-buttons"),
        ("Facebook Twitter WhatsApp Email", "share-buttons"),
        ("Print | Email", "share-buttons"),
        ("Copy link", "share-buttons"),
        ("Compartir en Facebook", "share-buttons"),
        ("ADVERTISEMENT", "advertisement"),
        ("Advertisement", "advertisement"),
        ("- Advertisement -", "advertisement"),
        ("Sponsored", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Publicidad", "advertisement"),
        ("Photo: Reuters/John Smith", "image-credit"),
        ("Image credit: Getty Images", "image-credit"),
        ("(Photo/Getty Images)", "image-credit"),
        ("Representational image", "image-credit"),
        ("3 comments", "comments"),
        ("3 comments on “City council approves flood barrier”", "comments"),
        ("Leave a Reply", "comments"),
        ("Comments are closed.", "comments"),
        ("Your email address will not be published. Required fields are marked *", "comments"),
        ("Continue reading at Kyodo News", "continue-reading"),
        ("Read the full story at The Northern Observer", "continue-reading"),
        (
            "The post Flood barrier approved appeared first on Riverside Courier.",
            "continue-reading",
        ),
        ("© 2025 Metro Ledger. All rights reserved.", "copyright"),
        ("Copyright 2025 United Press International, Inc. All Rights Reserved.", "copyright"),
        ("All rights reserved", "copyright"),
        (
            (
                "This story has been published from a wire agency feed without modifications to the "
                "text. Only the headline has been changed."
            ),
            "wire-feed-disclaimer",
        ),
        ("The views expressed in this article are the author's own.", "wire-feed-disclaimer"),
        ("[Editor: Liu Wen]", "editor-credit"),
        ("Tags: Airlines, EU, Consumers", "tags-line"),
        ("(RT.com)", "credit-line"),
        ("(ANI)", "credit-line"),
        ("-- Xinhua", "credit-line"),
        ("— AFP", "credit-line"),
        ("Source: Reuters", "credit-line"),
        ("(With inputs from agencies)", "credit-line"),
        ("(Reporting by Jane Doe; Editing by John Roe)", "credit-line"),
        (
            (
                "Kyiv [Ukraine], June 2 (ANI): Major General Mykhailo Drapatyi, commander of Ukraine's "
                "land forces, tendered his resignation on Sunday,..."
            ),
            "dateline-teaser",
        ),
        (
            (
                "SEOUL, South Korea: On May 30, South Korea's leading left-wing presidential candidate "
                "said he wants to change the Constitution..."
            ),
            "dateline-teaser",
        ),
        ("02 Jun 2025, 11:30 GMT+10", "date-only"),
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", "date-only"),
        ("Updated 3 hours ago", "date-only"),
        ("11:42 BST", "time-only"),
        ("9.30am", "time-only"),
        ("Share this post", "share-buttons"),
        ("Tags", "tags-line"),
        ("Order Reprints", "reprint-notice"),
        (
            (
                "This copy is for your personal, non-commercial use only. To order "
                "presentation-ready copies for distribution to your colleagues, clients or "
                "customers visit http://www.djreprints.com."
            ),
            "reprint-notice",
        ),
        ("We rely on advertising to help fund our award-winning journalism.", "adblock-notice"),
        (
            "We urge you to turn off your ad blocker for The Telegraph website so that you can "
            "continue to access our quality content in the future.",
            "adblock-notice",
        ),
        ("Write to Al Root at allen.root@dowjones.com", "contact-line"),
        ("paul.takahashi@chron.com", "contact-line"),
        (
            "Email Tariq Malik at tmalik@space.com or follow him @tariqjmalik.",
            "contact-line",
        ),
        (
            "Have a tip? Amy Kuperinsky may be reached at akuperinsky@njadvancemedia.com.",
            "contact-line",
        ),
        (
            '[button link="http://example.com/submit-kit-review/" type="big"] Send us YOUR kit '
            "review[/button]",
            "shortcode",
        ),
        ("Tell us what YOU think...", "comments"),
        (
            "Get Motor Cycle Monthly delivered through your letterbox every month. 12 issues for "
            "£11.99. Click here for more information.",
            "newsletter-promo",
        ),
    ],
)
def test_boilerplate_is_recognised_by_the_right_rule(paragraph: str, rule: str) -> None:
    assert is_boilerplate(paragraph)
    found = matching_rule(paragraph)
    assert found is not None and found.name == rule


@pytest.mark.parametrize(
    "paragraph",
    [
        "Subscribers to the service will be refunded, the company said on Monday.",
        "Related developments unfolded in Kyiv on Sunday, officials said.",
        "Share prices fell 3% on Monday after the announcement.",
        "Print and online advertising revenue fell by a fifth last year.",
        "Photo identification will be required at polling stations, officials said.",
        "The company said it had received 3 comments from regulators before the deadline.",
        (
            "Readers can sign up for the library's literacy programme from next week, the council said "
            "in a statement that also announced new opening hours for branches across the city."
        ),
        "According to Reuters, the delegation from Kiev will propose a 30-day ceasefire.",
        (
            "Kyiv [Ukraine], June 2 (ANI): Major General Mykhailo Drapatyi tendered his resignation "
            "on Sunday, citing the deaths of soldiers in a missile strike."
        ),
        'He said: "I\'ll wait and see..."',
        "More than 40,000 complaints were received, the commissioner said.",
        "The views of residents were mixed.",
        "Continued rainfall is expected through Thursday.",
        "The island can be reached by ferry from the mainland in about an hour.",
        "Contact between the two delegations resumed on Monday.",
        "Ad blockers are now used by four in ten readers, the survey found.",
        "At 10:30 the council met to discuss the budget.",
        "The company said it would publish 12 issues for subscribers this year.",
        "Flour, sugar, butter and eggs are all more expensive than a year ago.",
    ],
)
def test_real_paragraphs_are_kept(paragraph: str) -> None:
    assert not is_boilerplate(paragraph), matching_rule(paragraph)


def test_teaser_block_is_dropped_up_to_the_next_real_paragraph() -> None:
    paragraphs = [
        "The council voted on Monday to approve the barrier.",
        "Read more:",
        "City trims branch library hours to close budget gap",
        "Kyiv [Ukraine], June 2 (ANI): A regional governor said on Sunday that,...",
        "There are very few places left where you can stay for hours without buying anything.",
    ]
    assert strip_boilerplate(paragraphs) == (paragraphs[0], paragraphs[4])


def test_teasers_at_the_end_go_with_their_heading() -> None:
    paragraphs = [
        "The vote will now take place on 16 June.",
        "You may also like",
        "Port workers end week-long strike",
        "New ferry link to open in July",
        "GENEVA, Switzerland: Authorities lifted an evacuation order for a mountain village...",
    ]
    assert strip_boilerplate(paragraphs) == (paragraphs[0],)


def test_truncated_article_text_without_a_heading_is_kept() -> None:
    paragraphs = [
        "Japan's transport ministry will double subsidies, officials said Tuesday.",
        "Industry groups estimate that deliveries could face delays by 2030, as overtime caps...",
        "Continue reading at Kyodo News",
    ]
    assert strip_boilerplate(paragraphs) == tuple(paragraphs[:2])


@pytest.mark.parametrize(
    ("text", "teaser"),
    [
        ("Port workers end week-long strike", True),
        ("BEIJING, June 2 (Xinhua) -- Thousands of families gathered in parks --...", True),
        ("A regional governor announced on Sunday that orders had been extended…", True),
        ("The council will meet again in July to review the plan, the mayor said.", False),
    ],
)
def test_is_teaser(text: str, teaser: bool) -> None:
    assert is_teaser(text) is teaser


def test_rules_have_unique_names() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))


def test_site_specific_rules_can_be_added() -> None:
    site_rule = regex_rule("harbour-star-footer", r"^Baltic Harbour Star is a member of\b")
    rules = (*RULES, site_rule)
    junk = "Baltic Harbour Star is a member of the Big News Network"
    assert not is_boilerplate(junk)
    assert is_boilerplate(junk, rules)
    assert strip_boilerplate(["Real text here.", junk], rules) == ("Real text here.",)


def test_word_cap_protects_long_paragraphs() -> None:
    rule = regex_rule("promo", r"newsletter", max_words=5)
    assert rule.matches("Our newsletter, free.")
    assert not rule.matches("The council also discussed its newsletter budget for the year ahead.")


def test_tag_heading_takes_its_keyword_list_with_it() -> None:
    paragraphs = [
        "The season opens in Interlagos in March.",
        "Tags",
        "stock car 2018, stock car brasil, stock car interlagos, stock car velopark",
    ]
    assert strip_boilerplate(paragraphs) == (paragraphs[0],)


def test_a_list_in_the_story_is_not_a_keyword_list_without_a_heading() -> None:
    paragraphs = ["Winners: Ann Lee, Bo Chan, Cy Diaz, Di Evans"]
    assert strip_boilerplate(paragraphs) == tuple(paragraphs)


def test_inline_related_link_does_not_swallow_the_next_subheading() -> None:
    paragraphs = [
        "Is there anything better than a piece of toast topped with a dollop of jam?",
        "Related post: Pickled Brussels Sprouts Recipe",
        "WHAT YOU NEED TO MAKE JAM",
        "Do you make jam in a pot? A pressure canner? Here is how to tell.",
    ]
    assert strip_boilerplate(paragraphs) == (paragraphs[0], paragraphs[2], paragraphs[3])
