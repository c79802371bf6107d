"""The article body as plain-text paragraphs, via trafilatura on the shared tree.

trafilatura copies the tree before pruning it, so the caller's tree stays intact for the other
extractors. What is added around it was each measured on the public article-extraction
benchmark (`benchmarks/extraction.py`; F1 before -> after on its 181 pages in brackets):

- a cascade: trafilatura's fast precision mode first (no readability/jusText comparison: the
  cheapest and, on article pages, the cleanest), and only when that finds next to nothing the full
  comparison cascade, then the balanced mode. A page whose body the fast pass misses costs two or
  three passes; the usual page costs one. (0.961 -> 0.973 with the standfirst left out)
- split bodies: sites cut an article into several containers of the same class around ad slots
  and embeds; trafilatura keeps the first. Paragraphs of the sibling containers are merged back
  in document order. (+0.003)
- embedded social posts the story quotes (a tweet between two paragraphs), which trafilatura
  prunes as widgets, are put back where they stood. (+0.001)
- photo stories: when captioned figures outweigh the prose, the captions are the body
  (trafilatura drops figures, rightly for articles: the benchmark's ground truth has no captions).
- JSON-LD articleBody, for pages trafilatura cannot read (script-rendered bodies), used only when
  it is clearly the fuller text.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

from crawler.extract.metadata import PageMeta
from crawler.extract.parse import in_chrome
from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

_CONTAINERS = frozenset({"list", "quote", "div", "section", "table", "body", "doc", "main"})
_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "list", "row", "table", "div"})
# A table cell longer than this is prose in a layout table, not data.
_MAX_DATA_CELL = 200
# Layout-table cells that are mostly link text (menus) are pruned before trafilatura sees them.
_LINK_DENSITY = 0.6
_MIN_MENU_LINKS = 3
# JSON-LD articleBody replaces trafilatura's text only when trafilatura found far less.
_LD_BODY_RATIO = 2.5
# Below this many characters the fast pass is taken to have missed the body, and a slower pass
# is tried; a slower pass wins only when it finds this much more text.
_SHORT_BODY_CHARS = 600
_RETRY_GAIN = 1.5
# A sibling container is merged only when it holds this much new, mostly unlinked text.
_MIN_MERGED_CHARS = 150
_MAX_MERGED_LINK_SHARE = 0.5
_MIN_MATCHED_PARAGRAPHS = 2
_SEEN_PREFIX = 60
# Embedded social posts (Twitter/X, Instagram, TikTok, Threads, Bluesky) by their blockquote class.
_EMBED_CLASS_RE = re.compile(
    r"twitter-tweet|instagram-media|tiktok-embed|text-post-media|bluesky-embed", re.IGNORECASE
)

# A photo story: at least this many captioned figures in one container.
_MIN_GALLERY_CAPTIONS = 3
_MIN_CAPTION_CHARS = 30
# ... whose text replaces trafilatura's unless trafilatura found this much more.
_GALLERY_GAIN = 2.0
_CREDIT_CLASS_RE = re.compile(r"credit|copyright|byline|photographer|source|author", re.IGNORECASE)
_TRAILING_CREDIT_RE = re.compile(
    r"\s*[(\[]?(?:photo(?:graph)?s?|image|picture|credit|foto|bild)\s*(?:credit)?\s*[:/©]\s*"
    r"[^()\[\]]{2,80}[)\]]?\s*$",
    re.IGNORECASE,
)

# (fast, favor_precision) for each pass of the cascade.
_PASSES: tuple[tuple[bool, bool], ...] = ((True, True), (False, True), (False, False))


def body_paragraphs(tree: HtmlElement, url: str, meta: PageMeta) -> list[str]:
    """Body paragraphs in reading order; [] when the page has no recognisable article text."""
    source = _without_menu_cells(tree)
    paragraphs: list[str] = []
    for fast, precision in _PASSES:
        found = _trafilatura(source, url, fast=fast, precision=precision)
        if _chars(found) > _RETRY_GAIN * _chars(paragraphs):
            paragraphs = found
        if _chars(paragraphs) >= _SHORT_BODY_CHARS:
            break
        logger.debug("short body (%d chars) in %s; trying a slower pass", _chars(paragraphs), url)
    gallery = gallery_paragraphs(tree)
    if gallery and _chars(paragraphs) < _GALLERY_GAIN * _chars(gallery):
        logger.debug("photo story: %d captions and intro paragraphs in %s", len(gallery), url)
        paragraphs = gallery
    elif paragraphs:
        paragraphs = merge_split_body(tree, paragraphs)
    ld_body = _ld_body(meta)
    if ld_body:
        found_len = _chars(paragraphs)
        ld_len = _chars(ld_body)
        if not paragraphs or (len(ld_body) > 1 and ld_len > _LD_BODY_RATIO * found_len):
            logger.debug(
                "using JSON-LD articleBody for %s (%d vs %d chars)", url, ld_len, found_len
            )
            return ld_body
    return paragraphs


def _chars(paragraphs: Sequence[str]) -> int:
    return sum(len(p) for p in paragraphs)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def merge_split_body(tree: HtmlElement, paragraphs: list[str]) -> list[str]:
    """`paragraphs` plus body text trafilatura left out, inserted in document order.

    Two kinds: the sibling containers of a split body (the container holding most extracted
    paragraphs is the body; other elements with the same tag and class attribute, outside page
    chrome and not nested in it, are its continuations), and social posts embedded between the
    story's paragraphs (a tweet the story quotes, which trafilatura prunes as a widget).
    """
    keys = {_key(p) for p in paragraphs}
    positions: dict[str, int] = {}
    parents: Counter[HtmlElement] = Counter()
    elements = list(tree.iter("p", "blockquote"))
    index = {el: position for position, el in enumerate(elements)}
    embeds: list[HtmlElement] = []
    for position, el in enumerate(elements):
        if el.tag == "blockquote":
            if _EMBED_CLASS_RE.search(el.get("class") or ""):
                embeds.append(el)
            continue
        key = _key(el.text_content())
        if key in keys:
            positions.setdefault(key, position)
            parent = el.getparent()
            if parent is not None:
                parents[parent] += 1
    if not parents:
        return paragraphs
    added = _embedded_posts(embeds, positions, keys, index)
    main, matched = parents.most_common(1)[0]
    css = main.get("class")
    if matched >= _MIN_MATCHED_PARAGRAPHS and css:
        lineage = {main, *main.iterancestors()}
        for other in tree.iter(main.tag):
            if other is main or other.get("class") != css or other in lineage:
                continue
            if any(a is main for a in other.iterancestors()) or in_chrome(other) or _hidden(other):
                continue
            added.extend(_new_paragraphs(other, keys, index))
    if not added:
        return paragraphs
    logger.debug("restored %d paragraphs trafilatura left out", len(added))
    placed: list[tuple[float, int, str]] = []
    last = -1.0
    for order, text in enumerate(paragraphs):
        last = positions.get(_key(text), last)
        placed.append((last, order, text))
    placed.extend(
        (position + 0.5, len(placed) + n, text) for n, (position, text) in enumerate(added)
    )
    placed.sort()
    return [text for _, _, text in placed]


def _embedded_posts(
    embeds: Sequence[HtmlElement],
    positions: dict[str, int],
    keys: set[str],
    index: dict[HtmlElement, int],
) -> list[tuple[int, str]]:
    """(position, line) of embedded social posts lying between the first and last extracted
    paragraph and not extracted themselves: the post's paragraphs, then its attribution."""
    if not embeds or len(positions) < _MIN_MATCHED_PARAGRAPHS:
        return []
    first, last = min(positions.values()), max(positions.values())
    extracted = "\n".join(keys)  # trafilatura may have kept a post, its lines joined differently
    found: list[tuple[int, str]] = []
    for quote in embeds:
        position = index[quote]
        if not first < position < last or _hidden(quote):
            continue
        lines = [normalise_text(p.text_content()) for p in quote.iter("p")]
        rest = [quote.text or ""]
        for child in quote:
            if child.tag != "p" and child.find(".//p") is None:
                rest.append(child.text_content())
            rest.append(child.tail or "")
        lines.append(normalise_text("".join(rest)))
        lines = [line for line in lines if line]
        if lines and _key(lines[0])[:_SEEN_PREFIX] not in extracted:
            found.extend((position, line) for line in lines)
    return found


