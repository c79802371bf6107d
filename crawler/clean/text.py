"""Normalisation of an article's strings: one canonical form before boilerplate rules run.

Rules are written against normalised text (NFC, single spaces, repaired mojibake), so they stay
simple regexes instead of having to allow for every Unicode space and encoding accident.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

__all__ = ["normalise_paragraphs", "normalise_text"]


def normalise_paragraphs(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """Each paragraph normalised; empty ones and immediate repeats dropped.

    A paragraph with internal line breaks is one paragraph; the breaks become spaces.
    """
    result: list[str] = []
    for raw in paragraphs:
        text = normalise_text(raw)
        if text and (not result or result[-1] != text):
            result.append(text)
    return tuple(result)
