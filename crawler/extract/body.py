"""The article body as plain-text paragraphs, via trafilatura on the shared tree.

trafilatura copies the tree before pruning it, so the caller's tree stays intact for the other
extractors. JSON-LD articleBody is a fallback for pages trafilatura cannot read (script-rendered
bodies), used only when it is clearly the fuller text.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement

from crawler.extract.metadata import PageMeta
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


def body_paragraphs(
    tree: HtmlElement, url: str, meta: PageMeta, *, favor_precision: bool = True
) -> list[str]:
    """Body paragraphs in reading order; [] when the page has no recognisable article text."""
    paragraphs = _trafilatura(tree, url, favor_precision)
    ld_body = _ld_body(meta)
    if ld_body:
        found = sum(len(p) for p in paragraphs)
        ld_len = sum(len(p) for p in ld_body)
        if not paragraphs or (len(ld_body) > 1 and ld_len > _LD_BODY_RATIO * found):
            logger.debug("using JSON-LD articleBody for %s (%d vs %d chars)", url, ld_len, found)
            return ld_body
    return paragraphs


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


def _trafilatura(tree: HtmlElement, url: str, favor_precision: bool) -> list[str]:
    try:
        document = trafilatura.bare_extraction(
            _without_menu_cells(tree),
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            favor_precision=favor_precision,
            with_metadata=False,
            deduplicate=False,
            as_dict=False,
        )
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