def gallery_paragraphs(tree: HtmlElement) -> list[str]:
    """A photo story's text: its paragraphs and picture captions in reading order, or [].

    trafilatura drops figures (rightly, on an article: the benchmark's ground truth leaves
    captions out), so a gallery page comes out empty or as its breadcrumbs. A page is a photo
    story when at least `_MIN_GALLERY_CAPTIONS` figures share one container and carry real
    captions; its text is read from the container's parent: paragraphs outside page chrome and
    captions without their photo credit, when captions outweigh the prose (an article with
    pictures is not a photo story). Slide counters and credits are not paragraphs.
    """
    figures = [
        f for f in tree.iter("figure") if len(_caption(f)) >= _MIN_CAPTION_CHARS and not _hidden(f)
    ]
    if len(figures) < _MIN_GALLERY_CAPTIONS:
        return []
    groups: Counter[HtmlElement] = Counter()
    for figure in figures:
        parent = figure.getparent()
        if parent is not None:
            groups[parent] += 1
    container, count = groups.most_common(1)[0]
    region = container.getparent()
    if count < _MIN_GALLERY_CAPTIONS or region is None or in_chrome(container):
        return []
    found: list[str] = []
    captions = prose = 0
    for el in region.iter("p", "figure"):
        if el.tag == "figure":
            text = _caption(el) if el.getparent() is container else ""
            captions += len(text)
        elif in_chrome(el) or any(a.tag == "figure" for a in el.iterancestors()):
            continue
        else:
            text = normalise_text(el.text_content())
            prose += len(text)
        if text and text not in found:
            found.append(text)
    # An article with pictures has more prose than captions; a photo story, the reverse.
    return found if captions > prose else []


