"""An HTTP proxy in front of the moto server that can make S3 misbehave.

Tests point S3_ENDPOINT_URL at `proxy.url`; every request goes on to moto
unchanged unless a rule says otherwise. Rules match the method and a piece of
the path (query included) and apply to the next `times` matching requests:

    proxy.fail(times=2, status=500, code="InternalError")   # 500s
    proxy.fail(times=1, status=503, code="SlowDown")        # throttling
    proxy.delay(times=1, seconds=3.0)                        # a slow answer (then it goes on)
    proxy.fail(method="PUT", path="partNumber=2", times=1)   # one part of a multipart upload

`proxy.requests` lists (method, path, what happened) for every request seen.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te"}


@dataclass
class _Rule:
    kind: str  # "fail" or "delay"
    method: str | None
    path: str | None
    times: int
    status: int = 500
    code: str = "InternalError"
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or self.path in path)
        )


class S3FaultProxy:
    """A threaded proxy to `upstream` (http://host:port); start() and stop() it."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.rules: list[_Rule] = []
        self.requests: list[tuple[str, str, str]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="s3-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> S3FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- steering --------------------------------------------------------------
    def fail(
        self,
        *,
        times: int = 1,
        status: int = 500,
        code: str = "InternalError",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        with self._lock:
            self.rules.append(_Rule("fail", method, path, times, status=status, code=code))

    def delay(
        self, *, seconds: float, times: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        with self._lock:
            self.rules.append(_Rule("delay", method, path, times, seconds=seconds))

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()
            self.requests.clear()

    def seen(self, method: str | None = None, path: str | None = None) -> list[tuple[str, str, str]]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r[0] == method) and (path is None or path in r[1])
            ]

    def _take_rule(self, method: str, path: str) -> _Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.times -= 1
                    return rule
        return None

    def _record(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self.requests.append((method, path, outcome))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: S3FaultProxy

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _handle(self) -> None:
        method, path = self.command, self.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rule = self.proxy._take_rule(method, path)
        if rule is not None and rule.kind == "fail":
            self.proxy._record(method, path, f"fail {rule.status}")
            self._error(rule.status, rule.code)
            return
        if rule is not None and rule.kind == "delay":
            self.proxy._record(method, path, f"delay {rule.seconds:g}s")
            if self.proxy._stopping.wait(rule.seconds):
                return
        else:
            self.proxy._record(method, path, "pass")
        self._forward(method, path, body)

    def _error(self, status: int, code: str) -> None:
        payload = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>injected by the test proxy</Message></Error>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _forward(self, method: str, path: str, body: bytes) -> None:
        upstream = http.client.HTTPConnection(self.proxy.upstream_host, self.proxy.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream.request(method, path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            length = answer.getheader("Content-Length") if method == "HEAD" else None
            self.send_header("Content-Length", length or str(len(payload)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (a timeout it was meant to hit)
        finally:
            upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


def _handler_for(proxy: S3FaultProxy) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"proxy": proxy})
