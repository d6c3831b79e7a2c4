"""Assemble the running system from settings: database, content pack, engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.loader import Pack, load_pack
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


async def _check_revision(database: AsyncEngine, url: str) -> None:
    head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
    async with database.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    if current != head:
        raise NotMigrated(
            f"The database is at revision {current or 'none'}, the code needs {head}. "
            "Run `hocvuso db upgrade` first."
        )


async def start(settings: Settings) -> Runtime:
    url = settings.resolved_database_url
    if settings.is_sqlite:  # the embedded default migrates itself
        await db.upgrade_async(url)
    database = db.make_engine(url)
    await _check_revision(database, url)
    pack = load_pack(settings.content_path) if settings.content_path else load_pack()
    engine = Engine(db.make_sessionmaker(database), pack, settings)
    log.info(
        "content pack %s %s: %d lessons", pack.header.id, pack.header.version, len(pack.lessons)
    )
    return Runtime(settings, database, pack, engine)
