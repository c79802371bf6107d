"""Syndication boilerplate: the junk each republishing site wraps around a wire story.

Boilerplate is described as a list of named `Rule`s so that rules can be listed, tested one by
one, reported in logs, and extended (e.g. with per-site rules learned from repeated paragraphs).
A `heading` rule marks the start of a teaser block ("More Information", "Related posts"): the
heading goes, and so does every teaser line after it (headlines and truncated sentences of
*other* stories), up to the first paragraph that reads like article text.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from crawler.extract.agencies import credit_from_line
from crawler.extract.dateline import parse_dateline
from crawler.extract.dates import is_date_line
from crawler.extract.relative import is_relative_line

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rule:
    """A named test for one boilerplate paragraph. `heading` rules open a teaser block."""

    name: str
    matches: Callable[[str], bool]
    heading: bool = False


def regex_rule(
    name: str, pattern: str, *, max_words: int | None = None, heading: bool = False,
    needles: Sequence[str] = (),
) -> Rule:
    """A rule matching `pattern` (case-insensitive ``re.search``) in paragraphs of at most
    `max_words` words; the word cap keeps a rule from eating a real paragraph that happens to
    mention, say, a newsletter.

    `needles`, if given, are lower-case strings one of which every match of `pattern` contains:
    a paragraph holding none is passed over without the search, which for an unanchored pattern
    of many alternatives costs more than all the rest of cleaning.
    """
    regex = re.compile(pattern, re.IGNORECASE)

    def matches(text: str) -> bool:
        if max_words is not None and word_count(text) > max_words:
            return False
        if needles and not any(needle in folded(text) for needle in needles):
            return False
        return regex.search(text) is not None

    return Rule(name, matches, heading)


# Cached: every rule asks them of the same paragraph in turn.
@functools.lru_cache(maxsize=64)
def word_count(text: str) -> int:
    return len(text.split())


@functools.lru_cache(maxsize=64)
def folded(text: str) -> str:
    return text.casefold()


_ELLIPSIS_END_RE = re.compile(r"(?:\.\s?\.\s?\.|…)\s*[\"'”’)\]]?\s*$")
_WRAPPER_CHARS = " -–—_*·•|[]()<>«»"

# --- teaser-block headings -------------------------------------------------------------------
_HEADINGS = (
    r"more information",
    r"more info",
    r"related posts?",
    r"related articles?",
    r"related stories",
    r"related news",
    r"related coverage",
    r"related content",
    r"related",
    r"read more",
    r"read also",
    r"also read",
    r"you may also like",
    r"you might also like",
    r"you may (?:also )?be interested in",
    r"recommended(?: for you| stories| reading)?",
    r"more stories",
    r"more news",
    r"latest news",
    r"latest stories",
    r"top stories",
    r"trending(?: now| stories)?",
    r"most (?:read|popular|viewed|shared)",
    r"see also",
    r"further reading",
    r"what to read next",
    r"read next",
    r"up next",
    r"don'?t miss",
    r"editor'?s picks?",
    r"popular posts",
    r"recent posts",
    r"in other news",
    r"noticias relacionadas",
    r"te puede interesar",
    r"lee también",
    r"lea también",
    r"más noticias",
    r"mehr zum thema",
    r"auch interessant",
    r"das könnte sie auch interessieren",
    r"lire aussi",
    r"à lire aussi",
    r"sur le même sujet",
)
# Followed by a word boundary, or glued to a capital ("More InformationThe ...").
_HEADING_RE = re.compile(r"^(?:" + "|".join(_HEADINGS) + r")(?:\b|(?=[A-Z]))", re.IGNORECASE)
# "More from Asia", "More on this story": a heading only as a short paragraph of its own.
_OPEN_HEADING_RE = re.compile(r"^(?:more (?:from|in|on|about))\s+[\w .'&-]{2,40}:?$", re.IGNORECASE)
_OPEN_HEADING_MAX_WORDS = 6
_MAX_HEADING_TAIL_WORDS = 40


def _is_block_heading(text: str) -> bool:
    """ "More Information", "Related posts:", "Read more: <teaser>", and a heading glued to its
    first teaser by a careless template ("More InformationThe next stage ...")."""
    if _OPEN_HEADING_RE.match(text) and word_count(text) <= _OPEN_HEADING_MAX_WORDS:
        return True
    match = _HEADING_RE.match(text)
    if not match:
        return False
    rest = text[match.end() :]
    if not rest.strip(" :.-–—|»>"):
        return True
    if rest[:1].isupper():  # glued: "More InformationThe ..."
        return True
    if rest.lstrip()[:1] in (":", "|", "»", ">", "-", "–", "—"):
        tail = rest.lstrip(" :|»>-–—")
        return is_teaser(tail) or len(tail.split()) <= _MAX_HEADING_TAIL_WORDS
    return False


# --- share buttons -----------------------------------------------------------------------------
_SHARE_WORDS = frozenset(
    {
        "share",
        "shares",
        "share:",
        "tweet",
        "facebook",
        "twitter",
        "x",
        "whatsapp",
        "email",
        "e-mail",
        "mail",
        "print",
        "copy",
        "link",
        "copied",
        "linkedin",
        "reddit",
        "telegram",
        "pinterest",
        "messenger",
        "sms",
        "flipboard",
        "pocket",
        "bluesky",
        "threads",
        "vk",
        "weibo",
        "wechat",
        "on",
        "this",
        "article",
        "story",
        "post",
        "via",
        "save",
        "send",
        "compartir",
        "teilen",
        "partager",
        "imprimir",
        "drucken",
        "imprimer",
        "like",
        "loading...",
        "loading",
        "url",
        "en",
        "auf",
        "sur",
        "per",
        "por",
        "teilen:",
        "compartir:",
    }
)
_SHARE_CORE = frozenset(
    {
        "share",
        "shares",
        "share:",
        "tweet",
        "facebook",
        "twitter",
        "whatsapp",
        "email",
        "e-mail",
        "print",
        "copy",
        "linkedin",
        "reddit",
        "telegram",
        "pinterest",
        "compartir",
        "teilen",
        "partager",
        "imprimir",
        "drucken",
        "loading...",
        "like",
    }
)
_SHARE_TOKEN_RE = re.compile(r"[^\s|·•/,]+")  # words between spaces and separators
_MAX_SHARE_WORDS = 14


def _is_share_labels(text: str) -> bool:
    """Up to 14 share-button words, one of them a core one; prose fails at its first word."""
    words = 0
    core = False
    for token in _SHARE_TOKEN_RE.finditer(text.lower().strip(_WRAPPER_CHARS)):
        word = token.group().strip(":!")
        if not word:
            continue
        words += 1
        if word not in _SHARE_WORDS or words > _MAX_SHARE_WORDS:
            return False
        core = core or word in _SHARE_CORE
    return core


# --- credits and datelines ----------------------------------------------------------------------


def _is_credit_line(text: str) -> bool:
    """ "(RT.com)", "(ANI)", "-- Xinhua", "Source: Reuters", "(With inputs from agencies)"."""
    return credit_from_line(text) is not None or bool(_GENERIC_CREDIT_RE.match(text))


_GENERIC_CREDIT_RE = re.compile(
    r"^\(?\s*(?:with )?inputs? from (?:agencies|wires|news agencies|[\w .,&/-]{2,40})\s*\)?\.?$"
    r"|^\(?\s*(?:agencies|wire services|wires|agency)\s*\)?\.?$"
    r"|^\((?:reporting|writing|editing|additional reporting|compiled) by [^)]{2,200}\)\.?$",
    re.IGNORECASE,
)


_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE_RE = re.compile(r"(?<![\w@])@\w{2,}")
_CONTACT_RE = re.compile(
    r"^(?:write to|e-?mail|contact|reach|follow)\b|\b(?:may|can) be (?:reached|contacted)\b"
    r"|\bfollow (?:him|her|them|us|the author)\b|^have a (?:news )?tip\b",
    re.IGNORECASE,
)
_MAX_CONTACT_WORDS = 40


def _is_contact_line(text: str) -> bool:
    """ "Write to Al Root at allen.root@dowjones.com", "Email Tariq Malik at ... or follow him
    @tariqjmalik", a bare e-mail address. A contact phrase alone is not enough ("the island can
    be reached by ferry"): an address or handle must be there."""
    if word_count(text) > _MAX_CONTACT_WORDS or "@" not in text:  # both patterns need an @
        return False
    if _EMAIL_RE.fullmatch(text.strip(" .")):
        return True
    if not (_EMAIL_RE.search(text) or _HANDLE_RE.search(text)):
        return False
    return bool(_CONTACT_RE.search(text))


