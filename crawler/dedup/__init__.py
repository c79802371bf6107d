"""Deduplication: which page a URL is, and which story an article text is a copy of.

- `crawler.dedup.urls.canonical_url`: a page's identity, whatever URL it was reached by.
- `crawler.dedup.ids.new_story_id`: the stable id of a story, from its first copy's URL.
- `crawler.dedup.index.StoryIndex`: assigns article texts to stories (exact, near-duplicate and
  excerpt copies), in memory; thresholds and the measurements behind them in THRESHOLDS.md.

Pure logic: no Scrapy, no storage, no network. Nothing is imported here, so a caller that needs
only URLs does not load numpy and datasketch.
"""
