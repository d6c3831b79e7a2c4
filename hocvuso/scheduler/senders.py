"""One sender per bot without Redis: a lease in the database.

Without Redis each process paces itself in memory, so two processes sending one bot's queue
would each go to the full rate. So the process that sends holds the bot's row in
``sender_lease`` and renews it every third of ``HOCVUSO_SENDER_TTL`` (a heartbeat: holder and
``seen_at``); a lease not renewed for a TTL is free, and so is one whose holder is a process of
this machine that no longer exists (a restart after a crash takes over at once). A process that
finds the lease held by another leaves the sending to it: ``hocvuso broadcast send`` next to a
running ``hocvuso run`` only queues and follows the progress, and takes over if the bot stops.

With Redis the pacer is shared by every process, and every process sends: no lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.storage.tables import SENDER_LEASE
from hocvuso.storage.types import utcnow

log = logging.getLogger(__name__)
T = SENDER_LEASE
HOST = socket.gethostname()


@dataclass(frozen=True)
class Holder:
    holder: str
    command: str
    seen_at: datetime

    @property
    def label(self) -> str:
        """``hocvuso run`` (host, pid 123)."""
        host, _, rest = self.holder.partition(":")
        pid = rest.partition(":")[0]
        return f"`hocvuso {self.command}` ({host}, pid {pid})"


def _gone(holder: str) -> bool:
    """Is ``holder`` a process of this machine that has exited?"""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class SenderLease:
    def __init__(
        self,
        database: AsyncEngine,
        bot_id: int | str,
        *,
        ttl: float = 10.0,
        command: str = "run",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.bot_id = str(bot_id)
        self.ttl = ttl
        self.command = command
        self.clock = clock
        self.holder = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another process holds it."""
        now = self.clock()
        values = {"bot_id": self.bot_id, "holder": self.holder, "command": self.command}
        async with self.database.begin() as connection:
            insert = (
                postgresql.insert(T)
                if connection.dialect.name == "postgresql"
                else sqlite.insert(T)
            )
            statement = insert.values(**values, seen_at=now)
            upsert = statement.on_conflict_do_update(
                index_elements=[T.c.bot_id],
                set_={
                    "holder": statement.excluded.holder,
                    "command": statement.excluded.command,
                    "seen_at": statement.excluded.seen_at,
                },
                where=(T.c.holder == self.holder)
                | (T.c.seen_at < now - timedelta(seconds=self.ttl)),
            ).returning(T.c.holder)
            if (await connection.execute(upsert)).first() is not None:
                return True
            other = await connection.scalar(select(T.c.holder).where(T.c.bot_id == self.bot_id))
            if other is None or not _gone(other):
                return False
            log.info("sender %s is gone: taking over at once", other)
            taken = await connection.execute(
                update(T)
                .where(T.c.bot_id == self.bot_id, T.c.holder == other)
                .values(**values, seen_at=now)
            )
            return bool(taken.rowcount)

    async def current(self) -> Holder | None:
        """Who holds the lease now (None when it is free)."""
        async with self.database.connect() as connection:
            row = (await connection.execute(select(T).where(T.c.bot_id == self.bot_id))).first()
        if row is None or row.seen_at < self.clock() - timedelta(seconds=self.ttl):
            return None
        return Holder(row.holder, row.command, row.seen_at)

    async def release(self) -> None:
        async with self.database.begin() as connection:
            await connection.execute(
                delete(T).where(T.c.bot_id == self.bot_id, T.c.holder == self.holder)
            )

    @contextlib.asynccontextmanager
    async def held(self, stop: asyncio.Event) -> AsyncIterator[asyncio.Event]:
        """While the lease is held (after ``acquire``): renew it. Yields an event set when
        ``stop`` is set or the lease is lost; releases the lease at the end."""
        done = asyncio.Event()
        renewer = asyncio.create_task(self._renew(stop, done))
        try:
            yield done
        finally:
            done.set()
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            try:
                await self.release()
            except Exception:  # it expires by itself
                log.warning("could not release the sender lease", exc_info=True)

    async def _renew(self, stop: asyncio.Event, done: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.ttl / 3)
            if stop.is_set():
                break
            try:
                if not await self.acquire():
                    log.warning("sender lease of bot %s lost: no longer sending", self.bot_id)
                    break
                renewed = loop.time()
            except Exception:
                log.warning("could not renew the sender lease", exc_info=True)
                if loop.time() - renewed > self.ttl * 2 / 3:
                    break  # another process may take it any moment now
        done.set()