def _is_dateline_teaser(text: str) -> bool:
    """A truncated lead of another story: starts with a dateline and trails off in "..."."""
    return bool(_ELLIPSIS_END_RE.search(text)) and parse_dateline(text) is not None


def _is_date_only(text: str) -> bool:
    return len(text) <= 60 and (is_date_line(text) or is_relative_line(text))


RULES: tuple[Rule, ...] = (
    Rule("teaser-heading", _is_block_heading, heading=True),
    regex_rule(
        "newsletter-promo",
        r"\b(?:daily|weekly)\s+(?:dose|digest|round-?up|briefing)\b.*\b(?:e-?mail|newsletter|inbox)"
        r"|\bsign\s*up\b.*\b(?:newsletter|e-?mail|alerts|updates|briefing)"
        r"|\b(?:newsletter|inbox)\b.*\b(?:sign\s*up|subscribe|free|delivered|straight)"
        r"|\b(?:get|receive)\b.*\b(?:delivered|straight) to your inbox"
        r"|^subscribe\b|\bsubscribe (?:to|for|now|today)\b"
        r"|^suscr[ií]bete\b|\bnewsletter abonnieren\b|^abonnez-vous\b"
        r"|\b\d+ (?:issues|months) for [£$€]\s?\d",
        max_words=45,
        needles=("daily", "weekly", "sign", "newsletter", "inbox", "subscribe", "suscr",
                 "abonnez-vous", "issues for", "months for"),
    ),
    regex_rule(
        "press-release-promo",
        r"\bpublish news of your (?:business|company|organi[sz]ation)"
        r"|\bsubmit(?:ting)? (?:a|your) (?:news|press) release"
        r"|\bpress release distribution\b|\bsend us your press release",
        max_words=60,
        needles=("publish news of your", "submit", "press release"),
    ),
    regex_rule(
        "social-follow-promo",
        r"^(?:follow|join|like) (?:us|our)\b.*\b(?:twitter|facebook|telegram|whatsapp|google news|"
        r"instagram|youtube|channel|x|linkedin|threads)\b"
        r"|^(?:download|get) (?:our|the) (?:free )?app\b",
        max_words=30,
    ),
    Rule("share-buttons", _is_share_labels),
    regex_rule(
        "advertisement",
        r"^[\s\-–—*·|\[(]*(?:advertisement|advertisment|advertising|ad|ads|sponsored(?: content)?|"
        r"paid content|promoted(?: content)?|partner content|story continues below"
        r"(?: advertisement)?|article continues below(?: advertisement)?|continue reading below|"
        r"scroll to continue(?: with content)?|anzeige|werbung|publicidad|publicité)"
        r"[\s\-–—*·|\])]*[:.]?$",
        max_words=6,
    ),
    regex_rule(
        "image-credit",
        r"^\(?\s*(?:photo|photograph|image|picture|pic|file photo|file image|video|graphic|"
        r"illustration|cover image|featured image|main image|top image|foto|imagen|bild)s?"
        r"\s*(?:credits?|courtesy|source)?\s*[:/|©]\s*\S"
        r"|^image credits?\b|^photo credits?\b"
        r"|^\(?\s*(?:representational|representative|file|archive|stock) (?:image|photo|picture)"
        r"\s*\)?\.?$"
        r"|^\(?\s*(?:getty images|afp via getty images|shutterstock|istock|ap photo)[^.]{0,80}\)?$",
        max_words=25,
    ),
    regex_rule(
        "comments",
        r"^(?:\d+|no|one|two|three)\s+(?:comments?|responses?|replies|thoughts)"
        r"(?:\s+(?:so far|yet))?(?:\s+(?:on|to)\s+.{2,200})?$"
        r"|^(?:leave a (?:reply|comment)|post a comment|add (?:a|your) comment|write a comment|"
        r"comments are closed|comments? closed|join the (?:discussion|conversation)|"
        r"view comments|show comments|load (?:more )?comments|be the first to comment|"
        r"cancel reply|reply$)"
        r"|you must be logged in to (?:post|leave) a comment"
        r"|your email address will not be published|required fields are marked"
        r"|save my name, email,? and website"
        r"|^comments?\s*(?:\(\d+\))?:?$"
        r"|^(?:tell us what you think|what do you think\?|share your (?:thoughts|views)|"
        r"have your say)\b",
        max_words=30,
    ),
    regex_rule(
        "continue-reading",
        r"^(?:continue reading|keep reading|read (?:the )?(?:full|complete|original|whole|rest of "
        r"the) (?:story|article|report|post|piece)|read more|click here|full story)\b"
        r"|^this (?:article|story|post) (?:was )?(?:originally |first )?(?:appeared|published|"
        r"posted) (?:on|in|at|by)\b"
        r"|^the post .{3,200} appeared first on\b"
        r"|\boriginally (?:published|appeared) (?:on|in|at)\b.{0,120}$",
        max_words=40,
        needles=("read", "click here", "full story", "appeared", "published", "posted",
                 "originally"),
    ),
    regex_rule(
        "copyright",
        r"^(?:©|\(c\)|copyright\b|copr\.)|\ball rights reserved\b|\breproduction (?:is )?"
        r"(?:strictly )?(?:prohibited|forbidden)\b|^todos los derechos reservados"
        r"|alle rechte vorbehalten",
        max_words=30,
        needles=("©", "(c)", "copyright", "copr.", "all rights reserved", "reproduction",
                 "todos los derechos reservados", "alle rechte vorbehalten"),
    ),
    regex_rule(
        "reprint-notice",
        r"for your personal,? non-commercial use only|\border (?:presentation-ready )?copies\b"
        r"|^(?:order )?reprints?$|^(?:print|email|save|share) (?:this )?(?:article|story|page)$"
        r"|^this article has been sent to\b",
        max_words=60,
        needles=("non-commercial use only", "copies", "reprint", "article", "story", "page"),
    ),
    regex_rule(
        "adblock-notice",
        r"\b(?:turn off|disable|disabling|pause|whitelist us (?:in|on)) your ad ?-?block"
        r"|\byou(?:'re| are) (?:using an? )?ad ?-?block|\bwhitelist (?:us|our (?:site|website))\b"
        r"|\bwe rely on advertising\b|\badblocking instructions\b",
        max_words=40,
        needles=("block", "whitelist", "we rely on advertising"),
    ),
    Rule("contact-line", _is_contact_line),
    regex_rule(
        "shortcode",
        r"^\[/?[a-z_][\w-]*(?:\s[^\]]*)?\].*\[/[a-z_][\w-]*\]$",
        max_words=40,
    ),
    regex_rule(
        "wire-feed-disclaimer",
        r"published from a wire agency feed|auto-generated from a syndicated feed"
        r"|has not been edited by .{2,40} staff|(?:the )?views expressed (?:in this "
        r"(?:article|piece|column) )?are (?:solely )?(?:those of the author|the author'?s own)"
        r"|does not necessarily reflect the (?:views|position)",
        max_words=50,
        needles=("wire agency feed", "syndicated feed", "has not been edited by",
                 "views expressed", "necessarily reflect"),
    ),
    regex_rule(
        "editor-credit",
        r"^[\[(]?\s*(?:editor|editors|edited by|editing by|writing by|compiled by|web editor|"
        r"responsible editor)\s*:?\s*[^\W\d][\w .,'’&-]{1,60}[\])]?$",
        max_words=8,
    ),
    regex_rule(
        "tags-line",
        r"^(?:tags?|topics?|tagged(?: with| in)?|filed under|categories|category|keywords|"
        r"schlagworte|etiquetas)\s*(?::|$)",
        max_words=40,
        heading=True,
    ),
    Rule("credit-line", _is_credit_line),
    Rule("dateline-teaser", _is_dateline_teaser),
    Rule("date-only", _is_date_only),
    regex_rule(
        "time-only",
        r"^(?:(?:updated|posted|published)\s*:?\s*)?(?:at\s+)?\d{1,2}[:.h]\d{2}"
        r"(?:\s*[ap]\.?m\.?)?(?:\s*(?:[a-z]{2,5}|(?:gmt|utc)\s*[+-]\s*\d{1,2}(?::?\d{2})?))?$",
        max_words=5,
    ),
)


