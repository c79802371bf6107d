"""sources.toml -> frozen, validated configuration.

Every problem in the file is collected and reported at once, each naming the key and its line
(``sources[2].feeds (line 14): expected a list of http(s) URLs``), so a user fixes a bad config in
one pass. Nothing here touches the network.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_USER_AGENT = "syndigest/{version} (+{contact})"


class ConfigError(Exception):
    """A config file that cannot be used; `problems` lists every reason, one line each."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str = "syndigest"
    base_url: str = "http://localhost:8000/"
    description: str = "Syndicated wire news, each story once."
    language: str = "en"
    feed_items: int = 50


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    contact_url: str = "https://github.com/syndigest/syndigest"
    user_agent: str = ""
    download_delay: float = 1.0
    autothrottle: bool = True
    concurrent_per_domain: int = 2
    max_response_bytes: int = 5_000_000
    timeout: float = 30.0
    retry_times: int = 3
    max_retry_after: float = 120.0
    proxy: str = ""
    extract_workers: int | None = None  # None: one per core but Scrapy's own (at least one)


@dataclass(frozen=True, slots=True)
class StateConfig:
    """Where the store lives: SQLite in the state directory, or a PostgreSQL database that
    several crawler processes share."""

    backend: str = "sqlite"
    dsn: str = field(default="", repr=False)  # may hold a password: kept out of logs

    @property
    def shared(self) -> bool:
        return self.backend == "postgresql"


@dataclass(frozen=True, slots=True)
class FrontierConfig:
    """The Redis server whose queue and duplicate filter crawler processes share ("" for none)."""

    redis_url: str = field(default="", repr=False)

    @property
    def shared(self) -> bool:
        return bool(self.redis_url)


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    article_pattern: re.Pattern[str] | None = None
    max_depth: int = 2
    max_pages: int = 1000
    max_age_days: int | None = None
    max_minutes: float | None = None

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts this source may be crawled on: those of its configured URLs."""
        urls = (*self.feeds, *self.sitemaps, *self.start_urls)
        return frozenset((urlsplit(u).hostname or "").lower() for u in urls)

    def is_article_url(self, url: str) -> bool:
        return self.article_pattern is None or bool(self.article_pattern.search(url))


@dataclass(frozen=True, slots=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    sources: tuple[SourceConfig, ...] = ()
    state: StateConfig = field(default_factory=StateConfig)
    frontier: FrontierConfig = field(default_factory=FrontierConfig)

    def user_agent(self, version: str) -> str:
        template = self.crawl.user_agent or DEFAULT_USER_AGENT
        return template.format(version=version, contact=self.crawl.contact_url)

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


# -- value checkers: each returns the converted value or raises ValueError with the reason --


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


def _url(value: Any) -> str:
    text = _str(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL, got {text!r}")
    return text


def _urls(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("expected a list of http(s) URLs")
    return tuple(_url(v) for v in value)


def _base_url(value: Any) -> str:
    text = _url(value)
    return text if text.endswith("/") else text + "/"


def _int(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}")
        return value

    return check


def _float(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number from {low} to {high}")
        if not low <= value <= high:
            raise ValueError(f"expected a number from {low} to {high}")
        return float(value)

    return check


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _regex(value: Any) -> re.Pattern[str]:
    text = _str(value)
    try:
        return re.compile(text)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None


def _proxy(value: Any) -> str:
    return "" if value == "" else _url(value)


def _secret_url(*schemes: str) -> Callable[[Any], str]:
    """A server URL that may carry a password, so a bad one is never echoed."""

    def check(value: Any) -> str:
        text = _str(value)
        parts = urlsplit(text)
        if parts.scheme not in schemes or not (parts.hostname or parts.path):
            raise ValueError(f"expected a {' or '.join(s + '://' for s in schemes)} URL")
        return text

    return check


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError("expected one of " + ", ".join(f'"{c}"' for c in choices))
        return str(value)

    return check


def _user_agent(value: Any) -> str:
    text = _str(value)
    try:
        text.format(version="0", contact="x")
    except (KeyError, IndexError, ValueError):
        raise ValueError("may use only {version} and {contact} placeholders") from None
    return text


SITE_KEYS: dict[str, Callable[[Any], Any]] = {
    "title": _str,
    "base_url": _base_url,
    "description": _str,
    "language": _str,
    "feed_items": _int(1, 1000),
}
CRAWL_KEYS: dict[str, Callable[[Any], Any]] = {
    "contact_url": _url,
    "user_agent": _user_agent,
    "download_delay": _float(0, 600),
    "autothrottle": _bool,
    "concurrent_per_domain": _int(1, 32),
    "max_response_bytes": _int(10_000, 1_000_000_000),
    "timeout": _float(1, 600),
    "retry_times": _int(0, 20),
    "max_retry_after": _float(0, 86_400),
    "proxy": _proxy,
    "extract_workers": _int(0, 64),
}
STATE_KEYS: dict[str, Callable[[Any], Any]] = {
    "backend": _choice("sqlite", "postgresql"),
    "dsn": _secret_url("postgresql", "postgres"),
}
FRONTIER_KEYS: dict[str, Callable[[Any], Any]] = {
    "redis_url": _secret_url("redis", "rediss", "unix"),
}
# Environment variables that replace a key, so that passwords can stay out of the file.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "SYNDIGEST_DATABASE_URL": ("state", "dsn"),
    "SYNDIGEST_REDIS_URL": ("frontier", "redis_url"),
}
TABLES = ("site", "crawl", "state", "frontier", "sources")
SOURCE_KEYS: dict[str, Callable[[Any], Any]] = {
    "name": _str,
    "feeds": _urls,
    "sitemaps": _urls,
    "start_urls": _urls,
    "article_pattern": _regex,
    "max_depth": _int(0, 20),
    "max_pages": _int(1, 1_000_000),
    "max_age_days": _int(1, 100_000),
    "max_minutes": _float(0.1, 1440),
}


class _LineFinder:
    """Finds the line of a key in the raw TOML text (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _table_start(self, table: str, index: int | None) -> int:
        header = re.compile(rf"^\s*\[\[\s*{table}\s*\]\]" if index is not None else rf"^\s*\[\s*{table}\s*\]")
        seen = -1
        for number, line in enumerate(self.lines):
            if header.match(line):
                seen += 1
                if index is None or seen == index:
                    return number
        return 0

    def line(self, table: str, index: int | None, key: str) -> int | None:
        start = self._table_start(table, index)
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start, len(self.lines)):
            if number > start and self.lines[number].lstrip().startswith("["):
                break
            if key_re.match(self.lines[number]):
                return number + 1
        return start + 1 if start or index is not None else None


