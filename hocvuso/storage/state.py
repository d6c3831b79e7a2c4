"""Hot state: rate limits. Redis when configured (shared by all processes), in-process otherwise.

Every Redis key is built here (``hocvuso:<purpose>:<id>``) with a TTL; nothing else builds keys.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from hocvuso.config import Settings

if TYPE_CHECKING:  # redis is imported only where it is configured
    from redis.asyncio import Redis

PREFIX = "hocvuso"


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


class RedisRateLimiter:
    """Fixed-window counter shared by every process through Redis."""

    def __init__(self, redis: Redis, limit: int, window: float) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window

    async def hit(self, subject: str) -> bool:
        bucket = int(time.time() // self.window)
        name = key("rate", subject, bucket)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, int(self.window) + 1)
            count, _ = await pipe.execute()
        return int(count) <= self.limit

    async def first_refusal(self, subject: str) -> bool:
        bucket = int(time.time() // self.window)
        name = key("rate-told", subject, bucket)
        return bool(await self.redis.set(name, 1, nx=True, ex=int(self.window) + 1))


#: Window of the per-person limit (``HOCVUSO_RATE_LIMIT`` events in it); beyond that the person
#: is asked to slow down.
RATE_WINDOW = 10.0


def make_rate_limiter(settings: Settings) -> RateLimiter:
    if settings.resolved_redis_url:
        from redis.asyncio import Redis

        return RedisRateLimiter(
            Redis.from_url(settings.resolved_redis_url), settings.rate_limit, RATE_WINDOW
        )
    return MemoryRateLimiter(settings.rate_limit, RATE_WINDOW)
