"""Pooled PostgreSQL connections: one the server closed while it sat idle in the pool is
replaced before anyone uses it (checked only after it has been idle, not at every checkout)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hocvuso.storage import db

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def _backend_closed_while_idle(database_url: str) -> int:
    """A query, its connection closed by the server while idle, then another query."""
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0)
    admin = db.make_engine(database_url)
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with admin.begin() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        async with engine.connect() as connection:
            return int((await connection.execute(text("SELECT 1"))).scalar_one())
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_a_connection_closed_while_idle_is_replaced_unnoticed(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    assert await _backend_closed_while_idle(database_url) == 1


async def test_a_connection_in_steady_use_is_not_checked(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reused at once: no check (no extra round trips), so a connection the server has just
    # closed fails its statement (and SQLAlchemy then replaces the pool's connections).
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    with pytest.raises(DBAPIError):
        await _backend_closed_while_idle(database_url)
