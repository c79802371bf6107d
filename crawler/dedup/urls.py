"""canonical_url: one spelling per page, so a page fetched twice is recognised as one copy.

The same page reaches the crawler under many URLs: from a feed with `utm_*` tags, from a share
link with `fbclid`, as its AMP version, with or without a trailing slash, with `%7e` or `~`.
The canonical form is the page's identity (the store's key for a copy, and the seed of a new
story's id), so it must be deterministic and never merge two different pages: it changes only
what servers and sites treat as equivalent.

The page's own rel=canonical / og:url is trusted only on the same site: syndicated copies often
point it at the wire agency's original, and following that would merge every site's copy into
one page. For the same reason a hint naming the site's front page for an inner page is ignored.
"""

from __future__ import annotations

import re
from contextlib import suppress
from urllib.parse import SplitResult, urlsplit, urlunsplit

# Query parameters that track the visit and never select content. Matched case-insensitively.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "icid",
        "s_cid",
        "share",
        "amp",
        "fb_action_ids",
        "fb_action_types",
        "fb_source",
        "fb_ref",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "__twitter_impression",
        "spm",
        "sr_share",
        "rss",
        "rssfeed",
        "feature",
        "xtor",
        "wt_mc",
        "ito",
        "cid_source",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Subdomains that serve the same site's pages in another form (compared away for the hint).
_SITE_PREFIXES = ("www.", "amp.", "m.", "mobile.")
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_PATH_SAFE = "/:@!$&'()*+,;="
_QUERY_PART_SAFE = "/?:@!$'()*+,;="  # "&" separates parameters, so it stays encoded inside one
_AMP_CACHE = re.compile(r"^/(?:[cvi]/)?(s/)?([^/]+)(/.*)?$")


def canonical_url(url: str, hint: str | None = None) -> str:
    """The identity of the page at `url`; `hint` is its rel=canonical or og:url, if any.

    Raises ValueError for anything but an absolute http(s) URL.
    """
    parts = _split(url)
    if parts is None:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if hint:
        hinted = _split(hint)
        if (
            hinted is not None
            and _site(hinted) == _site(parts)
            and not _homepage_for(hinted, parts)
        ):
            parts = hinted
    return _normalise(parts)


def _homepage_for(hinted: SplitResult, parts: SplitResult) -> bool:
    """A hint that names the site's front page for an inner page: a common template mistake that
    would make every article of the site one page."""
    return _path(hinted.path) == "/" and _path(parts.path) != "/"


def public_url(url: str, hint: str | None = None) -> str:
    """The address to show readers: the page's own canonical where it is on the same site, with
    tracking parameters and the fragment removed, otherwise exactly as the site spells it (unlike
    `canonical_url`, which may not be an address the site serves)."""
    parts = _split(url)
    if parts is None:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if hint:
        hinted = _split(hint)
        if hinted is not None and _site(hinted) == _site(parts):
            parts = hinted
    kept = [
        item
        for item in parts.query.split("&")
        if item and not _is_tracking(item.partition("=")[0].lower())
    ]
    return urlunsplit(parts._replace(query="&".join(kept), fragment=""))


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def _host(parts: SplitResult) -> str:
    """Lowercase ASCII host: IDN labels in punycode, so both spellings of a host agree."""
    host = (parts.hostname or "").rstrip(".")
    with suppress(UnicodeError):  # not IDNA-encodable: keep it lowercased as it came
        host = host.encode("idna").decode("ascii")
    return host.lower()


def _site(parts: SplitResult) -> str:
    host = _host(parts)
    while host.startswith(_SITE_PREFIXES) and host.count(".") > 1:
        host = host.split(".", 1)[1]
    return host


def _normalise(parts: SplitResult) -> str:
    scheme = parts.scheme.lower()
    host = _host(parts)
    path = _requote(parts.path, _PATH_SAFE)
    unwrapped = _unwrap_amp_cache(scheme, host, path, parts.query)
    if unwrapped is not None:
        return canonical_url(unwrapped)
    if host.startswith("amp.") and host.count(".") > 1:
        host = host[4:]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _path(path), _query(parts.query), ""))


def _unwrap_amp_cache(scheme: str, host: str, path: str, query: str) -> str | None:
    """The publisher URL behind a Google AMP cache or AMP viewer URL, if this is one."""
    if host.endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE.match(path)
    elif host in ("google.com", "www.google.com") and path.startswith("/amp/"):
        match = _AMP_CACHE.match(path[4:])
    else:
        return None
    if match is None:
        return None
    secure, origin, rest = match.groups()
    inner = f"{'https' if secure else 'http'}://{origin}{rest or '/'}"
    return f"{inner}?{query}" if query else inner


def _path(path: str) -> str:
    """Dot segments resolved, empty and AMP segments dropped, no trailing slash."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", ".") and segment.lower() != "amp":
            segments.append(segment)
    if segments:
        last = segments[-1]
        for suffix, keep in ((".amp.html", ".html"), (".amp.htm", ".htm"), (".amp", "")):
            if last.lower().endswith(suffix) and len(last) > len(suffix):
                segments[-1] = last[: -len(suffix)] + keep
                break
    return "/" + "/".join(segments)


def _query(query: str) -> str:
    """Tracking parameters dropped, the rest percent-normalised and sorted."""
    kept = []
    for item in query.split("&"):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = _requote(name, _QUERY_PART_SAFE)
        value = _requote(value, _QUERY_PART_SAFE)
        lowered = name.lower()
        if _is_tracking(lowered):
            continue
        if lowered == "outputtype" and value.lower() == "amp":
            continue
        kept.append((name, eq, value))
    kept.sort()
    return "&".join(name + eq + value for name, eq, value in kept)


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})|%|[^%" + re.escape(_UNRESERVED) + "]")


def _requote(text: str, safe: str) -> str:
    """One percent-encoding per character: unreserved characters plain, escapes in upper case,
    everything else outside `safe` (spaces, non-ASCII) encoded as UTF-8."""

    def fix(match: re.Match[str]) -> str:
        hexdigits = match.group(1)
        if hexdigits is not None:
            char = chr(int(hexdigits, 16))
            return char if char in _UNRESERVED else "%" + hexdigits.upper()
        char = match.group(0)
        if char == "%":
            return "%25"
        if char in safe:
            return char
        return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))

    return _ESCAPE.sub(fix, text)


__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "canonical_url"]
