"""Settings: the only place that reads the environment.

Every setting has the prefix ``HOCVUSO_`` and may also come from a ``.env`` file in the working
directory. Secrets (the Telegram token, the webhook secret, the database and Redis URLs, which
may hold passwords) are ``SecretStr``: their repr, str and logs show them masked; code that needs
the plain value asks for it (``resolved_database_url``, ``resolved_redis_url``, ...).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The pseudonyms' key outside production when none is set (a development deployment's LRS).
DEVELOPMENT_PSEUDONYM_KEY = b"hocvuso-development-xapi-pseudonyms"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
#: The token of the deployment's first (or only) bot; more bots name their own variables.
DEFAULT_TOKEN_ENV = "HOCVUSO_TELEGRAM_TOKEN"
SUPPORTED_LANGUAGES = ("vi", "en")
#: What Telegram accepts as a webhook's secret token: 1-256 of these characters.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: … and what hocvuso asks of it: long enough not to be guessed.
WEBHOOK_SECRET_MIN_LENGTH = 16
WEBHOOK_SECRET_MISSING = (
    "Webhook mode needs HOCVUSO_WEBHOOK_SECRET: without it anyone who finds the address can post "
    "updates in any person's name. Set it in the environment of every worker to the same random "
    "string of 16-256 letters, digits, '_' or '-', for example the output of "
    '`python -c "import secrets; print(secrets.token_urlsafe(32))"`.'
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOCVUSO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Field(default=Path("./data"), description="Where the SQLite file lives.")
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in the data directory."
    )
    redis_url: SecretStr | None = Field(default=None, description="Optional Redis for scale-out.")
    telegram_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    webhook_url: str | None = Field(default=None, description="Public HTTPS URL: webhook mode.")
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_path: str = "/telegram/webhook"
    timezone: str = "Asia/Ho_Chi_Minh"
    language: Literal["vi", "en"] = "vi"
    content_path: Path | None = Field(default=None, description="Pack directory; default shipped.")
    consent_version: str = "2026-12-02"
    reminder_hour: int = Field(default=19, ge=0, le=23)
    log_level: str = "INFO"
    rate_limit: int = Field(default=30, ge=1, description="Events per person per 10 seconds.")
    # --- scheduler: reminders, campaigns, broadcasts ---
    quiet_hours_start: int = Field(default=21, ge=0, le=23, description="No messages from (local).")
    quiet_hours_end: int = Field(default=7, ge=0, le=23, description="… until this hour (local).")
    reminder_max_per_day: int = Field(default=1, ge=0, description="Reminders per learner a day.")
    reminder_nudge_days: int = Field(
        default=2, ge=1, description="Nothing due: nudge every N days (daily in a campaign peak)."
    )
    broadcast_rate: float = Field(default=30.0, gt=0, description="Bot-wide messages/second.")
    per_chat_rate: float = Field(default=1.0, gt=0, description="Messages/second to one chat.")
    send_margin: float = Field(
        default=0.02,
        ge=0,
        le=0.5,
        description="Seconds added to each one-second window: a strict Bot API never sees more.",
    )
    interactive_debt: float = Field(
        default=1.0, ge=0, description="Interactive replies push bulk back by at most this (s)."
    )
    sender_ttl: float = Field(
        default=10.0,
        ge=1,
        le=60,
        description="Without Redis: one sender per bot, holding a lease renewed in the database.",
    )
    delivery_max_attempts: int = Field(default=5, ge=1, description="Then the dead letters.")
    delivery_lease: float = Field(
        default=30.0, ge=1, description="Seconds a sender holds claimed deliveries."
    )
    # --- organisers and mentors ---
    bot_username: str | None = Field(
        default=None, description="The bot's @name, for invite links t.me/<name>?start=…"
    )
    target_level: int = Field(default=1, ge=1, le=4, description="Reports: level to certify.")
    target_percent: int = Field(default=100, ge=1, le=100, description="Reports: % to certify.")
    target_deadline: date = Field(
        default=date(2026, 12, 31), description="Reports: when the target is due."
    )
    leader_ttl: float = Field(
        default=10.0, gt=0, le=20, description="Scheduler leadership lease (seconds)."
    )
    # --- retention (the table in docs/privacy.md; the sweep: hocvuso.delivery.retention) ---
    retention_text_hours: int = Field(
        default=24,
        ge=1,
        description="Texts of messages sent, blocked or skipped, and of announcements, are "
        "blanked this many hours after they were queued.",
    )
    retention_failed_text_days: int = Field(
        default=7,
        ge=1,
        description="Texts of dead or unknown messages (which an organiser may queue again) "
        "are blanked after this many days.",
    )
    retention_delivery_days: int = Field(
        default=90,
        ge=1,
        description="Finished messages, announcements and expired invitations are deleted "
        "after this many days.",
    )
    retention_update_hours: int = Field(
        default=48,
        ge=24,
        description="Updates already answered (their replies delivered) are forgotten after "
        "this many hours (Telegram redelivers an update for at most 24 hours).",
    )
    retention_unsent_update_days: int = Field(
        default=7,
        ge=1,
        description="Updates whose replies were never confirmed delivered: forgotten after "
        "this many days.",
    )
    mentor_code_days: int = Field(
        default=14, ge=1, le=365, description="A mentor's invite link for mentees expires after."
    )
    mentor_invites_open: int = Field(
        default=20, ge=1, le=500, description="Open personal mentor invitations per organiser."
    )
    mentor_capacity: int = Field(
        default=10, ge=1, le=500, description="Mentees a mentor may have (organisers' pairing)."
    )

    # --- certificates (docs/certificates.md) ---
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The deployment's public address: the issuer's id, check pages, QR codes.",
    )
    issuer_name: str = Field(default="hocvuso", min_length=1, max_length=200)
    credential_keys: SecretStr | None = Field(
        default=None, description="The signing key file's JSON itself (instead of the file)."
    )
    credential_key_file: Path | None = Field(
        default=None, description="Signing keys; default: credential-keys.json in the data dir."
    )

    # --- the public web app: certificate checks (docs/web.md) ---
    web_host: str = Field(default="127.0.0.1", description="`hocvuso web` listens here.")
    web_port: int = Field(default=8000, ge=1, le=65535)
    web_forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Reverse proxies trusted for X-Forwarded-For/-Proto (comma-separated "
        "addresses or networks, '*' for any): the client address the rate limit counts.",
    )
    web_rate_limit: int = Field(
        default=30, ge=1, description="Certificate checks per client address per minute."
    )
    web_upload_max_bytes: int = Field(
        default=2_000_000, ge=1_000, description="Largest credential file one may upload."
    )

    # --- xAPI statements to a Learning Record Store (docs/xapi.md) ---
    xapi_endpoint: str | None = Field(
        default=None,
        description="The LRS's xAPI base (…/xAPI); statements are written only when it is set.",
    )
    xapi_username: str | None = None
    xapi_password: SecretStr | None = None
    xapi_pseudonym_key: SecretStr | None = Field(
        default=None,
        description="Key of the HMAC that names a learner to the LRS (never a chat id); "
        "required in production when an endpoint is set.",
    )
    xapi_batch: int = Field(default=50, ge=1, le=1000, description="Statements per POST.")
    xapi_max_attempts: int = Field(default=10, ge=1, description="Then the dead letters.")
    xapi_timeout: float = Field(default=10.0, gt=0, description="Seconds per LRS request.")
    xapi_interval: int = Field(
        default=15, ge=1, le=3600, description="Seconds between the sender's sweeps."
    )
    xapi_lease: float = Field(
        default=60.0, ge=1, description="Seconds a sender holds the statements it claimed."
    )
    retention_xapi_days: int = Field(
        default=30, ge=1, description="Statements the LRS accepted are deleted after this."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _https_api(cls, value: str) -> str:
        """The token travels in the URL path of every Bot API call: only over https, except to
        a Bot API server on this machine (a local ``telegram-bot-api``, the tests' fake)."""
        value = value.rstrip("/")
        url = urlsplit(value)
        if url.scheme == "https" and url.hostname:
            return value
        if url.scheme == "http" and _loopback(url.hostname):
            return value
        raise ValueError(
            "HOCVUSO_TELEGRAM_API_URL must be an https:// address (plain http only to this "
            "machine: localhost, 127.0.0.0/8, ::1): the bot token travels in its path"
        )

    @field_validator("xapi_endpoint")
    @classmethod
    def _https_lrs(cls, value: str | None) -> str | None:
        """Statements and the LRS password travel to this address: https, except to an LRS on
        this machine."""
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        url = urlsplit(value)
        if url.query or url.fragment or url.username or url.password:
            raise ValueError(
                "HOCVUSO_XAPI_ENDPOINT must be the LRS's xAPI address without credentials, "
                "query or fragment (the user and password have their own settings)"
            )
        if url.scheme == "https" and url.hostname:
            return value
        if url.scheme == "http" and _loopback(url.hostname):
            return value
        raise ValueError(
            "HOCVUSO_XAPI_ENDPOINT must be an https:// address (plain http only to this "
            "machine: localhost, 127.0.0.0/8, ::1): the LRS password travels with every request"
        )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        url = urlsplit(value)
        if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
            raise ValueError(
                "HOCVUSO_PUBLIC_URL must be the deployment's address, like https://hocvuso.example.vn"
            )
        return value

    @model_validator(mode="after")
    def _https_in_production(self) -> Settings:
        """Certificates name the deployment's address forever: in production it is https."""
        if self.environment == "production" and not self.public_url.startswith("https://"):
            raise ValueError("HOCVUSO_PUBLIC_URL must be an https:// address in production")
        if (
            self.environment == "production"
            and self.xapi_endpoint
            and self.xapi_pseudonym_key is None
        ):
            raise ValueError(
                "HOCVUSO_XAPI_PSEUDONYM_KEY must be set in production when HOCVUSO_XAPI_ENDPOINT "
                "is: it keeps the names the LRS sees from being linked back to anyone"
            )
        return self

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not WEBHOOK_SECRET_PATTERN.match(secret) or len(secret) < WEBHOOK_SECRET_MIN_LENGTH:
            raise ValueError(
                f"HOCVUSO_WEBHOOK_SECRET must be {WEBHOOK_SECRET_MIN_LENGTH}-256 letters, "
                "digits, '_' or '-' (what Telegram accepts as a secret token)"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL, with the driver filled in (password included)."""
        plain = self.database_url.get_secret_value() if self.database_url else None
        url = plain or f"sqlite:///{(self.data_dir / 'hocvuso.sqlite3').resolve()}"
        return async_database_url(url)

    @property
    def resolved_redis_url(self) -> str | None:
        """The Redis URL (password included), or None without Redis."""
        if self.redis_url is None:
            return None
        return self.redis_url.get_secret_value() or None

    def require_webhook_secret(self) -> str:
        """The webhook secret, or a stop saying how to set one: webhook mode never starts
        without it, in any environment."""
        if self.webhook_secret is None:
            raise SystemExit(WEBHOOK_SECRET_MISSING)
        return self.webhook_secret.get_secret_value()

    @property
    def xapi_key(self) -> bytes:
        """The pseudonyms' HMAC key (a fixed one in development only: production requires it)."""
        if self.xapi_pseudonym_key is not None:
            return self.xapi_pseudonym_key.get_secret_value().encode()
        return DEVELOPMENT_PSEUDONYM_KEY

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def async_database_url(url: str) -> str:
    """Map a plain database URL to the asyncio driver hocvuso uses for it."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url.removeprefix("sqlite:")
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def environment_secret(name: str, environ: Mapping[str, str] | None = None) -> SecretStr | None:
    """A secret named by the configuration (a bot's token variable, ``hocvuso bots add``):
    read from the environment only, never from a file or the database."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return SecretStr(value) if value else None


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    """The settings; a bad one stops the program with the variable named and what is wrong
    (never its value: it may be a secret)."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"]:
                name = "HOCVUSO_" + "_".join(str(part) for part in error["loc"]).upper()
                message = f"{name}: {message}"
            lines.append(f"  {message}")
        message = "hocvuso cannot start, the configuration is wrong:\n" + "\n".join(lines)
        raise SystemExit(message) from None  # the error's text would show the values
