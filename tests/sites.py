"""Tiny fixture web sites on loopback: each on its own 127.x address, with a request log."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Reply = tuple[int, dict[str, str], bytes]
Route = Reply | Callable[["FixtureSite", http.server.BaseHTTPRequestHandler], Reply]


@dataclass
class FixtureSite:
    """Serves `routes` on `host` (looked up by path with query, then by path alone, as sites
    ignore tracking parameters); unknown paths go to `fallback`, or are 404 without one."""

    host: str
    routes: dict[str, Route] = field(default_factory=dict)
    fallback: Route | None = None
    requests: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> FixtureSite:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                site.times.append(time.monotonic())
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                route = (site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                         or site.fallback)
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
                elif callable(route):
                    status, headers, body = route(site, self)
                else:
                    status, headers, body = route
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def html(body: str, status: int = 200, **headers: str) -> Reply:
    return status, {"Content-Type": "text/html; charset=utf-8", **headers}, body.encode("utf-8")


def xml(body: str) -> Reply:
    return 200, {"Content-Type": "application/xml"}, body.encode("utf-8")
