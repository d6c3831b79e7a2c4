"""Database engine, sessions and migrations."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import async_database_url

if TYPE_CHECKING:  # alembic is imported only to migrate (it takes ~0.2 s): not on every start
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
# The header lines of a revision file as `alembic revision` writes them (script.py.mako).
_REVISION = re.compile(r"^revision(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]\s*$", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?::[^=]*)?=\s*(?:None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE)
_PLAIN = re.compile(r"^(?:branch_labels|depends_on)(?::[^=]*)?=\s*None\s*$", re.MULTILINE)


#: Every engine of hocvuso: an error names the statement, never the values bound to it (names,
#: draft texts, chat ids would otherwise reach the logs as ``[parameters: ...]``).
ENGINE_OPTIONS: dict[str, Any] = {"hide_parameters": True}


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = async_database_url(url)
    kwargs = {**ENGINE_OPTIONS, **kwargs}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # Up to 40 connections, each kept once opened (none "overflow"): a burst over the pool
    # size would otherwise open and close connections (a TLS attempt and cold prepared
    # statements each) for as long as it lasts. Opened only when needed.
    kwargs.setdefault("pool_size", 40)
    kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


#: A pooled connection unused for this long is checked before it is handed out.
PING_AFTER_IDLE = 10.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's ``pool_pre_ping`` checks every connection at every checkout: with asyncpg
    that is a BEGIN and a ROLLBACK, two round trips before each transaction (7% of a busy
    sender's CPU, more of a learner action's). Only a connection that has sat in the pool for
    ``PING_AFTER_IDLE`` seconds is checked here (the server may have closed it meanwhile: a
    restart, an idle timeout); one that fails the check is replaced before anyone uses it. A
    connection that breaks while in steady use fails its statement as before; SQLAlchemy then
    replaces the pool's connections, and the engine applies the update again (see
    ``Engine.handle``)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("a pooled connection did not answer") from exc


@asynccontextmanager
async def planned_for_values(connection: AsyncConnection) -> AsyncIterator[AsyncConnection]:
    """Statements inside are planned for the values bound to them, every time (PostgreSQL).

    asyncpg prepares every statement; after five runs on a connection PostgreSQL may switch to a
    generic plan that cannot see the values. For a report over a subtree (a path prefix, dates)
    that plan is several times slower than the one made for the values (1.5 s against 0.1-0.3 s
    for the whole tree at 100,000 learners). The setting is undone afterwards, and lasts no
    longer than the transaction in any case (``SET LOCAL``): after an error it is left to the
    rollback, so that the error itself is what the caller sees. SQLite has no plan cache.
    """
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    yield connection
    if postgresql:
        await connection.exec_driver_sql("SET LOCAL plan_cache_mode TO DEFAULT")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with maker() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", async_database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations (blocking; call from a thread inside an event loop)."""
    url = async_database_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)


def _head_from_files() -> str | None:
    """The head revision read off the revision files' headers, or None if the history is not
    one plain line (a merge, a branch label, a dependency, a header written by hand)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN.search(source)
        if len(revision) != 1 or down is None or len(_PLAIN.findall(source)) != 2:
            return None
        revisions.add(revision[0])
        if down.group(1):
            downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None


@cache
def head_revision() -> str:
    """The revision this code needs. Read off the revision files' headers (a few milliseconds);
    Alembic decides whenever the history is anything but one line of revisions."""
    head = _head_from_files()
    if head is None:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {VERSIONS}")
    return head


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at (Alembic's table; empty for a database never
    migrated)."""
    async with engine.connect() as connection:
        try:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no such table: a new database
            return set()
        return {row[0] for row in rows}
