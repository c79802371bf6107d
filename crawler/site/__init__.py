"""The static site build: stories from the store in, HTML pages, feeds and a sitemap out.

Never imports Scrapy: a build runs apart from any crawl. Entry point: `build_site`.
"""

from crawler.site.build import BuildResult, build_site, default_templates_dir
from crawler.site.writer import WriteError

__all__ = ["BuildResult", "WriteError", "build_site", "default_templates_dir"]
