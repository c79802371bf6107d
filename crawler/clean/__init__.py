"""Cleaning: normalise an article's text, drop syndication boilerplate, sanitise HTML (pure)."""

from crawler.clean.article import Prepared, clean_article, clean_prepared, prepare
from crawler.clean.boilerplate import RULES, Rule, is_boilerplate, regex_rule, strip_boilerplate
from crawler.clean.html import sanitize_html
from crawler.clean.learn import BoilerplateMemory, SiteBoilerplate, StoryOpenings
from crawler.clean.text import normalise_paragraphs, normalise_text

__all__ = [
    "RULES",
    "BoilerplateMemory",
    "Prepared",
    "Rule",
    "SiteBoilerplate",
    "StoryOpenings",
    "clean_article",
    "clean_prepared",
    "is_boilerplate",
    "normalise_paragraphs",
    "normalise_text",
    "prepare",
    "regex_rule",
    "sanitize_html",
    "strip_boilerplate",
]
