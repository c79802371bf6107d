"""syndigest: syndicated wire news, crawled, cleaned, deduplicated and published as a static digest."""

__version__ = "0.1.0"
