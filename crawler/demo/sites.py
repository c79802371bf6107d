"""The four fake sites of the demo network, each with its own templates, boilerplate and discovery.

A site renders every resource it serves into a `Document` once per phase. Article pages never
depend on the phase (their teasers, related posts and "Also Read" links only use phase-1
stories), so publishing phase 2 changes feeds, sitemaps, listings and home pages and adds the
new story's pages, while every other byte stays the same.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import ClassVar

from crawler.demo.corpus import Corpus, Story
from crawler.demo.render import (
    ATOM,
    CSS,
    GIF,
    HTML,
    PIXEL_GIF,
    RSS,
    SITE_EPOCH,
    TEXT,
    XML,
    Document,
    esc,
    number_from,
    offset_label,
    paragraphs_html,
    render,
    short_hash,
    slugify,
    teaser,
    xml_doc,
)

CREDITS = {"RT.com": "RT.com", "ANI": "ANI", "Xinhua": "Xinhua", "Reuters": "Reuters"}
"""The credit line each agency's copy carries (here the same as its canonical name)."""

STYLESHEET = "body{font-family:sans-serif;max-width:48rem;margin:auto}\n"


class DemoSite(ABC):
    """One fake site: renders its documents for a phase once the server's base URL is known."""

    key: ClassVar[str]
    name: ClassVar[str]
    tz: ClassVar[timezone]
    discovery: ClassVar[str]
    article_pattern: ClassVar[str]
    traits: ClassVar[str]

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.base_url = ""
        self._cache: dict[int, dict[str, Document]] = {}
        self._articles: dict[str, Document] = {}

    # -- addresses --

    def bind(self, base_url: str) -> None:
        """Set the base URL (``http://127.0.0.2:41234/``); drops anything rendered before."""
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._cache.clear()
        self._articles.clear()

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def stories(self, phase: int) -> list[Story]:
        """The stories this site carries in a phase, newest first."""
        return self.corpus.carried_by(self.key, phase)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    @abstractmethod
    def article_path(self, story: Story) -> str:
        """The path of this site's copy of a story."""

    def article_url(self, story: Story) -> str:
        return self.url(self.article_path(story))

    def title(self, story: Story) -> str:
        return story.headline_on(self.key)

    # -- rendering --

    @abstractmethod
    def render_article(self, story: Story) -> str:
        """The HTML of this site's copy of a story (independent of the phase)."""

    @abstractmethod
    def indexes(self, phase: int) -> dict[str, Document]:
        """Feeds, sitemaps, listings and home pages for a phase."""

    @abstractmethod
    def static(self) -> dict[str, Document]:
        """robots.txt, stylesheets, About pages: the same in every phase."""

    @abstractmethod
    def boilerplate(self, phase: int) -> tuple[str, ...]:
        """Every text block this site adds around the stories' own text."""

    @abstractmethod
    def discovery_urls(self) -> dict[str, list[str]]:
        """``feeds`` / ``sitemaps`` / ``start_urls`` for this site's sources.toml entry."""

    def config_extra(self) -> dict[str, int]:
        """Extra integer keys for the sources.toml entry (e.g. ``max_depth``)."""
        return {}

    def disallowed_paths(self) -> tuple[str, ...]:
        """Paths linked from discovery documents that robots.txt forbids (never to be fetched)."""
        return ()

    def robots(self, lines: list[str]) -> Document:
        return Document.make("\n".join(lines) + "\n", TEXT, SITE_EPOCH)

    def article_document(self, story: Story) -> Document:
        doc = self._articles.get(story.key)
        if doc is None:
            doc = Document.make(self.render_article(story), HTML, story.published)
            self._articles[story.key] = doc
        return doc

    def documents(self, phase: int) -> dict[str, Document]:
        """Path (no query) -> document, for everything this site serves in a phase."""
        if not self.base_url:
            raise RuntimeError(f"site {self.key} is not bound to an address yet")
        docs = self._cache.get(phase)
        if docs is None:
            docs = dict(self.static())
            for story in self.stories(phase):
                docs[self.article_path(story)] = self.article_document(story)
            docs.update(self.indexes(phase))
            self._cache[phase] = docs
        return docs

    def newest(self, phase: int) -> datetime:
        stories = self.stories(phase)
        return max((s.published for s in stories), default=SITE_EPOCH)


# ---------------------------------------------------------------------------------------------
# Neva Evening Star: a syndication-network site like the seed page, discovered through RSS 2.0
# ---------------------------------------------------------------------------------------------


