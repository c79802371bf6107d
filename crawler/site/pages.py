"""Which HTML pages the site has and what each shows: the gathering phase before rendering.

Deciding every page up front (paths, titles, descriptions, data) lets the sitemap list exactly the
pages that are written, and keeps templates free of decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.site import paths
from crawler.site.dates import human_day
from crawler.site.render import Page
from crawler.site.text import excerpt
from crawler.site.views import SiteView, StoryView, group_by_day, newest_first, source_views

HOME_STORIES = 100  # the rest is one click away, in the archive by day


def _title(heading: str, site: SiteView) -> str:
    return f"{heading} · {site.title}"


def plan_pages(site: SiteView, views: Sequence[StoryView]) -> list[Page]:
    """Every HTML page of the site, home first, in a fixed order."""
    ordered = newest_first(views)
    days = group_by_day(ordered)
    sources = source_views(ordered)
    source_paths = {source.name: source.path for source in sources}
    newest = ordered[0].date if ordered else None

    pages = [
        Page(
            path=paths.HOME,
            template="index.html",
            heading="Latest stories",
            title=site.title,
            description=site.description or site.title,
            context={
                "days": group_by_day(ordered[:HOME_STORIES]),
                "more": len(ordered) > HOME_STORIES,
                "total": len(ordered),
            },
            lastmod=newest,
        )
    ]
    for story in ordered:
        pages.append(
            Page(
                path=story.path,
                template="story.html",
                heading=story.title,
                title=_title(story.title, site),
                description=excerpt(story.summary, 160),
                context={"story": story, "source_paths": source_paths},
                og_type="article",
                published=story.date,
                lastmod=story.date,
            )
        )
    pages.append(
        Page(
            path=paths.ARCHIVE,
            template="archive.html",
            heading="Archive",
            title=_title("Archive", site),
            description=f"Every day of {site.title}, newest first.",
            context={"days": days},
            lastmod=newest,
        )
    )
    for day in days:
        heading = human_day(day.day)
        pages.append(
            Page(
                path=day.path,
                template="day.html",
                heading=heading,
                title=_title(heading, site),
                description=f"Stories of {heading} (UTC) on {site.title}.",
                context={"day": day},
                lastmod=day.stories[0].date,
            )
        )
    pages.append(
        Page(
            path=paths.SOURCES_INDEX,
            template="sources.html",
            heading="Sources",
            title=_title("Sources", site),
            description=f"The sites whose copies {site.title} gathered, with their stories.",
            context={"sources": sources},
            lastmod=newest,
        )
    )
    for source in sources:
        pages.append(
            Page(
                path=source.path,
                template="source.html",
                heading=source.name,
                title=_title(source.name, site),
                description=f"Stories carried by {source.name}, each once, on {site.title}.",
                context={"source": source, "days": group_by_day(source.stories)},
                lastmod=source.stories[0].date,
            )
        )
    pages.append(
        Page(
            path=paths.NOT_FOUND,
            template="404.html",
            heading="Page not found",
            title=_title("Page not found", site),
            description="There is no page at this address.",
            host_relative=True,
            indexed=False,
        )
    )
    return pages
