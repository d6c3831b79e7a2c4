"""Alembic environment: runs migrations through the async engine hocvuso uses."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from hocvuso.storage import (
    models,  # noqa: F401 - registers the tables on SQLModel.metadata
    organising,  # noqa: F401 - units, roles, audit log, mentors
    scheduling,  # noqa: F401 - the scheduler's tables
    xapi,  # noqa: F401 - the xAPI outbox
)
from hocvuso.storage.db import ENGINE_OPTIONS

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(
        context.config.get_main_option("sqlalchemy.url") or "", **ENGINE_OPTIONS
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
