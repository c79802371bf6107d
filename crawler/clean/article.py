"""`clean_article`: an `Article` with normalised text and without syndication boilerplate."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from crawler.clean.boilerplate import RULES, Rule, is_boilerplate, strip_boilerplate
from crawler.clean.text import normalise_paragraphs, normalise_text
from crawler.items import Article

logger = logging.getLogger(__name__)


def clean_article(article: Article, *, rules: Sequence[Rule] = RULES) -> Article:
    """A new Article: title, lede, author and paragraphs normalised, boilerplate dropped.

    The lede gets the same treatment; if it is itself boilerplate (or empty) it falls back to the
    first clean paragraph, so a promo never becomes the summary readers see first.
    """
    paragraphs = strip_boilerplate(normalise_paragraphs(article.paragraphs), rules)
    lede = normalise_text(article.lede)
    if not lede or is_boilerplate(lede, rules):
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
