"""sources.toml validation: every bad input gets a message naming the key and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config, parse_config

GOOD = """
[site]
title = "Test digest"
base_url = "https://example.org/digest"

[[sources]]
name = "Alpha"
feeds = ["http://127.0.0.2/feed.xml"]
article_pattern = '/news/\\d+'

[[sources]]
name = "Beta"
sitemaps = ["http://127.0.0.3/robots.txt"]
start_urls = ["http://127.0.0.3/news/"]
max_depth = 3
"""


def test_good_config_gives_frozen_sources() -> None:
    config = parse_config(GOOD)
    assert config.site.title == "Test digest"
    assert config.site.base_url == "https://example.org/digest/"
    alpha, beta = config.sources
    assert alpha.hosts == {"127.0.0.2"}
    assert alpha.is_article_url("http://127.0.0.2/news/12") and not alpha.is_article_url("http://127.0.0.2/about")
    assert beta.max_depth == 3 and beta.article_pattern is None
    with pytest.raises(AttributeError):
        alpha.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('[site]\ntitel = "x"\n[[sources]]\nname="a"\nfeeds=["http://a/f"]\n',
         ["site.titel (line 2)", "unknown key"]),
        ('[[sources]]\nname = "a"\nfeeds = "ftp://a/f"\n', ["sources[0].feeds (line 3)", "http(s) URL"]),
        ('[[sources]]\nname = "a"\nfeeds = 5\n', ["sources[0].feeds (line 3)", "list"]),
        ('[[sources]]\nname = "a"\nfeeds = ["http://a/f"]\narticle_pattern = "(["\n',
         ["sources[0].article_pattern (line 4)", "invalid regular expression"]),
        ('[[sources]]\nname = "a"\nfeeds = ["http://a/f"]\n\n[[sources]]\nname = "b"\nmax_depth = -1\n'
         'feeds = ["http://b/f"]\n', ["sources[1].max_depth (line 7)", "whole number"]),
        ('[[sources]]\nfeeds = ["http://a/f"]\n', ["sources[0]: missing required key name"]),
        ('[[sources]]\nname = "a"\n', ["sources[0]: give at least one of feeds, sitemaps, start_urls"]),
        ('[[sources]]\nname = "a"\nfeeds=["http://a/f"]\n[[sources]]\nname = "a"\nfeeds=["http://b/f"]\n',
         ["duplicate source name 'a'"]),
        ('[site]\ntitle = "x"\n', ["no [[sources]] table"]),
        ('[[sources]\nname = "a"\n', ["not valid TOML"]),
        ('[crawl]\ndownload_delay = "fast"\n[[sources]]\nname="a"\nfeeds=["http://a/f"]\n',
         ["crawl.download_delay (line 2)", "number"]),
        ('[crawl]\nuser_agent = "bot {nope}"\n[[sources]]\nname="a"\nfeeds=["http://a/f"]\n',
         ["crawl.user_agent (line 2)", "placeholders"]),
        ('wat = 1\n[[sources]]\nname="a"\nfeeds=["http://a/f"]\n', ["wat (line 1): unknown top-level key"]),
    ],
)
def test_bad_config_names_key_and_line(text: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message


def test_every_problem_is_reported_at_once() -> None:
    text = '[site]\nbogus = 1\n[[sources]]\nname = "a"\nfeeds = 3\narticle_pattern = "("\n'
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert len(info.value.problems) == 3


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_shipped_sources_toml_is_valid() -> None:
    config = load_config(Path(__file__).parents[1] / "sources.toml")
    assert len(config.sources) >= 4
    assert all(s.article_pattern is not None for s in config.sources)


def test_user_agent_names_project_and_contact() -> None:
    config = parse_config(GOOD)
    agent = config.user_agent("1.2.3")
    assert agent.startswith("syndigest/1.2.3") and config.crawl.contact_url in agent


SHARED = """
[state]
backend = "postgresql"
dsn = "postgresql://digest:file-pw@db.internal:5432/digest"

