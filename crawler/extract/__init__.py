"""Extraction: a fetched page's bytes to an `Extracted` record (pure functions, no I/O)."""

from crawler.extract.agencies import normalise_agency
from crawler.extract.core import extract
from crawler.extract.dates import parse_date

__all__ = ["extract", "normalise_agency", "parse_date"]
