"""A minimal follow-all Scrapy spider, the Scrapy peer of the crawl benchmarks (bench/crawl_docs.sh).

Run: scrapy runspider bench/scrapy_spider.py -a start=http://127.0.0.1:PORT/ -s SETTING=VALUE ...

Every <a>/<area> href on the start URL's host is followed (Scrapy's default LinkExtractor, which
skips links to images, archives and other binary extensions by file name); nothing is stored, no
item is produced: like wget it fetches and parses every page, unlike preheat it keeps nothing. The
settings (concurrency, robots, logging) are given on the command line by the benchmark so the
exact command is in its output; the spider itself has none.
"""
from urllib.parse import urlsplit

from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class FollowAll(CrawlSpider):
    name = "followall"
    rules = (Rule(LinkExtractor(), follow=True),)

    def __init__(self, start, *args, **kwargs):
        self.start_urls = [start]
        self.allowed_domains = [urlsplit(start).hostname]
        super().__init__(*args, **kwargs)