def _at(label: str, key: str, line: int | None) -> str:
    """How a message names a key: ``sources[1].feeds (line 14)``."""
    return f"{label}.{key}" + (f" (line {line})" if line else "")


def _check_table(
    raw: dict[str, Any],
    schema: dict[str, Callable[[Any], Any]],
    label: str,
    where: Callable[[str], int | None],
    problems: list[str],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        at = _at(label, key, where(key))
        check = schema.get(key)
        if check is None:
            known = ", ".join(sorted(schema))
            problems.append(f"{at}: unknown key (known keys: {known})")
            continue
        try:
            values[key] = check(value)
        except ValueError as exc:
            problems.append(f"{at}: {exc}")
    return values


def _shared_services(
    state: dict[str, Any],
    frontier: dict[str, Any],
    finder: _LineFinder,
    environ: Mapping[str, str],
    problems: list[str],
) -> tuple[StateConfig, FrontierConfig]:
    """[state] and [frontier] with their environment variables applied, checked together."""
    tables = {"state": (state, STATE_KEYS), "frontier": (frontier, FRONTIER_KEYS)}
    from_env: dict[tuple[str, str], str] = {}
    for variable, (name, key) in ENVIRONMENT.items():
        if environ.get(variable):
            values, schema = tables[name]
            try:
                values[key] = schema[key](environ[variable])
            except ValueError as exc:
                problems.append(f"{variable} (environment): {exc}")
            else:
                from_env[name, key] = variable

    def at(name: str, key: str) -> str:
        variable = from_env.get((name, key))
        return f"{variable} (environment)" if variable else _at(name, key, finder.line(name, None, key))

    backend = state.get("backend", "sqlite")
    if backend == "postgresql" and not state.get("dsn"):
        problems.append(f'{at("state", "backend")}: "postgresql" needs a dsn: set state.dsn or '
                        "SYNDIGEST_DATABASE_URL")
    if backend == "sqlite" and "dsn" in state:
        if ("state", "dsn") not in from_env:
            problems.append(f'{at("state", "dsn")}: only used with backend = "postgresql"')
        del state["dsn"]
    if frontier.get("redis_url") and backend != "postgresql":
        problems.append(f'{at("frontier", "redis_url")}: crawler processes that share a frontier '
                        'must share the store too: set [state] backend = "postgresql"')
    return StateConfig(**state), FrontierConfig(**frontier)


def parse_config(
    text: str, path: str = "sources.toml", environ: Mapping[str, str] | None = None
) -> Config:
    """Parse and validate config text (with `ENVIRONMENT` from `environ`, by default the
    process's); raise ConfigError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    finder = _LineFinder(text)
    problems: list[str] = []
    for key in raw:
        if key not in TABLES:
            problems.append(f"{key} (line {finder.line('', None, key) or '?'}): unknown top-level key "
                            f"(known: {', '.join(TABLES)})")

    def table(name: str, schema: dict[str, Callable[[Any], Any]]) -> dict[str, Any]:
        section = raw.get(name, {})
        if not isinstance(section, dict):
            problems.append(f"{name}: expected a table [{name}]")
            return {}
        return _check_table(section, schema, name, lambda k: finder.line(name, None, k), problems)

    site = SiteConfig(**table("site", SITE_KEYS))
    crawl = CrawlConfig(**table("crawl", CRAWL_KEYS))
    state, frontier = _shared_services(
        table("state", STATE_KEYS), table("frontier", FRONTIER_KEYS), finder,
        os.environ if environ is None else environ, problems,
    )

    raw_sources = raw.get("sources", [])
    sources: list[SourceConfig] = []
    if not isinstance(raw_sources, list) or not all(isinstance(s, dict) for s in raw_sources):
        problems.append("sources: expected one [[sources]] table per site")
        raw_sources = []
    if not raw_sources:
        problems.append("sources: no [[sources]] table: nothing to crawl")
    names: set[str] = set()
    for index, entry in enumerate(raw_sources):
        label = f"sources[{index}]"
        values = _check_table(
            entry, SOURCE_KEYS, label, functools.partial(finder.line, "sources", index), problems
        )
        if "name" not in values:
            if "name" not in entry:
                problems.append(f"{label}: missing required key name")
            continue
        if values["name"] in names:
            problems.append(f"{label}.name: duplicate source name {values['name']!r}")
        names.add(values["name"])
        if not entry.keys() & {"feeds", "sitemaps", "start_urls"}:
            problems.append(f"{label}: give at least one of feeds, sitemaps, start_urls")
        sources.append(SourceConfig(**values))
    if problems:
        raise ConfigError(path, problems)
    return Config(site=site, crawl=crawl, sources=tuple(sources), state=state, frontier=frontier)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read: {exc}"]) from None
    return parse_config(text, str(path))
