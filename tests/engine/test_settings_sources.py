"""How Settings read their sources: keyword arguments, the environment, `.env`, then defaults,
with pydantic's lax conversions; a `.env` or an environment that is refused names the value."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError as SettingsError

from engine.config import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MAX_COLUMNS", "JOB_TIMEOUT_SECONDS", "ALLOW_FILE_URLS", "LOG_FORMAT", "PORT"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_defaults_are_converted_like_any_value() -> None:
    s = Settings(_env_file=None)
    assert (s.job_timeout_s, type(s.job_timeout_s)) == (600.0, float)
    assert (s.max_columns, s.data_dir, s.redis_url) == (2000, Path("data"), None)


@pytest.mark.parametrize(
    ("name", "text", "field", "value"),
    [
        ("JOB_TIMEOUT_SECONDS", " 1e3 ", "job_timeout_s", 1000.0),
        ("MAX_COLUMNS", " 7 ", "max_columns", 7),
        ("MAX_COLUMNS", "5.0", "max_columns", 5),
        ("MAX_COLUMNS", "5_000", "max_columns", 5000),
        ("ALLOW_FILE_URLS", "yes", "allow_file_urls", True),
        ("ALLOW_FILE_URLS", "Off", "allow_file_urls", False),
        ("LOG_FORMAT", "json", "log_format", "json"),
        ("UPLOAD_DIR", "  ", "upload_dir", None),
        ("REDIS_URL", " redis://h:1/0 ", "redis_url", "redis://h:1/0"),
        ("BLOB_FAULT_FAILURES", " ALL ", "blob_fault_failures", "all"),
    ],
)
def test_text_converts_as_pydantic_did(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, field: str, value: object
) -> None:
    monkeypatch.setenv(name, text)
    assert getattr(Settings(_env_file=None), field) == value


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("MAX_COLUMNS", "5.5"),
        ("MAX_COLUMNS", "1e3"),
        ("MAX_COLUMNS", "0"),  # ge=1
        ("JOB_TIMEOUT_SECONDS", "0"),  # gt=0
        ("JOB_TIMEOUT_SECONDS", ""),
        ("ALLOW_FILE_URLS", " true"),
        ("LOG_FORMAT", "JSON"),
        ("STORAGE_URL", "http://bucket/x"),
        ("BLOB_FAULT_FAILURES", "some"),
    ],
)
def test_refused_values_name_their_variable(monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    monkeypatch.setenv(name, text)
    with pytest.raises(SettingsError, match=name):
        Settings(_env_file=None)
    assert issubclass(SettingsError, ValueError)


def test_sources_in_order_and_names_without_case(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('MAX_COLUMNS=11\nexport PORT=7000\nlog_format="json"\nUNKNOWN=1\n', encoding="utf-8")
    from_file = Settings(_env_file=env_file)
    assert (from_file.max_columns, from_file.port, from_file.log_format) == (11, 7000, "json")
    monkeypatch.setenv("max_columns", "12")
    assert Settings(_env_file=env_file).max_columns == 12  # the environment beats .env
    assert Settings(_env_file=env_file, MAX_COLUMNS=3).max_columns == 3  # kwargs beat both
    assert Settings(_env_file=env_file, max_columns=4).max_columns == 4  # by field name too
    assert Settings(_env_file=None).port == 5328  # no .env read


def test_the_first_of_several_names_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_API_KEY", "second")
    assert Settings(_env_file=None).llm_api_key == "second"
    monkeypatch.setenv("OPENROUTER_API_KEY", "first")
    assert Settings(_env_file=None).llm_api_key == "first"


def test_settings_are_frozen() -> None:
    s = Settings(_env_file=None)
    with pytest.raises(SettingsError):
        s.port = 1  # type: ignore[misc]
    assert s == Settings(_env_file=None) and hash(s) == hash(Settings(_env_file=None))
