"""Finding what a browser or feed reader would run in the built site: scripts, handlers, bad URLs.

Pages are parsed with html5lib, the HTML5 parsing algorithm browsers use, so markup that only
becomes a script after a browser's error recovery (mutation XSS) is found as the script it becomes.
Attribute values arrive entity-decoded; URLs are then stripped of the whitespace and control
characters browsers ignore before the scheme is read. Each finding is one injection through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import html5lib
from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures"
VECTORS_FILE = FIXTURES / "injection_vectors.json"

SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
# Attributes holding a URL a browser loads or follows (SVG animation values included).
URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "action", "formaction", "data", "poster", "background", "cite",
    "longdesc", "lowsrc", "dynsrc", "codebase", "classid", "archive", "icon", "manifest", "ping",
    "usemap", "profile", "xmlns", "to", "from", "values", "by",
})
# Never in a page or feed from this project, so any of them came from a source.
FOREIGN_ELEMENTS = frozenset({
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "portal", "style",
    "isindex", "foreignobject",
})
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_CSP_SAFE_SCRIPT_SOURCES = frozenset({"'none'", "'self'"})
_OUTBOUND_REL = frozenset({"noopener", "noreferrer"})


def load_vectors() -> list[str]:
    """Every vector of the corpus, in file order."""
    data = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
    return [vector for group in data["vectors"].values() for vector in group]


def _local(name: str) -> str:
    """`{namespace}name` or `prefix:name` to `name`, lowercase."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def runs_script(url: str) -> bool:
    """Whether a URL (entity-decoded) has a scheme that runs or embeds code."""
    return _IGNORED_IN_URLS.sub("", url).lower().startswith(SCRIPT_SCHEMES)


def _url_values(attribute: str, value: str) -> list[str]:
    """The URLs in an attribute: `srcset` and SVG `values` hold several."""
    return re.split(r"[,;]", value) if attribute in ("srcset", "values") else [value]


