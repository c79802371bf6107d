from datetime import date

from crawler.site import paths


def test_story_path_uses_a_safe_id_as_is() -> None:
    assert paths.story_path("a1b2c3") == "stories/a1b2c3.html"


def test_story_path_of_an_unsafe_id_is_safe_stable_and_distinct() -> None:
    first = paths.story_path("Story/ÄÖ 42")
    assert first == paths.story_path("Story/ÄÖ 42")
    assert first.startswith("stories/story-ao-42-") and first.endswith(".html")
    assert "/" not in first.removeprefix("stories/")
    assert paths.story_path("story-ao-42") != first
    assert paths.story_path("../../etc/passwd").startswith("stories/etc-passwd-")
    assert paths.story_path("早い").startswith("stories/id-")
    assert paths.story_path("index") != "stories/index.html"


def test_source_slugs_are_unique() -> None:
    slugs = paths.source_slugs(["Daily Gazette", "daily-gazette", "Pacific Times", "早報", "Index"])
    assert slugs["Pacific Times"] == "pacific-times"
    assert slugs["Daily Gazette"] != slugs["daily-gazette"]
    assert slugs["早報"].startswith("source-")
    assert slugs["Index"] != "index"
    assert len(set(slugs.values())) == len(slugs)


def test_page_url_serves_index_files_as_folders() -> None:
    base = "https://example.org/digest/"
    assert paths.page_url(base, "index.html") == base
    assert paths.page_url(base, "sources/index.html") == base + "sources/"
    assert paths.page_url(base, "stories/a.html") == base + "stories/a.html"


def test_relative_and_root_urls() -> None:
    assert paths.relative_url("stories/a.html", "index.html") == "../index.html"
    assert paths.relative_url("index.html", "stories/a.html") == "stories/a.html"
    assert paths.relative_url("index.html", "index.html") == "index.html"
    assert paths.root_url("https://example.org/digest/", "feed.xml") == "/digest/feed.xml"
    assert paths.root_url("https://example.org/", "feed.xml") == "/feed.xml"


def test_relative_urls_from_a_folder() -> None:
    assert paths.relative_url_in("", "stories/a.html") == "stories/a.html"
    assert paths.relative_url_in("stories", "stories/b.html") == "b.html"
    assert paths.relative_url_in("stories", "index.html") == "../index.html"
    assert paths.relative_url_in("sources/x", "sources/y.html") == "../y.html"
    assert paths.relative_url_in("sources/x", "days/page/2.html") == "../../days/page/2.html"
    assert paths.relative_url_in("days/page", "days/2025-06-02.html") == "../2025-06-02.html"


def test_day_path() -> None:
    assert paths.day_path(date(2025, 6, 2)) == "days/2025-06-02.html"


def test_guid_depends_on_the_id_only() -> None:
    assert paths.story_guid("a1b2") == "urn:syndigest:story:a1b2"
    assert paths.story_guid("a b/c") == "urn:syndigest:story:a%20b%2Fc"


def test_only_http_urls_are_links() -> None:
    assert paths.is_web_url("https://example.org/x")
    assert not paths.is_web_url("javascript:alert(1)")
    assert not paths.is_web_url("data:text/html,<script>")
    assert not paths.is_web_url("http://[::1")
