"""Cleaning: normalise an article's text and drop syndication boilerplate (pure functions)."""

from crawler.clean.article import clean_article
from crawler.clean.boilerplate import RULES, Rule, is_boilerplate, regex_rule, strip_boilerplate
from crawler.clean.text import normalise_paragraphs, normalise_text

__all__ = [
    "RULES",
    "Rule",
    "clean_article",
    "is_boilerplate",
    "normalise_paragraphs",
    "normalise_text",
    "regex_rule",
    "strip_boilerplate",
]
