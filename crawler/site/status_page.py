"""The status page: for the site's owner, is every source still yielding articles?

It shows what `crawler.status.source_health` found in the run history: each source's last run,
its last successful run, its yield over the recent runs as a small bar chart (inline SVG, so no
script and no inline style is needed), and a warning when it fails, is blocked or stopped yielding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.site import paths
from crawler.site.render import Page
from crawler.site.views import SiteView
from crawler.status import SourceHealth

BAR_WIDTH = 6  # user units of the chart's viewBox per run
CHART_HEIGHT = 24


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    height: int
    articles: int


@dataclass(frozen=True, slots=True)
class SourceStatus:
    health: SourceHealth
    bars: tuple[Bar, ...]
    total: int

    @property
    def chart_width(self) -> int:
        return max(len(self.bars), 1) * BAR_WIDTH


def _bars(yields: Sequence[int]) -> tuple[Bar, ...]:
    """One bar per run, scaled to the busiest run; a run with no article still gets a sliver."""
    top = max(yields, default=0) or 1
    bars = []
    for i, articles in enumerate(yields):
        height = max(1, round(articles * (CHART_HEIGHT - 1) / top)) if articles else 1
        bars.append(Bar(x=i * BAR_WIDTH, y=CHART_HEIGHT - height, height=height, articles=articles))
    return tuple(bars)


def status_page(site: SiteView, health: Sequence[SourceHealth]) -> Page:
    """The page, sources needing attention first, then by name."""
    ordered = sorted(health, key=lambda h: (h.warning is None, h.name.casefold()))
    sources = tuple(SourceStatus(h, _bars(h.yields), sum(h.yields)) for h in ordered)
    warnings = sum(1 for h in health if h.warning)
    summary = (
        f"{warnings} of {len(health)} sources need attention."
        if warnings
        else f"All {len(health)} sources are yielding."
    )
    return Page(
        path=paths.STATUS,
        template="status.html",
        heading="Source status",
        title=f"Source status · {site.title}",
        description=f"How each source of {site.title} fared in the recent runs. {summary}",
        context={"sources": sources, "summary": summary, "chart_height": CHART_HEIGHT,
                 "bar_width": BAR_WIDTH},
        indexed=False,
    )