def matching_index(text: str, rules: Sequence[Rule] = RULES) -> int | None:
    """Where in `rules` the first rule that calls `text` boilerplate is, or None. (An index,
    unlike a rule, can be sent from an extraction worker.)"""
    for index, rule in enumerate(rules):
        if rule.matches(text):
            return index
    return None


def matching_rule(text: str, rules: Sequence[Rule] = RULES) -> Rule | None:
    """The first rule that calls `text` boilerplate, or None."""
    index = matching_index(text, rules)
    return None if index is None else rules[index]


def is_boilerplate(paragraph: str, rules: Sequence[Rule] = RULES) -> bool:
    """True when a (normalised) paragraph is syndication boilerplate on its own."""
    text = paragraph.strip()
    return not text or matching_rule(text, rules) is not None


_HEADLINE_MAX_WORDS = 18
_SENTENCE_END_RE = re.compile(r"[.!?]['\"”’)]*$")


def is_teaser(text: str) -> bool:
    """A line of a teaser block: a truncated lead ("..."), a dateline lead, or a bare headline."""
    text = text.strip()
    if not text:
        return True
    if _ELLIPSIS_END_RE.search(text) or parse_dateline(text) is not None:
        return True
    if is_date_line(text) or _is_keyword_list(text):
        return True
    return len(text.split()) <= _HEADLINE_MAX_WORDS and not _SENTENCE_END_RE.search(text)


