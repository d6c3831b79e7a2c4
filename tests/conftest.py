"""Shared fixtures: real databases (SQLite and PostgreSQL), the test pack, an engine driver."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.loader import Pack, load_pack
from hocvuso.storage import db
from hocvuso.storage.organising import Unit
from tests.factories import TREE, Clock, Conversation, add_units

ROOT = Path(__file__).resolve().parent.parent
TEST_PACK = ROOT / "tests" / "fixtures" / "pack"
PG_ADMIN_URL = os.environ.get(
    "HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _pg_url(database: str) -> str:
    base, _ = PG_ADMIN_URL.rsplit("/", 1)
    return f"{base}/{database}"


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated to head, dropped afterwards."""
    import asyncio

    name = f"hocvuso_test_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    db.upgrade(url)
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        db.upgrade(url)
        return url
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
async def engine_db(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.make_engine(database_url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine_db: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return db.make_sessionmaker(engine_db)


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack(TEST_PACK)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 09:00 in Hà Nội


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # The data directory is the test's own: the signing keys made for it are written there.
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, data_dir=tmp_path, _env_file=None
    )


@pytest.fixture
def engine(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings: Settings, clock: Clock
) -> Engine:
    return Engine(sessions, pack, settings, clock=clock, rng=random.Random(7))


@pytest.fixture
def chat(engine: Engine, pack: Pack) -> Conversation:
    return Conversation(engine, pack, chat_id=1001, name="Nguyễn Thị Lan")


@pytest.fixture
async def tree(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Unit]:
    return await add_units(sessions, *TREE)


@pytest.fixture
def database(engine_db: AsyncEngine) -> AsyncEngine:
    return engine_db


@pytest.fixture
def scheduler_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
