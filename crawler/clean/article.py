"""`clean_article`: an `Article` with normalised text and without syndication boilerplate.

Cleaning comes in two halves so the costly one can run in the extraction workers: `prepare`
(normalising, and testing every paragraph against the fixed rules) needs nothing but the article;
`clean_prepared` adds the rules learned during the crawl, which live in the crawl's process.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from crawler.clean.boilerplate import RULES, Rule, matching_index, matching_rule, strip_matched
from crawler.clean.text import normalise_paragraphs, normalise_text
from crawler.items import Article

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """An article as extracted, with its text normalised and matched against a rule list.

    `matched` holds, for each normalised paragraph, the index in the rules of the first one it
    matches, or None; `lede_matched` tells whether the normalised lede matched one.
    """

    article: Article
    paragraphs: tuple[str, ...]
    matched: tuple[int | None, ...]
    lede: str
    lede_matched: bool


def prepare(article: Article, rules: Sequence[Rule] = RULES) -> Prepared:
    """The half of cleaning that depends on the article alone."""
    paragraphs = normalise_paragraphs(article.paragraphs)
    lede = normalise_text(article.lede)
    return Prepared(
        article,
        paragraphs,
        tuple(matching_index(text, rules) for text in paragraphs),
        lede,
        bool(lede) and matching_index(lede, rules) is not None,
    )


def clean_prepared(
    prepared: Prepared, rules: Sequence[Rule] = RULES, extra: Sequence[Rule] = ()
) -> Article:
    """A new Article: title, lede, author and paragraphs normalised, boilerplate dropped.

    `rules` are those `prepared` was matched against; `extra` rules are tried after them. The
    lede gets the same treatment; if it is itself boilerplate (or empty) it falls back to the
    first clean paragraph, so a promo never becomes the summary readers see first.
    """
    article = prepared.article
    matched = [
        matching_rule(text, extra) if index is None else rules[index]
        for text, index in zip(prepared.paragraphs, prepared.matched, strict=True)
    ]
    paragraphs = strip_matched(prepared.paragraphs, matched)
    lede = prepared.lede
    if not lede or prepared.lede_matched or matching_rule(lede, extra) is not None:
        lede = paragraphs[0] if paragraphs else ""
    removed = len(article.paragraphs) - len(paragraphs)
    if removed:
        logger.debug(
            "cleaned %s: %d of %d paragraphs removed", article.url, removed, len(article.paragraphs)
        )
    return dataclasses.replace(
        article,
        title=normalise_text(article.title),
        author=normalise_text(article.author) or None,
        lede=lede,
        paragraphs=paragraphs,
    )


def clean_article(article: Article, *, rules: Sequence[Rule] = RULES) -> Article:
    """Both halves at once: `article` cleaned with `rules`."""
    return clean_prepared(prepare(article, rules), rules)