class NevaStar(DemoSite):
    key = "neva"
    name = "Neva Evening Star"
    tz = timezone(timedelta(hours=10))
    discovery = "rss"
    article_pattern = r"/news/\d{9}/[a-z0-9-]+"
    traits = ("network site: wire credit and 'GMT+10' date line on top, closing '(Agency)' line, "
              "newsletter and press-release promos, 'More Information' teasers of other stories")

    FEED_PATH = "/feeds/world.rss"
    TRACKING = "?utm_source=rss&utm_medium=feed&utm_campaign=world"
    PRIVATE_PATH = "/private/news/278999001/embargoed-draft-quarterly-shipping-outlook"
    PRIVATE_TITLE = "EMBARGOED: Quarterly shipping outlook (draft, not for publication)"
    PRIVATE_PUBLISHED = datetime(2025, 6, 2, 12, 0, tzinfo=timezone(timedelta(hours=10)))
    NEWSLETTER = ("Get a daily dose of Neva Evening Star news through our daily email, its "
                  "complimentary and keeps you fully up to date with world and business news as "
                  "well.")
    PRESS_RELEASE = ("Publish news of your business, community or sports group, personnel "
                     "appointments, major event and more by submitting a news release to Neva "
                     "Evening Star.")
    TAGLINE = "Part of the Harbour News Network"
    FOOTER = "Neva Evening Star is a member of the Harbour News Network. Copyright 2025."
    MORE_INFORMATION = "More Information"
    OTHER_TEASERS = (
        ("HELSINKI, Finland: A regional airline grounded half of its turboprop fleet this week "
         "after inspectors found corrosion in the..."),
        ("NAIROBI, Kenya: Tea exporters said on Thursday that auction prices had fallen for a "
         "third straight week as buyers from..."),
        ("LIMA, Peru: Fishing authorities opened the first anchovy season of the year with a "
         "catch quota well below what the..."),
        ("OTTAWA, Canada: A federal panel has recommended tighter rules for storing lithium "
         "batteries in apartment buildings,..."),
    )

    def article_path(self, story: Story) -> str:
        number = 278_000_000 + number_from(story.key, 1_000_000)
        return f"/news/{number}/{slugify(self.title(story))}"

    def date_line(self, when: datetime) -> str:
        return self.local(when).strftime("%d %b %Y, %H:%M ") + offset_label(self.tz)

    def _teasers(self, story: Story) -> list[tuple[str, str]]:
        """(text, path or '') lines of the More Information block of a story's page."""
        lines = [(self.title(story) + " ...", self.article_path(story))]
        for other in self.stories(1):
            if other.key != story.key:
                lines.append((teaser(other.paragraphs[0]), self.article_path(other)))
        lines.extend((text, "") for text in self.OTHER_TEASERS)
        return lines

    def render_article(self, story: Story) -> str:
        items = []
        for text, path in self._teasers(story):
            inner = f'<a href="{esc(path)}">{esc(text)}</a>' if path else esc(text)
            items.append(f"      <li>{inner}</li>")
        return render(
            "neva_article.html",
            title=esc(self.title(story)),
            site_name=esc(self.name),
            description=esc(story.standfirst),
            canonical=esc(self.article_url(story)),
            feed_url=esc(self.url(self.FEED_PATH)),
            credit=esc(CREDITS[story.agency]),
            date_line=esc(self.date_line(story.published)),
            standfirst=esc(story.standfirst),
            paragraphs=paragraphs_html(story.paragraphs),
            newsletter_promo=esc(self.NEWSLETTER),
            press_release_promo=esc(self.PRESS_RELEASE),
            teasers="\n".join(items),
            footer=esc(self.FOOTER),
        )

    def _page(self, path: str, title: str, content: str) -> str:
        return render(
            "neva_page.html",
            title=esc(title),
            site_name=esc(self.name),
            canonical=esc(self.url(path)),
            feed_url=esc(self.url(self.FEED_PATH)),
            content=content,
            footer=esc(self.FOOTER),
        )

    def _private_page(self) -> str:
        content = (
            '  <p class="embargo">EMBARGOED UNTIL FURTHER NOTICE. This draft outlook is shared '
            "with partner desks for planning only and must not be crawled, quoted or published.</p>"
        )
        return self._page(self.PRIVATE_PATH, self.PRIVATE_TITLE, content)

    def _feed(self, phase: int) -> str:
        entries: list[tuple[datetime, str]] = []
        for story in self.stories(phase):
            index = self.corpus.stories.index(story)
            link = self.article_url(story) + (self.TRACKING if index % 2 == 0 else "")
            entries.append((story.published, (
                "    <item>\n"
                f"      <title>{esc(self.title(story))}</title>\n"
                f"      <link>{esc(link)}</link>\n"
                f"      <guid isPermaLink=\"false\">neva-{self.article_path(story).split('/')[2]}"
                "</guid>\n"
                f"      <pubDate>{format_datetime(self.local(story.published))}</pubDate>\n"
                f"      <dc:creator>{esc(CREDITS[story.agency])}</dc:creator>\n"
                f"      <category>{esc(story.section)}</category>\n"
                f"      <description>{esc(story.standfirst)}</description>\n"
                "    </item>\n"
            )))
        entries.append((self.PRIVATE_PUBLISHED, (
            "    <item>\n"
            f"      <title>{esc(self.PRIVATE_TITLE)}</title>\n"
            f"      <link>{esc(self.url(self.PRIVATE_PATH))}</link>\n"
            "      <guid isPermaLink=\"false\">neva-278999001</guid>\n"
            f"      <pubDate>{format_datetime(self.PRIVATE_PUBLISHED)}</pubDate>\n"
            "      <description>Partner preview.</description>\n"
            "    </item>\n"
        )))
        entries.sort(key=lambda e: e[0], reverse=True)
        built = self.local(self.newest(phase))
        return xml_doc(
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n'
            "  <channel>\n"
            f"    <title>{esc(self.name)} - World</title>\n"
            f"    <link>{esc(self.base_url)}</link>\n"
            f"    <atom:link href=\"{esc(self.url(self.FEED_PATH))}\" rel=\"self\" "
            "type=\"application/rss+xml\"/>\n"
            "    <description>World news from the Harbour News Network wires</description>\n"
            "    <language>en</language>\n"
            f"    <lastBuildDate>{format_datetime(built)}</lastBuildDate>\n"
            + "".join(text for _, text in entries)
            + "  </channel>\n</rss>\n"
        )

    def indexes(self, phase: int) -> dict[str, Document]:
        newest = self.newest(phase)
        items = "\n".join(
            f'    <li><a href="{esc(self.article_path(s))}">{esc(self.title(s))}</a> '
            f"<span class=\"date\">{esc(self.date_line(s.published))}</span></li>"
            for s in self.stories(phase)
        )
        home = self._page("/", "Latest news", f"  <ul class=\"headlines\">\n{items}\n  </ul>")
        return {
            "/": Document.make(home, HTML, newest),
            self.FEED_PATH: Document.make(self._feed(phase), RSS, newest),
        }

    def static(self) -> dict[str, Document]:
        about = self._page(
            "/about/", "About us",
            "  <p>Neva Evening Star republishes world and business news from international wire "
            "services for readers in the Baltic region.</p>",
        )
        return {
            "/robots.txt": self.robots(
                ["User-agent: *", "Disallow: /private/", "Disallow: /search/"]),
            "/about/": Document.make(about, HTML, SITE_EPOCH),
            "/static/star.css": Document.make(STYLESHEET, CSS, SITE_EPOCH),
            self.PRIVATE_PATH: Document.make(self._private_page(), HTML, self.PRIVATE_PUBLISHED),
        }

    def boilerplate(self, phase: int) -> tuple[str, ...]:
        lines = [self.NEWSLETTER, self.PRESS_RELEASE, self.MORE_INFORMATION, self.TAGLINE,
                 self.FOOTER]
        for story in self.stories(phase):
            lines.extend(text for text, _ in self._teasers(story))
        return tuple(dict.fromkeys(lines))

    def discovery_urls(self) -> dict[str, list[str]]:
        return {"feeds": [self.url(self.FEED_PATH)]}

    def disallowed_paths(self) -> tuple[str, ...]:
        return (self.PRIVATE_PATH,)


