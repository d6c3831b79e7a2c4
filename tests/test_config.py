"""Settings that protect secrets (issue 11, items 1 and 12): the Bot API only over https (plain
http only on this machine), secrets masked wherever settings are shown, webhook secrets that
Telegram accepts and nobody guesses, and a wrong setting that stops hocvuso with its name and
without its value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from hocvuso.config import Settings, get_settings

TOKEN = "123456:AAH-secret-token-value"
DB_PASSWORD = "db-pa55word"
REDIS_PASSWORD = "redis-pa55word"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example.org",
        "http://10.0.0.5:8081",
        "http://192.168.1.1",
        "ftp://api.telegram.org",
        "api.telegram.org",
        "https://",
    ],
)
def test_the_bot_api_url_must_be_https_off_this_machine(url: str) -> None:
    with pytest.raises(ValidationError, match="HOCVUSO_TELEGRAM_API_URL must be an https"):
        settings(telegram_api_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.telegram.org/",
        "https://botapi.example.gov.vn:8443",
        "http://127.0.0.1:8081",
        "http://127.9.9.9:8081",
        "http://localhost:8081",
        "http://[::1]:8081",
    ],
)
def test_https_anywhere_and_plain_http_on_loopback_are_accepted(url: str) -> None:
    assert settings(telegram_api_url=url).telegram_api_url == url.rstrip("/")


def test_a_dotenv_file_cannot_send_the_token_over_plain_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("HOCVUSO_TELEGRAM_API_URL=http://bot-api.example.net\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOCVUSO_TELEGRAM_API_URL", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="HOCVUSO_TELEGRAM_API_URL must be an https"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_hocvuso_run_refuses_a_plain_http_api_and_says_why_without_the_token(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env |= {
        "HOCVUSO_TELEGRAM_TOKEN": TOKEN,
        "HOCVUSO_TELEGRAM_API_URL": "http://bot-api.example.net:8081",
        "HOCVUSO_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "hocvuso.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "HOCVUSO_TELEGRAM_API_URL must be an https" in done.stderr
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stderr + done.stdout
    assert not (tmp_path / "data").exists()  # stopped before it opened anything


def test_secrets_and_urls_with_passwords_are_masked_when_settings_are_shown() -> None:
    configured = settings(
        telegram_token=TOKEN,
        webhook_secret="w" * 32,
        database_url=f"postgresql://hocvuso:{DB_PASSWORD}@db.internal:5432/hocvuso",
        redis_url=f"redis://:{REDIS_PASSWORD}@cache.internal:6379/0",
    )
    shown = repr(configured) + str(configured) + configured.model_dump_json()
    for secret in (TOKEN, "w" * 32, DB_PASSWORD, REDIS_PASSWORD):
        assert secret not in shown
    # … and the code that connects still gets the real values.
    assert DB_PASSWORD in configured.resolved_database_url
    assert configured.resolved_database_url.startswith("postgresql+asyncpg://")
    assert configured.resolved_redis_url == f"redis://:{REDIS_PASSWORD}@cache.internal:6379/0"
    assert settings().resolved_redis_url is None


@pytest.mark.parametrize("secret", ["short", "has spaces in it, sixteen+", "é" * 20, "x" * 257])
def test_a_webhook_secret_must_be_long_and_of_the_characters_telegram_accepts(secret: str) -> None:
    with pytest.raises(ValidationError, match="HOCVUSO_WEBHOOK_SECRET must be 16-256"):
        settings(webhook_secret=secret)


@pytest.mark.parametrize("environment", ["development", "production"])
def test_webhook_mode_has_no_default_secret_in_any_environment(environment: str) -> None:
    configured = settings(
        environment=environment,
        webhook_url="https://bot.example.gov.vn",
        public_url="https://hocvuso.example.gov.vn",
    )
    with pytest.raises(SystemExit, match="Webhook mode needs HOCVUSO_WEBHOOK_SECRET"):
        configured.require_webhook_secret()
    secret = "s" * 24
    assert settings(webhook_secret=secret).require_webhook_secret() == secret
