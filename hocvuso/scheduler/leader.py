"""Leadership: only one scheduler runs the jobs, however many processes are started.

- ``RedisLeadership``: a key set with ``NX`` and a TTL, renewed by its holder (compare-and-renew
  in one Lua script). If the leader dies, the key expires and another process takes over within
  one TTL plus one check interval.
- ``PostgresLeadership``: a session-level advisory lock on a connection held open; if the leader
  dies, PostgreSQL drops its connection and the lock at once.
- ``LocalLeadership``: the embedded SQLite database has one process: it is always the leader.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hocvuso.config import Settings
from hocvuso.storage.state import key, redis_client

if TYPE_CHECKING:  # redis is imported only where it is configured
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
#: Advisory lock id: "hocvuso scheduler" (any constant; documented in docs/operations.md).
ADVISORY_LOCK = 0x686F6376


class Leadership(Protocol):
    async def acquire(self) -> bool:
        """Try to become (or stay) the leader; True while this process leads."""

    async def release(self) -> None: ...


class LocalLeadership:
    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLeadership:
    def __init__(self, redis: Redis, ttl: float, name: str = "scheduler") -> None:
        self.redis = redis
        self.ttl_ms = int(ttl * 1000)
        self.token = uuid.uuid4().hex
        self.key = key("leader", name)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    async def acquire(self) -> bool:
        return bool(await self._renew(keys=[self.key], args=[self.token, self.ttl_ms]))

    async def release(self) -> None:
        await self._release(keys=[self.key], args=[self.token])


class PostgresLeadership:
    def __init__(self, database: AsyncEngine) -> None:
        self.database = database
        self._connection: AsyncConnection | None = None
        self._held = False

    async def acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = await self.database.connect()
                self._held = False
            if self._held:
                await self._connection.execute(text("SELECT 1"))  # still connected: still held
                return True
            result = await self._connection.execute(
                text("SELECT pg_try_advisory_lock(:id)"), {"id": ADVISORY_LOCK}
            )
            await self._connection.commit()
            self._held = bool(result.scalar())
            return self._held
        except Exception:
            log.warning("lost the database connection that held leadership")
            await self._drop()
            return False

    async def release(self) -> None:
        if self._connection is not None and self._held:
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:id)"), {"id": ADVISORY_LOCK}
            )
            await self._connection.commit()
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is not None:
            try:
                await connection.close()
            except Exception:  # already broken
                log.debug("closing a broken connection failed", exc_info=True)


def make_leadership(settings: Settings, database: AsyncEngine) -> Leadership:
    if settings.resolved_redis_url:
        return RedisLeadership(redis_client(settings.resolved_redis_url), settings.leader_ttl)
    if database.dialect.name == "postgresql":
        return PostgresLeadership(database)
    return LocalLeadership()
