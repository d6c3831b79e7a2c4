"""Hot state: rate limits. Redis when configured (shared by all processes), in-process otherwise.

Every Redis key is built here (``hocvuso:<purpose>:<id>``) with a TTL; nothing else builds keys,
and every Redis client is made here (``redis_client``).

Redis holds nothing that cannot be lost (limits, pacing, leadership). So a Redis that is down or
restarting never stops a learner's action: the rate limit falls back to this process's own
counter until Redis answers again, and a client gives up on Redis within about a second
instead of retrying for several (redis-py's default) while the learner waits.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from pydantic import SecretStr

from hocvuso.config import Settings

if TYPE_CHECKING:  # redis is imported only where it is configured
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
PREFIX = "hocvuso"
#: A Redis command is tried this many more times (a connection the server closed is replaced),
#: with at most this many seconds between tries, and a socket waits at most ``REDIS_TIMEOUT``.
REDIS_RETRIES = 2
REDIS_BACKOFF_CAP = 0.1
REDIS_TIMEOUT = 1.0


def key(purpose: str, *parts: object) -> str:
    return ":".join([PREFIX, purpose, *(str(p) for p in parts)])


class RateLimiter(Protocol):
    async def hit(self, subject: str) -> bool:
        """Count one event for ``subject``; False when it is over the limit."""

    async def first_refusal(self, subject: str) -> bool:
        """True once per window: the first time ``subject`` is told to slow down in it."""


class MemoryRateLimiter:
    """Fixed-window counter in this process (the single-process default)."""

    def __init__(self, limit: int, window: float, max_subjects: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._told: OrderedDict[str, int] = OrderedDict()  # subject: window of its notice
        self._max = max_subjects

    async def hit(self, subject: str) -> bool:
        bucket = int(time.monotonic() // self.window)
        old_bucket, count = self._counts.get(subject, (bucket, 0))
        count = count + 1 if old_bucket == bucket else 1
        self._counts[subject] = (bucket, count)
        self._counts.move_to_end(subject)
        while len(self._counts) > self._max:
            self._counts.popitem(last=False)
        return count <= self.limit

    async def first_refusal(self, subject: str) -> bool:
        bucket = int(time.monotonic() // self.window)
        if self._told.get(subject) == bucket:
            return False
        self._told[subject] = bucket
        self._told.move_to_end(subject)
        while len(self._told) > self._max:
            self._told.popitem(last=False)
        return True


def redis_client(url: str | SecretStr) -> Redis:
    """A Redis client that fails fast: a few short retries, one-second socket timeouts."""
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff

    return Redis.from_url(
        url.get_secret_value() if isinstance(url, SecretStr) else url,
        retry=Retry(ExponentialBackoff(cap=REDIS_BACKOFF_CAP), REDIS_RETRIES),
        socket_timeout=REDIS_TIMEOUT,
        socket_connect_timeout=REDIS_TIMEOUT,
    )


class RedisRateLimiter:
    """Fixed-window counter shared by every process through Redis; while Redis cannot be
    reached, this process counts alone (``fallback``) rather than refuse or fail the event."""

    #: At most one warning about an unreachable Redis per this many seconds.
    WARN_EVERY = 10.0

    def __init__(self, redis: Redis, limit: int, window: float) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window
        self.fallback = MemoryRateLimiter(limit, window)
        self._warned = -self.WARN_EVERY

    async def hit(self, subject: str) -> bool:
        from redis.exceptions import RedisError

        bucket = int(time.time() // self.window)
        name = key("rate", subject, bucket)
        for tries_left in (1, 0):
            try:
                return await self._count(name)
            except (RedisError, OSError):
                # A transaction on a connection the server closed (a Redis restart) fails
                # without redis-py's retry; the connection is replaced, so try once more.
                if tries_left:
                    continue
                self._warn()
        return await self.fallback.hit(subject)

    async def _count(self, name: str) -> bool:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, int(self.window) + 1)
            count, _ = await pipe.execute()
        return int(count) <= self.limit

    async def first_refusal(self, subject: str) -> bool:
        from redis.exceptions import RedisError

        bucket = int(time.time() // self.window)
        name = key("rate-told", subject, bucket)
        try:
            return bool(await self.redis.set(name, 1, nx=True, ex=int(self.window) + 1))
        except (RedisError, OSError):
            self._warn()
            return await self.fallback.first_refusal(subject)

    def _warn(self) -> None:
        now = time.monotonic()
        if now - self._warned >= self.WARN_EVERY:
            self._warned = now
            log.warning("Redis unreachable: rate limits are counted in this process meanwhile")


#: Window of the per-person limit (``HOCVUSO_RATE_LIMIT`` events in it); beyond that the person
#: is asked to slow down.
RATE_WINDOW = 10.0


def make_rate_limiter(settings: Settings) -> RateLimiter:
    if settings.resolved_redis_url:
        return RedisRateLimiter(
            redis_client(settings.resolved_redis_url), settings.rate_limit, RATE_WINDOW
        )
    return MemoryRateLimiter(settings.rate_limit, RATE_WINDOW)
