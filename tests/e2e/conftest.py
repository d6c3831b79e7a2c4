"""Fixtures for end-to-end tests: the fake Bot API server, the bot process, the real pack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack, load_pack
from tests.e2e.harness import BotProcess
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture(scope="session")
def core_pack() -> Pack:
    return load_pack()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(
    fake: FakeTelegram, database_url: str, engine_db: AsyncEngine, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """The bot as a real process; ``engine_db`` gives it a clean, migrated database."""
    process = BotProcess(fake, database_url, tmp_path)
    await process.start()
    yield process
    await process.stop()
