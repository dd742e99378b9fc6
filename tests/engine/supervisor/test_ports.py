"""`PORT=6000 make run`: the UIs follow PORT (and every port variable) unless API_URL was set on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.config import Settings
from engine.supervisor.processes import Supervisor
from tests.support.stack import REPO

PORT_VARIABLES = (
    "PORT",
    "HOST",
    "API_URL",
    "STREAMLIT_PORT",
    "GRADIO_PORT",
    "EMBEDDED_REDIS_PORT",
    "REDIS_URL",
)


@pytest.fixture
def fresh_clone_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory whose .env is a copy of .env.example, as `make run` makes it."""
    shutil.copy(REPO / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    for name in PORT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path / ".env"


def _ui_env() -> dict[str, str]:
    return Supervisor(Settings(), with_ui=True)._ui_env()


@pytest.mark.usefixtures("fresh_clone_env")
def test_the_uis_follow_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "6000")
    monkeypatch.setenv("STREAMLIT_PORT", "8600")
    monkeypatch.setenv("GRADIO_PORT", "7900")
    env = _ui_env()
    assert env["API_URL"] == "http://127.0.0.1:6000"
    assert (env["STREAMLIT_PORT"], env["GRADIO_PORT"]) == ("8600", "7900")


def test_the_uis_follow_port_from_dot_env(fresh_clone_env: Path) -> None:
    fresh_clone_env.write_text(fresh_clone_env.read_text().replace("PORT=5328", "PORT=6001"))
    assert _ui_env()["API_URL"] == "http://127.0.0.1:6001"


def test_an_old_dot_env_with_the_shipped_api_url_line_follows_port_too(
    fresh_clone_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """.env files copied from an older .env.example pin API_URL=http://127.0.0.1:5328."""
    fresh_clone_env.write_text(fresh_clone_env.read_text() + "\nAPI_URL=http://127.0.0.1:5328\n")
    monkeypatch.setenv("PORT", "6002")
    assert _ui_env()["API_URL"] == "http://127.0.0.1:6002"


@pytest.mark.usefixtures("fresh_clone_env")
def test_an_api_url_set_on_purpose_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "6000")
    monkeypatch.setenv("API_URL", "http://api.internal:9000")
    assert _ui_env()["API_URL"] == "http://api.internal:9000"


def test_an_api_url_written_in_dot_env_on_purpose_wins(fresh_clone_env: Path) -> None:
    fresh_clone_env.write_text(fresh_clone_env.read_text() + "\nAPI_URL=http://10.1.2.3:5328\nPORT=6000\n")
    assert _ui_env()["API_URL"] == "http://10.1.2.3:5328"