def _caption(figure: HtmlElement) -> str:
    """A figure's caption text without its credit ("Photo: Jane Doe/AFP" in its own span, or
    trailing the caption)."""
    caption = figure.find(".//figcaption")
    if caption is None:
        return ""
    text = normalise_text(_text_without_credits(caption))
    return _TRAILING_CREDIT_RE.sub("", text).strip()


def _text_without_credits(el: HtmlElement) -> str:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not _CREDIT_CLASS_RE.search(child.get("class") or ""):
            parts.append(_text_without_credits(child))
        parts.append(child.tail or "")
    return "".join(parts)


_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(el: HtmlElement) -> bool:
    """Hidden from readers by its own markup (or an ancestor's): an adblock notice, a template."""
    node: HtmlElement | None = el
    while node is not None:
        if node.get("hidden") is not None or _HIDDEN_STYLE_RE.search(node.get("style") or ""):
            return True
        node = node.getparent()
    return False


def _new_paragraphs(
    container: HtmlElement, keys: set[str], index: dict[HtmlElement, int]
) -> list[tuple[int, str]]:
    """(document position, text) of the container's unseen prose paragraphs, or [] when the
    container holds too little of it (a teaser card, a link list)."""
    found: list[tuple[int, str]] = []
    total = linked = 0
    for p in container.iter("p"):
        text = normalise_text(p.text_content())
        if not text or _key(text) in keys or in_chrome(p):
            continue
        total += len(text)
        linked += sum(len(normalise_text(a.text_content())) for a in p.iter("a"))
        found.append((index.get(p, 0), text))
    if total < _MIN_MERGED_CHARS or linked > _MAX_MERGED_LINK_SHARE * total:
        return []
    return found


