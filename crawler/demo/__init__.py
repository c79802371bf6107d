"""The bundled sample syndication network: fictional wire stories republished by four fake sites,
served over HTTP on loopback addresses, with the ground truth a crawl should recover.

    with DemoNetwork() as net:
        toml = net.config_text()
        ...                      # crawl it
        net.set_phase(2)         # one more story appears on several sites
        truth = net.expected_stories()
"""

from crawler.demo.network import DemoNetwork, ExpectedStory, RequestRecord, SiteInfo

__all__ = ["DemoNetwork", "ExpectedStory", "RequestRecord", "SiteInfo"]
