"""How a command reaches the store: start the runtime (it refuses a database that is not
migrated), do the work, close. One place for every command group; ``runtime`` is imported when a
command runs, not when ``hocvuso`` starts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings

if TYPE_CHECKING:
    from hocvuso.runtime import Runtime

T = TypeVar("T")


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The store's engine, for work that opens its own transactions."""
    from hocvuso import runtime

    rt = await runtime.start(settings)
    try:
        yield rt.database
    finally:
        await rt.close()


async def with_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async with database(settings) as engine:
        return await work(engine)


async def in_transaction(
    settings: Settings, work: Callable[[AsyncSession, Runtime], Awaitable[T]]
) -> T:
    """``work`` in one transaction, committed when it returns (rolled back if it raises)."""
    from hocvuso import runtime
    from hocvuso.storage import db

    rt = await runtime.start(settings)
    try:
        async with db.make_sessionmaker(rt.database)() as session, session.begin():
            return await work(session, rt)
    finally:
        await rt.close()
