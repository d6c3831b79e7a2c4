"""The web app's settings: safe defaults, and a bad value stops the program with its name."""

from __future__ import annotations

import pytest

from hocvuso.config import Settings, get_settings


def test_the_web_app_listens_on_this_machine_only_by_default() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8000)
    assert settings.web_forwarded_allow_ips == "127.0.0.1"  # no forwarded header from afar


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCVUSO_WEB_PORT", "9001")
    monkeypatch.setenv("HOCVUSO_WEB_RATE_LIMIT", "5")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.web_port, settings.web_rate_limit) == (9001, 5)


def test_a_port_out_of_range_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCVUSO_WEB_PORT", "70000")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="HOCVUSO_WEB_PORT"):
            get_settings()
    finally:
        get_settings.cache_clear()
