"""Start every Sightline process, restart those that die, stop all on a signal.

Processes are started by command line (workers: `python -m engine worker`,
API: gunicorn on `api.wsgi:app`, UIs: streamlit and `python -m ui_gradio`), so
the engine imports neither the API nor a UI.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from engine.config import Settings
from engine.supervisor.valkey import EmbeddedValkey

log = logging.getLogger("sightline.supervisor")

REPO = Path(__file__).resolve().parents[2]
STOP_TIMEOUT_S = 15.0
MAX_RESTART_DELAY_S = 30.0
QUICK_DEATH_S = 10.0  # a process that dies younger than this counts towards a crash loop


@dataclass
class Child:
    """One supervised process and its restart bookkeeping."""

    name: str
    argv: list[str]
    restart: bool = True
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(self.argv, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        self.started_at = time.monotonic()
        log.info("Started %s (pid %d)", self.name, self.process.pid)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _restart_delay(child: Child, now: float) -> float:
    """Restart at once, unless the process keeps dying young (a crash loop): then back off."""
    if now - child.started_at >= QUICK_DEATH_S:
        child.restarts = 0
    quick_deaths = child.restarts
    return 0.0 if quick_deaths < 3 else min(2.0 ** (quick_deaths - 2), MAX_RESTART_DELAY_S)


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def build_children(settings: Settings, *, with_ui: bool) -> list[Child]:
    """The process list for `serve` (engine + API) or `run` (plus both UIs)."""
    children = [Child(f"worker-{i + 1}", _python("-m", "engine", "worker")) for i in range(settings.workers)]
    api = ["-m", "gunicorn", "-c", "python:api.gunicorn_conf", "api.wsgi:app"]
    children.append(Child("api", _python(*api)))
    if with_ui:
        streamlit = [
            "-m",
            "streamlit",
            "run",
            str(REPO / "ui_streamlit" / "app.py"),
            "--server.headless",
            "true",
        ]
        streamlit += ["--server.port", str(settings.streamlit_port), "--server.address", settings.host]
        streamlit += ["--browser.gatherUsageStats", "false"]
        children.append(Child("streamlit", _python(*streamlit)))
        children.append(Child("gradio", _python("-m", "ui_gradio")))
    return children


class Supervisor:
    """Runs the whole stack in the foreground until SIGINT/SIGTERM."""

    def __init__(self, settings: Settings, *, with_ui: bool) -> None:
        self.settings = settings
        self.with_ui = with_ui
        self.stop_event = threading.Event()
        self.valkey: EmbeddedValkey | None = None
        self.children = build_children(settings, with_ui=with_ui)

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        busy = self._busy_ports()
        if busy:
            print(f"Cannot start: {busy}. Stop what uses it, or choose another port.", file=sys.stderr)
            return 1
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        try:
            if not self.settings.redis_url:
                self.valkey = EmbeddedValkey(
                    self.settings.data_dir / "valkey", port=self.settings.embedded_redis_port
                )
                env["REDIS_URL"] = self.valkey.start()
                log.info("Started embedded Valkey at %s (AOF in %s)", env["REDIS_URL"], self.valkey.data_dir)
            env.update(self._ui_env())
            for child in self.children:
                child.start(env)
            self._announce()
            while not self.stop_event.wait(0.5):
                self._keep_alive(env)
        finally:
            self._stop_all()
        return 0

    def _ui_env(self) -> dict[str, str]:
        """The UIs read their few variables from the environment only (not .env): hand them over."""
        env = {
            "API_URL": self.settings.api_base_url,
            "STREAMLIT_PORT": str(self.settings.streamlit_port),
            "GRADIO_PORT": str(self.settings.gradio_port),
            "HOST": self.settings.host,
            "CLIENT_MAX_WAIT_SECONDS": f"{self.settings.client_max_wait_s:g}",
        }
        keys = self.settings.api_key_list
        if keys and not os.environ.get("SIGHTLINE_API_KEY"):
            env["SIGHTLINE_API_KEY"] = keys[0]  # the UIs of `make run` use the first key
        return env

    def _busy_ports(self) -> str:
        """Names the first port setting whose port is already taken, or ''."""
        ports = {"PORT": self.settings.port}
        if not self.settings.redis_url:
            ports["EMBEDDED_REDIS_PORT"] = self.settings.embedded_redis_port
        if self.with_ui:
            ports |= {
                "STREAMLIT_PORT": self.settings.streamlit_port,
                "GRADIO_PORT": self.settings.gradio_port,
            }
        for name, port in ports.items():
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((self.settings.host, port))
                except OSError:
                    return f"port {port} ({name}) is in use"
        return ""

    def _announce(self) -> None:
        lines = [f"Sightline API      http://{self.settings.host}:{self.settings.port}/api/health"]
        if self.with_ui:
            lines.append(f"Streamlit UI       http://{self.settings.host}:{self.settings.streamlit_port}")
            lines.append(f"Gradio UI          http://{self.settings.host}:{self.settings.gradio_port}")
        lines.append(f"Workers            {self.settings.workers}    (Ctrl-C stops everything)")
        print("\n".join(lines), flush=True)

    def _keep_alive(self, env: dict[str, str]) -> None:
        now = time.monotonic()
        if self.valkey is not None and not self.valkey.alive:
            log.warning("Embedded Valkey exited; restarting it (AOF restores the data)")
            try:
                self.valkey.start()
            except RuntimeError as exc:
                log.error("Could not restart Valkey: %s", exc)
        for child in self.children:
            if child.alive or child.process is None:
                continue
            if child.next_start == 0.0:
                code = child.process.returncode
                delay = _restart_delay(child, now)
                log.warning("%s exited with code %s; restarting in %.0f s", child.name, code, delay)
                child.next_start = now + delay
            if child.restart and now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                child.start(env)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("Received signal %d: stopping Sightline", signum)
        self.stop_event.set()

    def _stop_all(self) -> None:
        running = [c for c in reversed(self.children) if c.alive]
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", child.name)
                child.process.kill()
                child.process.wait()
        if self.valkey is not None:
            self.valkey.stop()
        log.info("Sightline stopped.")
