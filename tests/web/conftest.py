"""The web app under test: create_app over httpx's ASGI transport, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.credentials import keys
from hocvuso.credentials.keys import KeyRing
from hocvuso.web.app import create_app

PUBLIC_URL = "https://hocvuso.example.vn"
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing((keys.new_key(NOW),))


@pytest.fixture
def web_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        data_dir=tmp_path,
        public_url=PUBLIC_URL,
        issuer_name="Học vụ số Thử nghiệm",
    )


@pytest.fixture
def app(web_settings: Settings, ring: KeyRing, database: AsyncEngine) -> FastAPI:
    return create_app(web_settings, ring=ring, engine=database)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