_MIN_KEYWORDS = 3
_MAX_KEYWORD_WORDS = 5


def _is_keyword_list(text: str) -> bool:
    """ "stock car 2018, stock car brasil, interlagos, ...": a tag list, not a sentence."""
    items = [i.strip() for i in re.split(r"[,;|]", text)]
    return (
        len(items) >= _MIN_KEYWORDS
        and all(0 < len(i.split()) <= _MAX_KEYWORD_WORDS for i in items)
        and not _SENTENCE_END_RE.search(text)
    )


# "Related post: Pickled Brussels Sprouts Recipe", "Tags: a, b": a heading carrying its one item
# inline is a single line, not the start of a block (the next short line may be a subheading).
_INLINE_ITEM_RE = re.compile(r"^[^:|»>]{1,40}\s*[:|»>]\s*\w")


def strip_boilerplate(paragraphs: Iterable[str], rules: Sequence[Rule] = RULES) -> tuple[str, ...]:
    """The paragraphs that are not boilerplate, teaser blocks removed whole."""
    texts = tuple(paragraphs)
    return strip_matched(texts, [matching_rule(text, rules) for text in texts])


def strip_matched(paragraphs: Sequence[str], matched: Sequence[Rule | None]) -> tuple[str, ...]:
    """`strip_boilerplate` with the first rule each paragraph matches (or None) known."""
    kept: list[str] = []
    in_block = False
    for text, rule in zip(paragraphs, matched, strict=True):
        if rule is not None:
            in_block = in_block or (rule.heading and not _INLINE_ITEM_RE.match(text))
            logger.debug("dropped paragraph (%s): %.60r", rule.name, text)
            continue
        if in_block and is_teaser(text):
            logger.debug("dropped teaser: %.60r", text)
            continue
        in_block = False
        kept.append(text)
    return tuple(kept)
