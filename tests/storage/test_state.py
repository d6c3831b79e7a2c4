"""Rate limits: shared through the real Redis, or in-process for the single-process default."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from hocvuso.storage.state import MemoryRateLimiter, RedisRateLimiter, key


@pytest.fixture
async def redis() -> Redis:
    client = Redis.from_url("redis://127.0.0.1:6379/15")
    yield client
    await client.aclose()


async def test_redis_limiter_is_shared_between_instances(redis: Redis) -> None:
    subject = f"test-{uuid.uuid4().hex}"
    first = RedisRateLimiter(redis, limit=3, window=60)
    second = RedisRateLimiter(redis, limit=3, window=60)  # another process, in effect
    results = [await first.hit(subject), await second.hit(subject), await first.hit(subject)]
    assert results == [True, True, True]
    assert await second.hit(subject) is False
    assert await first.hit(f"{subject}-other") is True  # other people are not affected


async def test_redis_keys_expire(redis: Redis) -> None:
    subject = f"test-{uuid.uuid4().hex}"
    limiter = RedisRateLimiter(redis, limit=3, window=10)
    await limiter.hit(subject)
    names = [name async for name in redis.scan_iter(match=key("rate", subject, "*"))]
    assert len(names) == 1
    assert 0 < await redis.ttl(names[0]) <= 11


async def test_memory_limiter_refuses_over_the_limit() -> None:
    limiter = MemoryRateLimiter(limit=2, window=60)
    assert [await limiter.hit("a") for _ in range(3)] == [True, True, False]
    assert await limiter.hit("b") is True


async def test_slow_down_is_said_once_per_window_across_processes(redis: Redis) -> None:
    subject = f"test-{uuid.uuid4().hex}"
    first = RedisRateLimiter(redis, limit=1, window=60)
    second = RedisRateLimiter(redis, limit=1, window=60)  # another webhook worker
    told = [await limiter.first_refusal(subject) for limiter in (first, second, first, second)]
    assert told == [True, False, False, False]
    assert await second.first_refusal(f"{subject}-other") is True
    names = [name async for name in redis.scan_iter(match=key("rate-told", subject, "*"))]
    assert len(names) == 1 and 0 < await redis.ttl(names[0]) <= 61


async def test_memory_limiter_says_slow_down_once_per_window() -> None:
    limiter = MemoryRateLimiter(limit=1, window=60)
    assert [await limiter.first_refusal("a") for _ in range(3)] == [True, False, False]
    assert await limiter.first_refusal("b") is True
