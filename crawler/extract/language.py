"""Page language as a two-letter ISO 639-1 code, from what the page declares."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from crawler.extract.metadata import PageMeta, ld_text

logger = logging.getLogger(__name__)

_THREE_TO_TWO = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "fra": "fr",
    "fre": "fr",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
    "ara": "ar",
    "hin": "hi",
    "por": "pt",
    "ita": "it",
    "jpn": "ja",
    "kor": "ko",
    "tur": "tr",
    "ukr": "uk",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "urd": "ur",
    "ben": "bn",
    "fas": "fa",
    "per": "fa",
    "ind": "id",
    "msa": "ms",
    "may": "ms",
    "vie": "vi",
}
# Deprecated or legacy codes still seen in the wild.
_LEGACY = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
_CODE_RE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def normalise_language(value: str | None) -> str | None:
    """ "en-US", "en_GB", "EN", "eng" -> "en"; None for unknown, "und", "x-default" or junk."""
    if not value:
        return None
    match = _CODE_RE.match(value.strip().split(",")[0].strip())
    if not match:
        return None
    code = match.group(1).lower()
    if len(code) == 3:
        return _THREE_TO_TWO.get(code)
    return _LEGACY.get(code, code)


def find_language(meta: PageMeta) -> str | None:
    """<html lang>, then og:locale, then JSON-LD inLanguage, then Content-Language meta."""
    for value in (
        meta.html_lang,
        meta.first("og:locale"),
        ld_text(meta.ld("inLanguage")),
        meta.first("content-language", "dc.language", "language"),
    ):
        code = normalise_language(value)
        if code:
            return code
    return None


# --- from the text itself ---------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent function words, a few dozen per language: enough to tell languages apart on a few
# paragraphs, with no model to load. Words shared by several languages count for each.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and of to in is that for it was on with he as by at from his are this be have "
        "said were has will not they which their but its an who been had would about"
    ),
    "es": _words(
        "el la de que y en los las del se por un una con para es al lo como más pero sus fue "
        "ha este esta son también entre cuando muy sin sobre ya hasta desde"
    ),
    "fr": _words(
        "le la les de des et est une un du en que qui dans pour pas sur au avec il ce sont par "
        "plus ont été aux cette mais ses elle ou leur nous vous à d qu l"
    ),
    "de": _words(
        "der die und das den von zu mit ist im nicht ein eine sich auf dem des für auch es sie "
        "wird werden hat nach bei aus wie noch über einen oder sind"
    ),
    "pt": _words(
        "o a os as de do da dos das em no na que e um uma para com não por mais foi ao se "
        "como mas também pelo pela entre quando são seu sua"
    ),
    "it": _words(
        "il lo la gli le di del della che e è un una per con non sono nel alla da si anche "
        "dei delle ha questo questa come più ma nella essere"
    ),
    "nl": _words(
        "de het een en van in is dat op te met voor niet zijn aan er ook als bij door om "
        "maar dan nog wel naar werd worden heeft hij ze"
    ),
    "id": _words(
        "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena ada oleh "
        "adalah bisa saat sudah lebih mereka kami kita"
    ),
    "tr": _words(
        "ve bir bu da de için ile olarak çok daha gibi ama olan kadar sonra ne var değil "
        "her ise göre"
    ),
    "pl": _words(
        "i w na z się nie do to że jest o jak po co ale od za tak przez być oraz który "
        "które już może"
    ),
    "sv": _words(
        "och i att det som en på är av för med till den har inte om ett var jag han men kan de sig"
    ),
}
# Scripts that name their language (or a default one) outright: (pattern, code).
_SCRIPTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("[\u3040-\u30ff]"), "ja"),  # kana before Han: Japanese mixes both
    (re.compile("[\uac00-\ud7af\u1100-\u11ff]"), "ko"),
    (re.compile("[\u4e00-\u9fff]"), "zh"),
    (re.compile("[\u0400-\u04ff]"), "ru"),
    (re.compile("[\u0600-\u06ff]"), "ar"),
    (re.compile("[\u0900-\u097f]"), "hi"),
    (re.compile("[\u0980-\u09ff]"), "bn"),
    (re.compile("[\u0b80-\u0bff]"), "ta"),
    (re.compile("[\u0e00-\u0e7f]"), "th"),
    (re.compile("[\u0370-\u03ff]"), "el"),
    (re.compile("[\u0590-\u05ff]"), "he"),
)
# Letters that set a language apart within its script.
_REFINE: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "ru": ((re.compile("[іїєґІЇЄҐ]"), "uk"),),
    "ar": ((re.compile("[ٹڈڑںےھ]"), "ur"), (re.compile("[پچژگ]"), "fa")),
}
_WORD_RE = re.compile(r"[^\W\d_]+")
# Letters outside Latin (and outside general punctuation): worth looking at scripts at all.
_NON_LATIN_RE = re.compile("[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")
_CODES = tuple(_STOPWORDS)
_STOPWORD_INDEX: dict[str, tuple[int, ...]] = {}
for _index, _code in enumerate(_CODES):
    for _word in _STOPWORDS[_code]:
        _STOPWORD_INDEX[_word] = (*_STOPWORD_INDEX.get(_word, ()), _index)
_SAMPLE_CHARS = 2000
_MIN_SAMPLE_CHARS = 200
_MIN_HITS = 12
_MIN_MARGIN = 1.5
_SCRIPT_SHARE = 0.3
# Japanese is mostly kanji; any real share of kana (which Chinese never uses) settles it.
_KANA_SHARE = 0.05


def detect_language(paragraphs: Sequence[str]) -> str | None:
    """The language the body is written in, or None when the text is too short or unclear.

    Non-Latin scripts decide by themselves; Latin-script text by which language's function
    words it is made of (the winner needs `_MIN_HITS` of them and `_MIN_MARGIN` times the
    runner-up's count).
    """
    taken: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if size >= _SAMPLE_CHARS:
            break
        taken.append(paragraph)
        size += len(paragraph) + 1
    sample = " ".join(taken)[:_SAMPLE_CHARS]
    if len(sample) < _MIN_SAMPLE_CHARS:
        return None
    words = _WORD_RE.findall(sample.lower())
    letters = sum(map(len, words))
    if not letters:
        return None
    if len(_NON_LATIN_RE.findall(sample)) >= _KANA_SHARE * letters:
        for pattern, code in _SCRIPTS:
            share = _KANA_SHARE if code == "ja" else _SCRIPT_SHARE
            if len(pattern.findall(sample)) >= share * letters:
                for refine, variant in _REFINE.get(code, ()):
                    if refine.search(sample):
                        return variant
                return code
    counts = [0] * len(_CODES)
    for word in words:
        for index in _STOPWORD_INDEX.get(word, ()):
            counts[index] += 1
    ranked = sorted(zip(counts, _CODES, strict=True), reverse=True)
    (best, code), (second, _) = ranked[0], ranked[1]
    if best >= _MIN_HITS and best >= _MIN_MARGIN * second:
        return code
    return None


def choose_language(declared: str | None, detected: str | None) -> str | None:
    """The page's declaration, unless the text clearly says otherwise: templates declare one
    language site-wide ("de" on an English story of a German edition) far more often than text
    detection on whole paragraphs errs."""
    if detected and detected != declared:
        if declared:
            logger.debug("page declares %s but reads as %s", declared, detected)
        return detected
    return declared