@dataclass(frozen=True)
class Finding:
    """One way the markup would run or load code: where, and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def parse_html(markup: str, *, fragment: bool = False) -> ElementTree.Element:
    """The tree a browser builds (html5lib), elements named without the HTML namespace."""
    if fragment:
        return html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def html_findings(
    markup: str, where: str, own_host: str, *, fragment: bool = False,
    own_scripts: Iterable[str] = (), own_form: str | None = None,
) -> list[Finding]:
    """Everything wrong with a page (or a `fragment` of one): see the three checks below.

    `own_scripts` are the exact `src` values of the project's own scripts on this page,
    `own_form` the id of its own form (the search page's), if any.
    """
    root = parse_html(markup, fragment=fragment)
    found = script_findings(root, where, frozenset(own_scripts), own_form)
    found += outbound_findings(root, where, own_host)
    return found if fragment else found + csp_findings(root, where)


def _runs_code(name: str, value: str) -> bool:
    """An event handler, a style, or a URL attribute with a script scheme."""
    if name.startswith("on") or name == "style":
        return True
    return name in URL_ATTRIBUTES and any(runs_script(v) for v in _url_values(name, value))


def script_findings(
    root: ElementTree.Element, where: str, own_scripts: frozenset[str], own_form: str | None = None
) -> list[Finding]:
    """Every script, event handler, script URL, style and foreign embedding under `root`."""
    found: list[Finding] = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, doctypes
            continue
        tag = _local(element.tag)
        attributes = {_local(k): v for k, v in element.attrib.items()}
        src, code = attributes.get("src"), (element.text or "").strip()
        if tag == "script" and (src not in own_scripts or code):
            found.append(Finding(where, f"<script src={src!r}>{code!r}"))
        own = tag == "form" and own_form is not None and attributes.get("id") == own_form
        if tag in FOREIGN_ELEMENTS and not own:
            found.append(Finding(where, f"<{tag}> element"))
        if tag == "meta" and (attributes.get("http-equiv") or "").strip().lower() == "refresh":
            found.append(Finding(where, "<meta http-equiv=refresh>"))
        if tag in ("set", "animate") and attributes.get("attributename", "").lower().startswith("on"):
            found.append(Finding(where, f"<{tag}> animating an event handler"))
        found += [Finding(where, f"<{tag} {name}={value!r}>")
                  for name, value in attributes.items() if _runs_code(name, value)]
    return found


def outbound_findings(root: ElementTree.Element, where: str, own_host: str) -> list[Finding]:
    """Links to another host without `rel="noopener noreferrer"`."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str) or _local(element.tag) not in ("a", "area"):
            continue
        href = (element.get("href") or "").strip()
        try:
            host = urlsplit(href).hostname
        except ValueError:
            host = None
        rel = set((element.get("rel") or "").lower().split())
        if host and host != own_host and not rel >= _OUTBOUND_REL:
            found.append(Finding(where, f"outbound link {href!r} with rel={sorted(rel)}"))
    return found


def csp_findings(root: ElementTree.Element, where: str) -> list[Finding]:
    """A page must declare, in its head before anything but other metas, a policy that allows
    no inline, foreign or `data:` scripts and no plugins."""
    head = root.find("head")
    children = list(head) if head is not None else []
    metas = [
        i
        for i, el in enumerate(children)
        if el.tag == "meta" and (el.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    if len(metas) != 1:
        return [Finding(where, f"{len(metas)} Content-Security-Policy metas in <head>")]
    if any(el.tag != "meta" for el in children[: metas[0]]):  # charset and viewport only
        return [Finding(where, "Content-Security-Policy comes after page content")]
    directives: dict[str, set[str]] = {}
    for directive in (children[metas[0]].get("content") or "").lower().split(";"):
        if directive.split():
            name, *sources = directive.split()
            directives[name] = set(sources)
    script_sources = directives.get("script-src", directives.get("default-src"))
    if script_sources is None or not script_sources <= _CSP_SAFE_SCRIPT_SOURCES:
        return [Finding(where, f"scripts allowed from {sorted(script_sources or {'anywhere'})}")]
    if "'none'" not in directives.get("object-src", directives.get("default-src", set())):
        return [Finding(where, "plugins (object-src) not forbidden")]
    return []


# -- feeds

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_ATOM = "{http://www.w3.org/2005/Atom}"


def strict_xml(data: bytes) -> etree._Element:
    """Parse as a strict XML parser does: any well-formedness error raises."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def feed_html(root: etree._Element) -> Iterator[tuple[str, str]]:
    """(element name, HTML) of every item field a reader renders as HTML, RSS or Atom."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("description", _CONTENT) or (
            element.tag.startswith(_ATOM) and element.get("type") == "html"
        ):
            yield element.tag, element.text or ""
        elif element.tag.startswith(_ATOM) and element.get("type") == "xhtml":
            yield element.tag, etree.tostring(element, encoding="unicode")


def feed_urls(root: etree._Element) -> Iterator[str]:
    """Every URL a feed reader may make a link of."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _local(element.tag) in ("link", "comments", "docs", "loc", "icon", "logo"):
            yield (element.text or "").strip()
        for name in ("href", "url", "xmlUrl", "htmlUrl", "src", "uri"):
            if element.get(name) is not None:
                yield element.get(name)  # type: ignore[misc]


def xml_feed_findings(data: bytes, where: str, own_host: str) -> list[Finding]:
    """Injections in the HTML and URLs of a feed, RSS or Atom (or any XML: sitemap, OPML)."""
    root = strict_xml(data)
    found = []
    for tag, markup in feed_html(root):
        found += html_findings(markup, f"{where} {_local(tag)}", own_host, fragment=True)
    found += [Finding(where, f"script URL {u!r}") for u in feed_urls(root) if runs_script(u)]
    return found


def json_feed_findings(data: bytes, where: str, own_host: str) -> list[Finding]:
    """Injections in a JSON Feed's `content_html` and URLs."""
    feed = json.loads(data)
    found = []
    for index, item in enumerate(feed["items"]):
        found += html_findings(
            item.get("content_html", ""), f"{where} item {index}", own_host, fragment=True
        )
        for key in ("url", "external_url", "image", "banner_image"):
            if runs_script(item.get(key) or ""):
                found.append(Finding(where, f"item {index} {key} {item[key]!r}"))
    for key in ("home_page_url", "feed_url", "icon", "favicon"):
        if runs_script(feed.get(key) or ""):
            found.append(Finding(where, f"{key} {feed[key]!r}"))
    return found
