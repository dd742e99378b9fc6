"""A local OpenAI-compatible chat-completions server that can answer well or misbehave.

Tests start it on a free port (`FakeLLMServer().start()`), point `LLM_BASE_URL` at
`server.url` and pick a behaviour with `set_mode()` or `script()` (one mode per
coming request, then the default). Other processes steer it over HTTP:

    POST /_control          {"mode": "...", "script": [...], "retryAfter": 2, "delayS": 5,
                             "hangS": 30, "requireKey": "sk-..."}
    POST /_control/release  let requests held by the "hold" mode answer
    POST /_control/reset    back to "good" with default options, counters cleared
    GET  /_control/stats    {"requests": n, "served": [mode, ...]}

Standalone, for shell scripts: `python -m tests.fakes.llm_server --port P --mode fail500`
prints its base URL and serves until interrupted.

Modes: good, think (a <think> block, a code fence and a `reasoning` field), fail500,
rate_limit (429 with Retry-After), hang (no answer for hangS), slow (answers after
delayS), hold (answers after /release), junk (prose, no JSON), garbage (a body that
is not JSON), invented (every sentence has invented numbers), invented_some (one
does), unauthorized (401), error200 (a 200 carrying an error), empty, obey_injection
(answers "HACKED" when the facts say "ignore previous instructions", and "PWNED" when the
goal says "ignore the data").
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.llm_answers import answer_for

MODES = [
    "good",
    "think",
    "fail500",
    "rate_limit",
    "hang",
    "slow",
    "hold",
    "junk",
    "garbage",
    "invented",
    "invented_some",
    "unauthorized",
    "error200",
    "empty",
    "obey_injection",
]

DEFAULT_OPTIONS: dict[str, Any] = {"retryAfter": 1, "delayS": 2.0, "hangS": 30.0, "requireKey": None}


class FakeLLMServer:
    """The server and its steerable behaviour; thread-safe."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._released = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self.served: list[str] = []
        self.mode = "good"
        self.queue: list[str] = []
        self.options: dict[str, Any] = dict(DEFAULT_OPTIONS)
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to use as LLM_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeLLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def set_mode(self, mode: str, **options: Any) -> None:
        """The behaviour for every request from now on (after any scripted ones)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            self.mode = mode
            self.options.update(options)

    def script(self, *modes: str) -> None:
        """One mode for each of the next requests, in order; then the default mode."""
        unknown = [m for m in modes if m not in MODES]
        if unknown:
            raise ValueError(f"unknown modes {unknown}")
        with self._lock:
            self.queue = list(modes)

    def release(self) -> None:
        """Let requests held by the "hold" mode answer (good answers)."""
        self._released.set()

    def reset(self) -> None:
        with self._lock:
            self.mode, self.queue = "good", []
            self.options = dict(DEFAULT_OPTIONS)
            self.requests.clear()
            self.served.clear()
            self._released.clear()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def wait_for_requests(self, n: int, timeout_s: float = 10.0) -> bool:
        """Poll until `n` requests have arrived or the deadline passes."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.count >= n:
                return True
            time.sleep(0.01)
        return self.count >= n

    def control(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The HTTP control API, also callable in-process."""
        if path == "/_control/release":
            self.release()
        elif path == "/_control/reset":
            self.reset()
        elif path == "/_control":
            opts = {k: payload[k] for k in ("retryAfter", "delayS", "hangS", "requireKey") if k in payload}
            self.set_mode(payload.get("mode", self.mode), **opts)
            if "script" in payload:
                self.script(*payload["script"])
        with self._lock:
            return {"requests": len(self.requests), "served": list(self.served), "mode": self.mode}

    def take(self, record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Log a request and choose the mode that serves it."""
        with self._lock:
            self.requests.append(record)
            mode = self.queue.pop(0) if self.queue else self.mode
            key = self.options.get("requireKey")
            if key and record["headers"].get("authorization") != f"Bearer {key}":
                mode = "unauthorized"
            self.served.append(mode)
            return mode, dict(self.options)

    def pause(self, mode: str, options: dict[str, Any]) -> None:
        """The waiting part of hang, slow and hold (ends early when the server stops)."""
        if mode == "hang":
            self._stop.wait(float(options["hangS"]))
        elif mode == "slow":
            self._stop.wait(float(options["delayS"]))
        elif mode == "hold":
            self._released.wait(float(options["hangS"]))


def _handler_for(fake: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _json(self) -> Any:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                return json.loads(raw or b"{}")
            except ValueError:
                return None

        def do_GET(self) -> None:
            if self.path.startswith("/_control"):
                self._send(200, json.dumps(fake.control(self.path, {})).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            payload = self._json()
            if self.path.startswith("/_control"):
                self._send(200, json.dumps(fake.control(self.path, payload or {})).encode())
                return
            if not self.path.endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            mode, options = fake.take({"path": self.path, "headers": headers, "body": payload})
            fake.pause(mode, options)
            status, body, extra = answer_for(mode, payload if isinstance(payload, dict) else {}, options)
            self._send(status, body, extra)

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Serve standalone until SIGINT/SIGTERM; prints the base URL first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", default="good", choices=MODES)
    parser.add_argument("--retry-after", type=float, default=1)
    parser.add_argument("--delay", type=float, default=2.0, help="seconds for the slow mode")
    parser.add_argument("--require-key", default=None, help="answer 401 unless this key is sent")
    args = parser.parse_args(argv)
    server = FakeLLMServer(args.host, args.port)
    server.set_mode(args.mode, retryAfter=args.retry_after, delayS=args.delay, requireKey=args.require_key)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    server.start()
    print(server.url, flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