[frontier]
redis_url = "redis://:redis-pw@queue.internal:6379/0"

[[sources]]
name = "a"
feeds = ["http://a/f"]
"""


def test_state_and_frontier_default_to_one_process() -> None:
    config = parse_config(GOOD, environ={})
    assert config.state.backend == "sqlite" and not config.state.shared
    assert not config.frontier.shared


def test_shared_state_and_frontier_keep_passwords_out_of_repr() -> None:
    config = parse_config(SHARED, environ={})
    assert config.state.shared and config.state.dsn.endswith("@db.internal:5432/digest")
    assert config.frontier.shared and config.frontier.redis_url.startswith("redis://")
    assert "file-pw" not in repr(config) and "redis-pw" not in repr(config)


def test_environment_replaces_urls_in_the_file() -> None:
    environ = {"SYNDIGEST_DATABASE_URL": "postgresql://digest:env-pw@127.0.0.1/digest",
               "SYNDIGEST_REDIS_URL": "redis://127.0.0.1:6390/1"}
    config = parse_config(SHARED, environ=environ)
    assert config.state.dsn == environ["SYNDIGEST_DATABASE_URL"]
    assert config.frontier.redis_url == environ["SYNDIGEST_REDIS_URL"]
    only_backend = '[state]\nbackend = "postgresql"\n[[sources]]\nname="a"\nfeeds=["http://a/f"]\n'
    assert parse_config(only_backend, environ=environ).state.dsn == environ["SYNDIGEST_DATABASE_URL"]
    # Without backend = "postgresql" the variable is not used: the file chooses the store.
    assert not parse_config(GOOD, environ={"SYNDIGEST_DATABASE_URL": "postgresql://h/d"}).state.shared


SOURCE = '[[sources]]\nname = "a"\nfeeds = ["http://a/f"]\n'


@pytest.mark.parametrize(
    ("text", "environ", "fragments"),
    [
        ('[state]\nbackend = "mysql"\n' + SOURCE, {},
         ['state.backend (line 2): expected one of "sqlite", "postgresql"']),
        ('[state]\nbackend = "postgresql"\n' + SOURCE, {},
         ["state.backend (line 2)", "needs a dsn", "SYNDIGEST_DATABASE_URL"]),
        ('[state]\nbackend = "postgresql"\ndsn = "mysql://u:pw-in-file@h/db"\n' + SOURCE, {},
         ["state.dsn (line 3): expected a postgresql:// or postgres:// URL"]),
        ('[state]\ndsn = "postgresql://h/db"\n' + SOURCE, {},
         ["state.dsn (line 2)", 'only used with backend = "postgresql"']),
        ('[state]\nbackend = "postgresql"\n' + SOURCE, {"SYNDIGEST_DATABASE_URL": "h:5432"},
         ["SYNDIGEST_DATABASE_URL (environment): expected a postgresql://"]),
        ('[state]\nuser = "x"\n' + SOURCE, {}, ["state.user (line 2): unknown key"]),
        ('[frontier]\nredis_url = "http://h:6379"\n' + SOURCE, {},
         ["frontier.redis_url (line 2): expected a redis://"]),
        ('[frontier]\nredis_url = "redis://h:6379/0"\n' + SOURCE, {},
         ["frontier.redis_url (line 2)", "must share the store too"]),
        (SOURCE, {"SYNDIGEST_REDIS_URL": "redis://h:6379/0"},
         ["SYNDIGEST_REDIS_URL (environment)", "must share the store too"]),
        ('[frontier]\nqueue = "x"\n' + SOURCE, {}, ["frontier.queue (line 2): unknown key"]),
    ],
)
def test_bad_state_or_frontier_names_key_and_line(
    text: str, environ: dict[str, str], fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, environ=environ)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    assert "pw-in-file" not in message
