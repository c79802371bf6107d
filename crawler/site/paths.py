"""Where each page lives: file paths inside the output folder and the URLs that point at them.

A story's path derives from its id alone, because ids never change and titles do: a link a reader
saved or a feed reader stored keeps working. File names are lowercase ASCII so that two names can
never land on the same file of a case-insensitive file system. Links between pages are relative, so
the site works from any base path and from disk; canonical and feed URLs are absolute.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote, urljoin, urlsplit

HOME = "index.html"
NOT_FOUND = "404.html"
SOURCES_INDEX = "sources/index.html"
AGENCIES_INDEX = "agencies/index.html"
ARCHIVE = "days/index.html"
SEARCH = "search/index.html"
STATUS = "status.html"  # how each source fared in the recent runs, for the owner
SEARCH_BUNDLE = "search-index"  # the search index, a folder per shard (`search`)
RSS = "feed.xml"
ATOM = "atom.xml"
JSON_FEED = "feed.json"
OPML = "sources.opml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
MANIFEST = ".manifest.json"  # what the last build wrote, for the next (incremental) one

_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# "index" is a folder's own page; Windows keeps device names (con, con.html...) from files, so
# a site with one could not be checked out or unzipped there.
_DEVICES = ("con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(10)))
_RESERVED = frozenset({"index", *_DEVICES})
# http(s), then a host with no brackets, spaces or delimiters, then the end or a path, query or
# fragment: a URL that `urlsplit` takes as http(s) with a host, without asking it.
_PLAIN_WEB_URL = re.compile(r"(?i)https?://[^\s/?#\[\]@\\]+(?:[/?#]|$)")
_PLAIN_PATH = re.compile(r"(?:[a-z0-9_-][a-z0-9._-]*/)*(?:[a-z0-9_-][a-z0-9._-]*)?")


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def slugify(text: str, limit: int = 60) -> str:
    """ASCII, lowercase, hyphen-separated; empty when nothing of the text is ASCII-writable."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-")


def safe_name(raw: str) -> str:
    """A file name for an id: the id itself when it is already safe, else slug plus a hash.

    The hash of the raw id keeps two ids that slugify alike (``"A/B"``, ``"a-b"``) apart.
    """
    if _SAFE_NAME.fullmatch(raw) and raw not in _RESERVED:
        return raw
    slug = slugify(raw)
    return f"{slug}-{_digest(raw, 12)}" if slug else f"id-{_digest(raw, 16)}"


def story_path(story_id: str) -> str:
    return f"stories/{safe_name(story_id)}.html"


def day_path(day: date) -> str:
    return f"days/{day.isoformat()}.html"


def source_path(slug: str) -> str:
    return f"sources/{slug}.html"


def agency_path(slug: str) -> str:
    return f"agencies/{slug}.html"


def agency_feed_path(slug: str) -> str:
    return f"agencies/{slug}/feed.xml"


def paged_path(first: str, number: int) -> str:
    """Older page `number` (1 = the oldest) of a paginated list whose first page is `first`.

    `index.html` -> `page/2.html`, `days/index.html` -> `days/page/2.html`,
    `sources/x.html` -> `sources/x/2.html`. Slugs never hold a `/` and day files are dates, so an
    older page can never take the path of another page.
    """
    if number < 1:
        raise ValueError(f"older pages are numbered from 1, got {number}")
    if first == HOME or first.endswith("/" + HOME):
        return f"{first.removesuffix(HOME)}page/{number}.html"
    return f"{first.removesuffix('.html')}/{number}.html"


def source_slugs(names: Iterable[str]) -> dict[str, str]:
    """A unique slug per source name; a hash suffix only where plain slugs would collide."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(names)):
        by_slug[slugify(name)].append(name)
    slugs: dict[str, str] = {}
    for slug, group in by_slug.items():
        for name in group:
            if slug and len(group) == 1 and slug not in _RESERVED:
                slugs[name] = slug
            else:
                slugs[name] = f"{slug or 'source'}-{_digest(name, 8)}"
    return slugs


def page_url(base_url: str, path: str) -> str:
    """The absolute, canonical URL of a file: `index.html` is served as its folder.

    `base_url` ends with `/` (the config makes sure) and paths here are plain relative ASCII, so
    joining is concatenation; `urljoin` is kept for anything else.
    """
    if path == HOME:
        return base_url
    if path.endswith("/" + HOME):
        path = path[: -len(HOME)]
    if base_url.endswith("/") and _PLAIN_PATH.fullmatch(path):
        return base_url + path
    return urljoin(base_url, path)


def relative_url(from_path: str, to_path: str) -> str:
    """A link from one output file to another that works on any host and from disk."""
    return relative_url_in(from_path.rpartition("/")[0], to_path)


def relative_url_in(folder: str, to_path: str) -> str:
    """A link from a file in `folder` ("" for the root) to another output file.

    Both are normalised paths inside the output folder, so this is plain string work (a page has
    dozens of links; `posixpath.relpath` asks the OS for the working directory for each one).
    """
    head, slash, name = to_path.rpartition("/")
    return _folder_link(folder, head + slash) + name


@functools.lru_cache(maxsize=4096)
def _folder_link(folder: str, to_folder: str) -> str:
    """What leads from files in `folder` to files in `to_folder` (`""` or ending with `/`): `../`
    and folder names. Cached by the pair of folders, which are few: a list page links a hundred
    stories of one folder, and no two pages list the same stories from the same folder.
    """
    here = folder.split("/") if folder else []
    there = to_folder.split("/")[:-1]
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    return "../" * (len(here) - common) + "".join(f"{name}/" for name in there[common:])


def root_url(base_url: str, to_path: str) -> str:
    """A host-relative link (`/digest/feed.xml`) for pages served at any path, like the 404."""
    return urlsplit(base_url).path.rstrip("/") + "/" + to_path


def story_guid(story_id: str) -> str:
    """The permanent id of a story in every feed: a URN on the story id, not on the host.

    It survives a move of the site to another base URL, which a URL-shaped guid would not: feed
    readers would announce every story again.
    """
    return "urn:syndigest:story:" + quote(story_id, safe="")


def is_web_url(url: str) -> bool:
    """Only http(s) URLs from sources become links (`javascript:` and friends never do)."""
    if _PLAIN_WEB_URL.match(url):  # the usual case, without urlsplit's cost (a story has many)
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
