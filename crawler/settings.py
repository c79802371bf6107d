"""Scrapy settings: the polite defaults. Values that come from sources.toml are set per run by
`crawler.crawl.settings_for` on top of these. Scrapy's default is noted beside each changed value.
"""

BOT_NAME = "syndigest"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True  # default False
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

CONCURRENT_REQUESTS = 16  # default 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # default 8
# default 100: the item workers Scrapy starts for every response; an article page yields one
# item, and starting a hundred asyncio tasks per page cost more than the page's own handling.
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 1.0  # default 0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True  # default False
AUTOTHROTTLE_START_DELAY = 1.0  # default 5
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30  # default 180
DOWNLOAD_MAXSIZE = 5_000_000  # default 1 GiB
DOWNLOAD_WARNSIZE = 2_000_000  # default 32 MiB
REDIRECT_MAX_TIMES = 5  # default 20

RETRY_ENABLED = True
RETRY_TIMES = 3  # default 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

COOKIES_ENABLED = False  # default True: news sites need none, and cookies make tracking easy
TELNETCONSOLE_ENABLED = False  # default True
# default True: a localhost server that runs Python sent to it, its token in a file in $HOME
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"  # default DEBUG
LOGSTATS_INTERVAL = 30.0  # default 60

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.DotSegmentsMiddleware": 40,  # before robots.txt (100)
    "crawler.middlewares.SourceHostsMiddleware": 50,
    "crawler.conditional.ConditionalRequestsMiddleware": 560,
}
ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 50,
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.clean.CleanPipeline": 200,
    "crawler.pipelines.dedup.DedupPipeline": 300,
    "crawler.pipelines.store.StorePipeline": 400,
}
# Processes extracting articles beside Scrapy's own (crawler.pipelines.extract); None: one per
# core but the one Scrapy runs on (at least one); 0: extract on Scrapy's thread.
EXTRACT_WORKERS = None
EXTENSIONS = {
    "crawler.report.CrawlReport": 500,
    "crawler.politeness.RobotsCrawlDelay": 510,
}