def _without_menu_cells(tree: HtmlElement) -> HtmlElement:
    """The tree, or a pruned copy when layout-table cells are link menus.

    trafilatura keeps table cells whole, so a legacy page's navigation column would come out as
    body text. The shared tree is never edited: the pruning happens on a copy, and only when needed.
    """
    paths = []
    root = tree.getroottree()
    for cell in tree.iter("td", "th"):
        links = cell.findall(".//a")
        if len(links) < _MIN_MENU_LINKS:
            continue
        text_len = len(normalise_text(cell.text_content()))
        link_len = sum(len(normalise_text(a.text_content())) for a in links)
        if text_len and link_len / text_len >= _LINK_DENSITY:
            paths.append(root.getpath(cell))
    if not paths:
        return tree
    pruned = copy.deepcopy(tree)
    for path in paths:
        for cell in pruned.getroottree().xpath(path):
            cell.drop_tree()
    logger.debug("pruned %d menu cells", len(paths))
    return pruned


@functools.cache
def _options(fast: bool, precision: bool) -> Extractor:
    """trafilatura's options for one kind of pass, built once: building them reads trafilatura's
    configuration anew every time. The "txt" format (not "python") spares serialising the body
    to text, which is not used here."""
    return Extractor(
        output_format="txt",
        fast=fast,
        precision=precision,
        comments=False,
        tables=True,
        images=False,
        links=False,
        formatting=False,
        dedup=False,
        with_metadata=False,
    )


def _trafilatura(tree: HtmlElement, url: str, *, fast: bool, precision: bool) -> list[str]:
    options = copy.copy(_options(fast, precision))
    options.url = options.source = url
    try:
        document = trafilatura.bare_extraction(tree, options=options)
    except Exception:  # trafilatura bugs on odd markup must not lose the rest of the page
        logger.warning("trafilatura failed on %s", url, exc_info=True)
        return []
    body = getattr(document, "body", None) if document is not None else None
    if body is None:
        logger.info("trafilatura found no body in %s", url)
        return []
    return [p for p in _walk(body) if p]


def _walk(el: lxml.etree._Element) -> Iterator[str]:
    """Flatten trafilatura's XML (p, head, list/item, quote, table/row/cell) to paragraphs.

    Containers can hold mixed content (a layout-table cell with loose text, <p>s and <lb/>s),
    so loose text between blocks becomes paragraphs of its own.
    """
    yield from _loose(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "row":
            yield from _row(child)
        elif tag in _CONTAINERS and _has_blocks(child):
            yield from _walk(child)
        elif tag and tag not in ("graphic", "lb"):
            yield from _lines(child)
        yield from _loose(child.tail)


def _row(row: lxml.etree._Element) -> Iterator[str]:
    """A data row becomes "a | b | c"; a layout cell holding prose is walked as a container."""
    cells = [c for c in row if c.tag == "cell"]
    if any(_has_blocks(c) or len("".join(c.itertext())) > _MAX_DATA_CELL for c in cells):
        for cell in cells:
            yield from _walk(cell)
        return
    line = " | ".join(t for t in (normalise_text(" ".join(c.itertext())) for c in cells) if t)
    if line:
        yield line


def _has_blocks(el: lxml.etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in _BLOCKS | {"lb"} for c in el)


def _loose(text: str | None) -> Iterator[str]:
    for line in (text or "").split("\n"):
        line = normalise_text(line)
        if line:
            yield line


def _lines(el: lxml.etree._Element) -> Iterator[str]:
    """An element's text split at <lb/> (a <br> in the page), each line normalised."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    yield from _loose("".join(parts))


def _ld_body(meta: PageMeta) -> list[str]:
    """JSON-LD articleBody split into paragraphs (it may itself be HTML)."""
    raw = meta.ld("articleBody", "text")
    if not isinstance(raw, str) or not raw.strip():
        return []
    if "<p" in raw or "<br" in raw:
        try:
            fragment = lxml.html.fragment_fromstring(raw, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return []
        for br in fragment.iter("br"):
            br.tail = "\n" + (br.tail or "")
        blocks = [b.text_content() for b in fragment.iter("p")] or [fragment.text_content()]
        raw = "\n".join(blocks)
    return [t for t in (normalise_text(line) for line in raw.split("\n")) if t]
