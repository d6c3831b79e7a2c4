"""Assemble the running system from settings: database, content pack, engine.

A restart leaves every learner waiting until the bot polls again, so :func:`start` does only
what serving needs, and at once: the content pack and the message catalogs are read (from
their caches in the data directory when unchanged, see :mod:`hocvuso.content.cache` and
:func:`hocvuso.i18n.use_cache`) in a thread while the database is checked, and Alembic is
imported only when there is something to migrate.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso import i18n
from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.cache import load_pack_cached
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import load_keyring
from hocvuso.storage import db

log = logging.getLogger(__name__)


class NotMigrated(SystemExit):
    pass


@dataclass
class Runtime:
    settings: Settings
    database: AsyncEngine
    pack: Pack
    engine: Engine

    async def close(self) -> None:
        await self.database.dispose()


async def _ensure_migrated(database: AsyncEngine, url: str, migrate: bool) -> None:
    """Refuse a database that is not at the code's revision; with ``migrate`` (the embedded
    SQLite default) bring it there first."""
    head = db.head_revision()
    current = await db.current_revisions(database)
    if current == {head}:
        return
    if migrate:
        await db.upgrade_async(url)
        await database.dispose()  # no pooled connection from before the migration
        current = await db.current_revisions(database)
    if current != {head}:
        shown = ", ".join(sorted(current)) or "none"
        raise NotMigrated(
            f"The database is at revision {shown}, the code needs {head}. "
            "Run `hocvuso db upgrade` first."
        )


def _read_content(settings: Settings, cache_dir: Path) -> Pack:
    """The content pack and the message catalogs, from the cache when unchanged."""
    i18n.use_cache(cache_dir)
    i18n.preload()
    return load_pack_cached(settings.content_path, cache_dir)


async def start(settings: Settings) -> Runtime:
    url = settings.resolved_database_url
    cache_dir = Path(settings.data_dir) / "cache"
    reading = asyncio.ensure_future(asyncio.to_thread(_read_content, settings, cache_dir))
    database = db.make_engine(url)
    try:
        await _ensure_migrated(database, url, migrate=settings.is_sqlite)
        pack = await reading
    except BaseException:
        reading.cancel()
        await database.dispose()
        raise
    # The signing keys, once. In production at start, so that a missing key stops here with
    # what to do; elsewhere when a certificate is first signed (a development key file is made
    # then, not by every command).
    try:
        ring = load_keyring(settings) if settings.environment == "production" else None
    except BaseException:
        await database.dispose()
        raise
    engine = Engine(db.make_sessionmaker(database), pack, settings, ring=ring)
    log.info(
        "content pack %s %s: %d lessons", pack.header.id, pack.header.version, len(pack.lessons)
    )
    return Runtime(settings, database, pack, engine)
