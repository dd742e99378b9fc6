"""Client settings from the environment."""

from __future__ import annotations

from client import ClientConfig, SightlineClient, load_config


def test_defaults_when_unset_or_blank() -> None:
    assert load_config({}) == ClientConfig()
    assert load_config({"API_URL": " ", "CLIENT_MAX_WAIT_SECONDS": ""}) == ClientConfig()


def test_reads_url_key_and_wait_budget() -> None:
    cfg = load_config({"API_URL": "http://api:1/", "SIGHTLINE_API_KEY": "k", "CLIENT_MAX_WAIT_SECONDS": "42"})
    assert cfg == ClientConfig(api_url="http://api:1", api_key="k", max_wait_s=42.0)
    client = SightlineClient.from_config(cfg)
    assert client.base_url == "http://api:1" and client.max_wait_s == 42.0