# ---------------------------------------------------------------------------------------------
# Riverside Chronicle: a WordPress blog, discovered through robots.txt -> sitemap index
# ---------------------------------------------------------------------------------------------


class RiversideChronicle(DemoSite):
    key = "riverside"
    name = "Riverside Chronicle"
    tz = timezone(timedelta(hours=-4))
    discovery = "sitemap"
    article_pattern = r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$"
    traits = ("WordPress blog: standfirst in italics, 'Source:' credit, share buttons, likes, "
              "Jetpack related posts, a comment thread and reply form")

    DESCRIPTION = "News from the wires, every day"
    SHARE_BUTTONS = (
        ("facebook", "Share on Facebook"),
        ("x", "Share on X"),
        ("jetpack-whatsapp", "Share on WhatsApp"),
        ("email", "Email a link to a friend"),
    )
    LIKE = "Be the first to like this."
    COMMENT_NOTES = "Your email address will not be published. Required fields are marked *"
    FOOTER = "© 2025 Riverside Chronicle"
    POWERED_BY = "Proudly powered by WordPress"
    FIXED = ("Share this:", "Like this:", "Related", "In “World”", "Leave a Reply",
             "Skip to the content")
    COMMENTERS = (
        ("Dave K.", "Great summary, thanks for posting this so quickly."),
        ("Maria Lindqvist", "Would be good to see a follow-up on this in a few weeks."),
        ("T. Okafor", "Does anyone have a link to the original report? Asking for my class."),
        ("Lynn", "Interesting times. Shared this with my Tuesday reading group."),
        ("oldsalt42", "Been saying this for years and nobody listened."),
    )

    def article_path(self, story: Story) -> str:
        day = self.local(story.published).strftime("%Y/%m/%d")
        return f"/{day}/{slugify(self.title(story))}/"

    def post_id(self, story: Story) -> int:
        return 4100 + 7 * self.corpus.stories.index(story)

    def date_text(self, when: datetime) -> str:
        local = self.local(when)
        return f"{local:%B} {local.day}, {local.year}"

    def _related(self, story: Story) -> list[Story]:
        return [s for s in self.stories(1) if s.key != story.key][:3]

    def _excerpt(self, story: Story) -> str:
        return teaser(story.paragraphs[0], 110, "…")

    def _comments(self, story: Story) -> list[tuple[str, str]]:
        start = self.corpus.stories.index(story)
        count = 2 + start % 2
        return [self.COMMENTERS[(start + i) % len(self.COMMENTERS)] for i in range(count)]

    def _comments_title(self, story: Story) -> str:
        return f"{len(self._comments(story))} thoughts on “{self.title(story)}”"

    def render_article(self, story: Story) -> str:
        path = self.article_path(story)
        shares = "\n".join(
            f'      <li class="share-{kind}"><a class="share-{kind} sd-button" '
            f'href="{esc(path)}?share={kind}" rel="nofollow noopener noreferrer" target="_blank">'
            f"<span>{esc(label)}</span></a></li>"
            for kind, label in self.SHARE_BUTTONS
        )
        related = "\n".join(
            '    <div class="jp-relatedposts-post">'
            f'<h4 class="jp-relatedposts-post-title"><a href="{esc(self.article_path(other))}">'
            f"{esc(self.title(other))}</a></h4>"
            f'<p class="jp-relatedposts-post-excerpt">{esc(self._excerpt(other))}</p>'
            f'<p class="jp-relatedposts-post-date">{esc(self.date_text(other.published))}</p>'
            '<p class="jp-relatedposts-post-context">In “World”</p></div>'
            for other in self._related(story)
        )
        comments = []
        for number, (author, text) in enumerate(self._comments(story), start=1):
            cid = self.post_id(story) * 10 + number
            when = self.local(story.published + timedelta(hours=2 * number, minutes=17))
            clock = f"{when.hour % 12 or 12}:{when.minute:02d} {'pm' if when.hour >= 12 else 'am'}"
            stamp = f"{self.date_text(when)} at {clock}"
            comments.append(
                f'    <div class="comment" id="comment-{cid}"><div class="comment-meta">'
                f'<span class="fn">{esc(author)}</span> <a href="#comment-{cid}">'
                f'<time datetime="{when.isoformat()}">{esc(stamp)}</time></a></div>'
                f'<div class="comment-content"><p>{esc(text)}</p></div>'
                '<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div>'
                "</div>"
            )
        return render(
            "riverside_article.html",
            title=esc(self.title(story)),
            site_name=esc(self.name),
            site_description=esc(self.DESCRIPTION),
            canonical=esc(self.article_url(story)),
            shortlink=esc(self.url(f"/?p={self.post_id(story)}")),
            post_id=str(self.post_id(story)),
            published_iso=self.local(story.published).isoformat(),
            published_text=esc(self.date_text(story.published)),
            standfirst=esc(story.standfirst),
            paragraphs=paragraphs_html(story.paragraphs, "    "),
            credit=esc(CREDITS[story.agency]),
            share_buttons=shares,
            like_text=esc(self.LIKE),
            related=related,
            comments_title=esc(self._comments_title(story)),
            comments="\n".join(comments),
            comment_notes=esc(self.COMMENT_NOTES),
            footer=esc(self.FOOTER),
            powered_by=esc(self.POWERED_BY),
        )

    def _page(self, path: str, title: str, content: str) -> str:
        return render(
            "riverside_page.html",
            title=esc(title),
            site_name=esc(self.name),
            site_description=esc(self.DESCRIPTION),
            canonical=esc(self.url(path)),
            content=content,
            footer=esc(self.FOOTER),
            powered_by=esc(self.POWERED_BY),
        )

    def _post_list(self, phase: int) -> str:
        items = "\n".join(
            f'    <li><a href="{esc(self.article_path(s))}">{esc(self.title(s))}</a> '
            f"<span class=\"posted-on\">{esc(self.date_text(s.published))}</span></li>"
            for s in self.stories(phase)
        )
        return f'  <ul class="post-list">\n{items}\n  </ul>'

    def _news_sitemap(self, phase: int) -> str:
        urls = "".join(
            "  <url>\n"
            f"    <loc>{esc(self.article_url(s))}</loc>\n"
            "    <news:news>\n"
            "      <news:publication>\n"
            f"        <news:name>{esc(self.name)}</news:name>\n"
            "        <news:language>en</news:language>\n"
            "      </news:publication>\n"
            f"      <news:publication_date>{self.local(s.published).isoformat()}"
            "</news:publication_date>\n"
            f"      <news:title>{esc(self.title(s))}</news:title>\n"
            "    </news:news>\n"
            "  </url>\n"
            for s in self.stories(phase)
        )
        return xml_doc(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>\n"
        )

    def _post_sitemap(self, phase: int) -> str:
        entries = [(self.url("/"), self.newest(phase)), (self.url("/about/"), SITE_EPOCH),
                   (self.url("/category/world/"), self.newest(phase))]
        entries += [(self.article_url(s), s.published) for s in self.stories(phase)]
        urls = "".join(
            f"  <url>\n    <loc>{esc(loc)}</loc>\n"
            f"    <lastmod>{self.local(when).isoformat()}</lastmod>\n  </url>\n"
            for loc, when in entries
        )
        return xml_doc('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                       + urls + "</urlset>\n")

    def _sitemap_index(self, phase: int) -> str:
        newest = self.local(self.newest(phase)).isoformat()
        maps = "".join(
            f"  <sitemap>\n    <loc>{esc(self.url(path))}</loc>\n"
            f"    <lastmod>{newest}</lastmod>\n  </sitemap>\n"
            for path in ("/news-sitemap.xml", "/post-sitemap.xml")
        )
        return xml_doc('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                       + maps + "</sitemapindex>\n")

    def indexes(self, phase: int) -> dict[str, Document]:
        newest = self.newest(phase)
        return {
            "/": Document.make(self._page("/", self.name, self._post_list(phase)), HTML, newest),
            "/category/world/": Document.make(
                self._page("/category/world/", "Category: World", self._post_list(phase)),
                HTML, newest),
            "/sitemap_index.xml": Document.make(self._sitemap_index(phase), XML, newest),
            "/news-sitemap.xml": Document.make(self._news_sitemap(phase), XML, newest),
            "/post-sitemap.xml": Document.make(self._post_sitemap(phase), XML, newest),
        }

    def static(self) -> dict[str, Document]:
        about = self._page(
            "/about/", "About",
            "  <p>Riverside Chronicle is a volunteer-run blog collecting wire reports on trade, "
            "shipping and the world economy.</p>",
        )
        robots = self.robots([
            "User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", "",
            f"Sitemap: {self.url('/sitemap_index.xml')}",
        ])
        return {
            "/robots.txt": robots,
            "/about/": Document.make(about, HTML, SITE_EPOCH),
            "/wp-content/themes/riverside/style.css": Document.make(STYLESHEET, CSS, SITE_EPOCH),
        }

    def boilerplate(self, phase: int) -> tuple[str, ...]:
        lines = [label for _, label in self.SHARE_BUTTONS]
        lines += [self.LIKE, self.COMMENT_NOTES, self.FOOTER, self.POWERED_BY, self.DESCRIPTION]
        lines += self.FIXED
        for story in self.stories(phase):
            lines.append(self._comments_title(story))
            lines.extend(text for _, text in self._comments(story))
            lines.extend(self._excerpt(other) for other in self._related(story))
        return tuple(dict.fromkeys(lines))

    def discovery_urls(self) -> dict[str, list[str]]:
        return {"sitemaps": [self.url("/sitemap_index.xml")]}


# ---------------------------------------------------------------------------------------------
# Deccan Daily Ledger: JSON-LD-heavy news site with inline ads, discovered through listing pages
# ---------------------------------------------------------------------------------------------


class DeccanLedger(DemoSite):
    key = "deccan"
    name = "Deccan Daily Ledger"
    tz = timezone(timedelta(hours=5, minutes=30))
    discovery = "listing"
    article_pattern = r"/news/\d{4}/\d{2}/\d{2}/[a-z0-9-]+\.html$"
    traits = ("JSON-LD NewsArticle/BreadcrumbList/Organization, summary as <h2>, inline "
              "ADVERTISEMENT blocks and 'Also Read' links in the body, syndication disclaimer")

    PER_PAGE = 3
    EPAPER = "https://epaper.example.net/deccan-daily-ledger/"
    PARTNER = "https://markets.example.net/weekly/"
    AD_LABEL = "ADVERTISEMENT"
    ADS = (
        "Sponsored: Compare home loan rates from 30 lenders in two minutes.",
        "Sponsored: Learn Python for data analysis in 8 weeks. New batches start every Monday.",
    )
    BREAKING = "Trending: Monsoon tracker | Markets live | Cricket scores"
    DISCLAIMER = ("Disclaimer: This story is auto-generated from a syndicated feed and has not "
                  "been edited by Deccan Daily Ledger staff.")
    FOLLOW = "Follow Deccan Daily Ledger on WhatsApp for the latest news updates."
    FOOTER = "Copyright © 2025 Deccan Daily Ledger. All rights reserved."

    def article_path(self, story: Story) -> str:
        day = self.local(story.published).strftime("%Y/%m/%d")
        return f"/news/{day}/{slugify(self.title(story))}.html"

    def listing_path(self, page: int) -> str:
        return "/news/" if page == 1 else f"/news/page/{page}/"

    def date_text(self, when: datetime) -> str:
        return self.local(when).strftime("%b %d, %Y %H:%M IST")

    def _also_read(self, story: Story) -> Story | None:
        others = [s for s in self.stories(1) if s.key != story.key]
        if not others:
            return None
        older = [s for s in others if s.published < story.published]
        return older[0] if older else others[0]

    def _organization(self) -> dict[str, object]:
        return {
            "@context": "https://schema.org",
            "@type": "NewsMediaOrganization",
            "name": self.name,
            "url": self.base_url,
            "logo": {"@type": "ImageObject", "url": self.url("/assets/logo.png"),
                     "width": 600, "height": 60},
            "sameAs": [self.EPAPER, "https://social.example.net/deccanledger"],
        }

    @staticmethod
    def _json(data: Mapping[str, object]) -> str:
        return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")

    def render_article(self, story: Story) -> str:
        url = self.article_url(story)
        published = self.local(story.published).isoformat()
        article = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": self.title(story),
            "description": story.standfirst,
            "datePublished": published,
            "dateModified": published,
            "author": {"@type": "Organization", "name": CREDITS[story.agency]},
            "publisher": {"@type": "Organization", "name": self.name,
                          "logo": {"@type": "ImageObject", "url": self.url("/assets/logo.png")}},
            "articleSection": story.section,
            "inLanguage": "en-IN",
            "isAccessibleForFree": True,
            "articleBody": "\n".join(story.paragraphs),
        }
        crumbs = {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": self.base_url},
                {"@type": "ListItem", "position": 2, "name": "News", "item": self.url("/news/")},
                {"@type": "ListItem", "position": 3, "name": self.title(story), "item": url},
            ],
        }
        blocks: list[str] = []
        also = self._also_read(story)
        for number, paragraph in enumerate(story.paragraphs, start=1):
            blocks.append(f"      <p>{esc(paragraph)}</p>")
            if number in (2, 4) and number < len(story.paragraphs):
                ad = self.ADS[0 if number == 2 else 1]
                blocks.append(
                    f'      <div class="ad-slot" data-slot="inline-{number // 2}">'
                    f'<span class="ad-label">{self.AD_LABEL}</span>'
                    f'<div class="ad-creative"><p>{esc(ad)}</p></div></div>'
                )
            if number == 3 and also is not None:
                blocks.append(
                    '      <p class="also-read"><strong>Also Read:</strong> '
                    f'<a href="{esc(self.article_path(also))}">{esc(self.title(also))}</a></p>'
                )
        return render(
            "deccan_article.html",
            title=esc(self.title(story)),
            site_name=esc(self.name),
            description=esc(story.standfirst),
            canonical=esc(url),
            jsonld_article=self._json(article),
            jsonld_breadcrumbs=self._json(crumbs),
            jsonld_organization=self._json(self._organization()),
            epaper_url=esc(self.EPAPER),
            breaking_label=esc(self.BREAKING),
            section=esc(story.section),
            standfirst=esc(story.standfirst),
            credit=esc(CREDITS[story.agency]),
            published_iso=published,
            published_text=esc(self.date_text(story.published)),
            body="\n".join(blocks),
            disclaimer=esc(self.DISCLAIMER),
            follow_line=esc(self.FOLLOW),
            footer=esc(self.FOOTER),
        )

    def _page(self, path: str, title: str, content: str, head_links: str = "") -> str:
        return render(
            "deccan_page.html",
            title=esc(title),
            site_name=esc(self.name),
            canonical=esc(self.url(path)),
            head_links=head_links,
            jsonld_organization=self._json(self._organization()),
            epaper_url=esc(self.EPAPER),
            content=content,
            footer=esc(self.FOOTER),
        )

    def _card(self, story: Story) -> str:
        return (
            '  <article class="card">'
            f'<h2 class="card-title"><a href="{esc(self.article_path(story))}">'
            f"{esc(self.title(story))}</a></h2>"
            f'<p class="card-summary">{esc(story.standfirst)}</p>'
            f'<p class="card-meta"><span class="agency">{esc(CREDITS[story.agency])}</span> '
            f'&middot; <time datetime="{self.local(story.published).isoformat()}">'
            f"{esc(self.date_text(story.published))}</time></p></article>"
        )

    def pages(self, phase: int) -> list[list[Story]]:
        """The listing pages of a phase: PER_PAGE stories each, newest first."""
        stories = self.stories(phase)
        return [stories[i:i + self.PER_PAGE] for i in range(0, len(stories), self.PER_PAGE)]

    def _listing(self, page: int, pages: list[list[Story]]) -> str:
        count = len(pages)
        numbers = []
        for n in range(1, count + 1):
            if n == page:
                numbers.append(f'<span class="page-numbers current">{n}</span>')
            else:
                numbers.append(f'<a class="page-numbers" href="{self.listing_path(n)}">{n}</a>')
        head = []
        if page > 1:
            prev = self.listing_path(page - 1)
            numbers.insert(0, f'<a class="prev page-numbers" rel="prev" href="{prev}">'
                              "&laquo; Previous</a>")
            head.append(f'<link rel="prev" href="{esc(self.url(prev))}">')
        if page < count:
            nxt = self.listing_path(page + 1)
            numbers.append(f'<a class="next page-numbers" rel="next" href="{nxt}">Next &raquo;</a>')
            head.append(f'<link rel="next" href="{esc(self.url(nxt))}">')
        cards = "\n".join(self._card(s) for s in pages[page - 1])
        content = (
            f'  <section class="cards">\n{cards}\n  </section>\n'
            f'  <nav class="pagination">{" ".join(numbers)}</nav>\n'
            '  <aside class="sidebar"><h3>From the Ledger</h3><ul>'
            '<li><a href="/about/">About the Ledger</a></li>'
            '<li><a href="/contact/">Write to the editor</a></li>'
            f'<li><a href="{esc(self.PARTNER)}" rel="sponsored">Harbour Markets Weekly</a></li>'
            "</ul></aside>"
        )
        title = "Latest News" + (f" - Page {page}" if page > 1 else "")
        return self._page(self.listing_path(page), title, content, "\n".join(head))

    def indexes(self, phase: int) -> dict[str, Document]:
        pages = self.pages(phase)
        docs: dict[str, Document] = {}
        for number, stories in enumerate(pages, start=1):
            newest = max(s.published for s in stories)
            docs[self.listing_path(number)] = Document.make(
                self._listing(number, pages), HTML, newest)
        top = "\n".join(self._card(s) for s in pages[0]) if pages else ""
        home = self._page("/", self.name, f'  <section class="cards">\n{top}\n  </section>\n'
                          '  <p><a href="/news/">More news</a></p>')
        docs["/"] = Document.make(home, HTML, self.newest(phase))
        return docs

    def static(self) -> dict[str, Document]:
        about = self._page("/about/", "About Us",
                           "  <p>The Deccan Daily Ledger brings you national and world news from "
                           "trusted agencies, around the clock.</p>")
        contact = self._page("/contact/", "Contact",
                             "  <p>Write to the news desk at desk@ledger.example.net.</p>")
        return {
            "/robots.txt": self.robots(["User-agent: *", "Disallow: /search/",
                                        "Disallow: /amp/preview/"]),
            "/about/": Document.make(about, HTML, SITE_EPOCH),
            "/contact/": Document.make(contact, HTML, SITE_EPOCH),
            "/assets/ledger.css": Document.make(STYLESHEET, CSS, SITE_EPOCH),
            "/assets/logo.png": Document.make(PIXEL_GIF, GIF, SITE_EPOCH),
        }

    def boilerplate(self, phase: int) -> tuple[str, ...]:
        lines = [self.AD_LABEL, *self.ADS, self.BREAKING, self.DISCLAIMER, self.FOLLOW,
                 self.FOOTER]
        for story in self.stories(phase):
            also = self._also_read(story)
            if also is not None:
                lines.append(f"Also Read: {self.title(also)}")
        return tuple(dict.fromkeys(lines))

    def discovery_urls(self) -> dict[str, list[str]]:
        return {"start_urls": [self.url("/news/")]}

    def config_extra(self) -> dict[str, int]:
        return {"max_depth": 6}


