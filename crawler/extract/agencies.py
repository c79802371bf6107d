"""Wire agencies and their many spellings, folded to one canonical name each.

The same story is credited "(ANI)", "ANI", "Asian News International" or "— ANI" depending on the
site; dedup and the digest's "original source" need one name per agency.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Agency:
    """`aliases` match ignoring case and punctuation; `exact` only as written (short acronyms
    such as "AP" or "ANI" are also ordinary words or names in other casings)."""

    name: str
    aliases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()


AGENCIES: tuple[Agency, ...] = (
    Agency("RT.com", ("RT.com", "Russia Today", "RT News", "RT International"), ("RT",)),
    Agency("ANI", ("Asian News International",), ("ANI",)),
    Agency(
        "Xinhua", ("Xinhua", "Xinhua News Agency", "Xinhuanet", "Xinhua Net", "新华社", "新华网")
    ),
    Agency("Reuters", ("Reuters", "Thomson Reuters", "Reuters News")),
    Agency("AFP", ("Agence France-Presse", "Agence France Presse", "AFP News"), ("AFP", "Afp")),
    Agency("AP", ("Associated Press", "The Associated Press", "AP News"), ("AP",)),
    Agency("PTI", ("Press Trust of India",), ("PTI",)),
    Agency("IANS", ("IANS", "Indo-Asian News Service", "Indo Asian News Service")),
    Agency("UPI", ("UPI", "United Press International")),
    Agency("TASS", ("TASS", "ITAR-TASS", "TASS News Agency", "ТАСС")),
    Agency("Yonhap", ("Yonhap", "Yonhap News Agency", "Yonhap News")),
    Agency("Kyodo", ("Kyodo", "Kyodo News", "Kyodo News Agency")),
    Agency("Anadolu", ("Anadolu", "Anadolu Agency", "Anadolu Ajansı", "Anadolu Ajansi"), ("AA",)),
    Agency(
        "dpa",
        ("Deutsche Presse-Agentur", "Deutsche Presse Agentur", "dpa-AFX"),
        ("dpa", "DPA", "Dpa"),
    ),
    Agency("EFE", ("EFE", "Agencia EFE", "Agencia Efe")),
    Agency("Bernama", ("Bernama", "Bernama News Agency")),
    Agency(
        "Big News Network",
        ("Big News Network", "Big News Network.com", "BigNewsNetwork", "BigNewsNetwork.com"),
    ),
    Agency("ANSA", ("ANSA", "Agenzia ANSA")),
    Agency("Interfax", ("Interfax", "Interfax-Ukraine")),
    Agency("RIA Novosti", ("RIA Novosti", "RIA", "РИА Новости")),
    Agency("Sputnik", ("Sputnik", "Sputnik News", "Sputnik International")),
    Agency("WAM", ("Emirates News Agency",), ("WAM",)),
    Agency("SPA", ("Saudi Press Agency",), ("SPA",)),
    Agency("Antara", ("Antara", "Antara News")),
    Agency("PNA", ("Philippine News Agency",), ("PNA",)),
    Agency("Prensa Latina", ("Prensa Latina",)),
    Agency("KUNA", ("KUNA", "Kuwait News Agency")),
    Agency("IRNA", ("IRNA", "Islamic Republic News Agency")),
    Agency("AAP", ("Australian Associated Press",), ("AAP",)),
    Agency("The Canadian Press", ("Canadian Press", "The Canadian Press"), ("CP",)),
    Agency("PA Media", ("PA Media", "Press Association", "PA Wire"), ("PA",)),
    Agency("Europa Press", ("Europa Press",)),
    Agency("Bloomberg", ("Bloomberg", "Bloomberg News")),
    Agency("UNI", ("United News of India",), ("UNI",)),
    Agency("Lusa", ("Lusa", "Agência Lusa")),
    Agency("China News Service", ("China News Service", "Chinanews"), ("CNS",)),
    Agency("VNA", ("Vietnam News Agency",), ("VNA",)),
)

_KEY_RE = re.compile(r"[\W_]+")
_BY_KEY: dict[str, str] = {}
_BY_EXACT: dict[str, str] = {}
for _agency in AGENCIES:
    for _alias in (_agency.name, *_agency.aliases):
        if _alias not in _agency.exact:
            _BY_KEY[_KEY_RE.sub("", _alias.casefold())] = _agency.name
    for _alias in _agency.exact:
        _BY_EXACT[_alias] = _agency.name
# Short canonical names are only safe as exact matches.
for _agency in AGENCIES:
    if _agency.exact and _agency.name in _agency.exact:
        _BY_KEY.pop(_KEY_RE.sub("", _agency.name.casefold()), None)

CANONICAL_NAMES: frozenset[str] = frozenset(a.name for a in AGENCIES)

_WRAP = " \t()[]{}.,;:|/\\\"'“”‘’«»*-–—"
_PREFIX_RE = re.compile(
    r"^(?:source|sources|credit|credits|courtesy(?: of)?|via|by|from|agency|agencies|"
    r"with (?:inputs?|reporting) from|inputs? from|reporting by|\(c\)|©|copyright(?: \d{4})?|"
    r"the)\b\s*[:\-–—]?\s*|^©\s*",
    re.IGNORECASE,
)
_PARTS_RE = re.compile(r"\s*(?:/|,|;|&|\+|\band\b|\bwith\b)\s*")
_MAX_CREDIT_LINE = 80


def normalise_agency(text: str | None) -> str | None:
    """The canonical name of the agency `text` names (e.g. "(Xinhua)" -> "Xinhua"), else None."""
    if not text:
        return None
    value = normalise_text(text).strip(_WRAP)
    for _ in range(3):
        stripped = _PREFIX_RE.sub("", value, count=1).strip(_WRAP)
        if stripped == value:
            break
        value = stripped
    if not value or len(value) > 60:
        return None
    if value in _BY_EXACT:
        return _BY_EXACT[value]
    return _BY_KEY.get(_KEY_RE.sub("", value.casefold()))


def credit_from_line(text: str) -> str | None:
    """The agency when a whole line is a credit: "(RT.com)", "-- Xinhua", "Source: Reuters",
    "— AFP", "(With inputs from PTI)", "AFP/Reuters" (first agency wins); otherwise None."""
    if len(text) > 4 * _MAX_CREDIT_LINE:  # cheap test first: a paragraph, not a credit line
        return None
    line = normalise_text(text)
    if not line or len(line) > _MAX_CREDIT_LINE:
        return None
    agency = normalise_agency(line)
    if agency:
        return agency
    inner = line.strip(_WRAP)
    inner = _PREFIX_RE.sub("", inner, count=1).strip(_WRAP)
    parts = [p for p in _PARTS_RE.split(inner) if p]
    if len(parts) < 2:
        return None
    names = [normalise_agency(p) for p in parts]
    # Every part must be an agency ("Reuters and AFP"), else it is a sentence, not a credit.
    if all(names):
        return names[0]
    return None