# ---------------------------------------------------------------------------------------------
# Xinhua Wire: the agency's own site with original datelined copy, discovered through Atom
# ---------------------------------------------------------------------------------------------


class XinhuaWire(DemoSite):
    key = "xinhua"
    name = "Xinhua Wire"
    tz = timezone(timedelta(hours=8))
    discovery = "atom"
    article_pattern = r"/english/\d{8}/[0-9a-f]{12}/c\.html$"
    traits = ("agency site: original copy with 'CITY, June 2 (Xinhua) --' datelines, time shown "
              "without offset (offset only in meta and feed), photo caption inside the body, "
              "editor line, no standfirst on the page")

    FEED_PATH = "/english/feeds/latest.atom"
    EDITOR = "[Editor: Zhang Wei]"
    SHARE = "Share: WeChat | Weibo | Facebook | X"
    FOOTER = "Copyright © 2000-2025 Xinhua Wire. All rights reserved."

    def _folder(self, story: Story) -> str:
        day = self.local(story.published).strftime("%Y%m%d")
        return f"/english/{day}/{short_hash(story.key)}/"

    def article_path(self, story: Story) -> str:
        return self._folder(story) + "c.html"

    def photo_path(self, story: Story) -> str:
        return self._folder(story) + "photo_1.gif"

    def render_article(self, story: Story) -> str:
        photo = ""
        if story.photo_caption:
            photo = (f'    <p class="photo"><img src="{esc(self.photo_path(story))}" alt=""></p>\n'
                     f'    <p class="photo-caption">{esc(story.photo_caption)}</p>')
        return render(
            "xinhua_article.html",
            title=esc(self.title(story)),
            site_name=esc(self.name),
            keywords=esc(story.section),
            description=esc(story.standfirst),
            published_iso=self.local(story.published).isoformat(),
            credit=esc(CREDITS[story.agency]),
            canonical=esc(self.article_url(story)),
            feed_url=esc(self.url(self.FEED_PATH)),
            published_text=self.local(story.published).strftime("%Y-%m-%d %H:%M:%S"),
            photo=photo,
            paragraphs=paragraphs_html(story.paragraphs, "    "),
            editor_line=esc(self.EDITOR),
            share_line=esc(self.SHARE),
            footer=esc(self.FOOTER),
        )

    def _page(self, path: str, title: str, content: str) -> str:
        return render(
            "xinhua_page.html",
            title=esc(title),
            site_name=esc(self.name),
            canonical=esc(self.url(path)),
            feed_url=esc(self.url(self.FEED_PATH)),
            content=content,
            footer=esc(self.FOOTER),
        )

    def _feed(self, phase: int) -> str:
        updated = self.local(self.newest(phase)).isoformat()
        entries = "".join(
            "  <entry>\n"
            f"    <title>{esc(self.title(s))}</title>\n"
            '    <link rel="alternate" type="text/html" '
            f'href="{esc(self.article_url(s))}"/>\n'
            f"    <id>tag:xinhua-wire.example,2025:{short_hash(s.key)}</id>\n"
            f"    <published>{self.local(s.published).isoformat()}</published>\n"
            f"    <updated>{self.local(s.published).isoformat()}</updated>\n"
            f"    <author><name>{esc(CREDITS[s.agency])}</name></author>\n"
            f"    <category term=\"{esc(s.section)}\"/>\n"
            f"    <summary>{esc(s.standfirst)}</summary>\n"
            "  </entry>\n"
            for s in self.stories(phase)
        )
        return xml_doc(
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
            f"  <title>{esc(self.name)} - Latest</title>\n"
            "  <id>tag:xinhua-wire.example,2025:latest</id>\n"
            '  <link rel="self" type="application/atom+xml" '
            f'href="{esc(self.url(self.FEED_PATH))}"/>\n'
            '  <link rel="alternate" type="text/html" '
            f'href="{esc(self.url("/english/"))}"/>\n'
            f"  <updated>{updated}</updated>\n"
            + entries + "</feed>\n"
        )

    def indexes(self, phase: int) -> dict[str, Document]:
        newest = self.newest(phase)
        items = "\n".join(
            f'    <li><a href="{esc(self.article_path(s))}">{esc(self.title(s))}</a> '
            f"<span class=\"time\">{self.local(s.published):%Y-%m-%d %H:%M}</span></li>"
            for s in self.stories(phase)
        )
        home = self._page("/english/", "Latest", f'  <ul class="list">\n{items}\n  </ul>')
        docs = {
            "/english/": Document.make(home, HTML, newest),
            self.FEED_PATH: Document.make(self._feed(phase), ATOM, newest),
        }
        for story in self.stories(phase):
            if story.photo_caption:
                docs[self.photo_path(story)] = Document.make(PIXEL_GIF, GIF, story.published)
        return docs

    def static(self) -> dict[str, Document]:
        root = self._page("/", self.name, '  <p><a href="/english/">English edition</a></p>')
        about = self._page("/english/about/", "About",
                           "  <p>Xinhua Wire carries the agency's English-language reports.</p>")
        return {
            "/robots.txt": self.robots(["User-agent: *", "Disallow: /english/search/"]),
            "/": Document.make(root, HTML, SITE_EPOCH),
            "/english/about/": Document.make(about, HTML, SITE_EPOCH),
            "/english/static/wire.css": Document.make(STYLESHEET, CSS, SITE_EPOCH),
        }

    def boilerplate(self, phase: int) -> tuple[str, ...]:
        lines = [self.EDITOR, self.SHARE, self.FOOTER]
        lines += [s.photo_caption for s in self.stories(phase) if s.photo_caption]
        return tuple(lines)

    def discovery_urls(self) -> dict[str, list[str]]:
        return {"feeds": [self.url(self.FEED_PATH)]}


SITE_CLASSES: tuple[type[DemoSite], ...] = (NevaStar, RiversideChronicle, DeccanLedger, XinhuaWire)
