"""Rate limits: shared through the real Redis, or in-process for the single-process default."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from hocvuso.storage.state import MemoryRateLimiter, RedisRateLimiter, key, redis_client
from tests.e2e.services import PrivateRedis


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


@pytest.fixture
async def private_redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    """A Redis of this test's own, to be killed and restarted (never the shared one)."""
    server = PrivateRedis(tmp_path)
    await server.start()
    yield server
    await server.kill()


async def test_a_redis_restart_fails_no_event(private_redis: PrivateRedis) -> None:
    client = redis_client(private_redis.url)
    limiter = RedisRateLimiter(client, limit=100, window=60)
    # Several connections in the pool, as in a busy bot; then Redis restarts under them.
    assert await asyncio.gather(*(limiter.hit(f"p{i}") for i in range(8))) == [True] * 8
    await private_redis.restart(down_for=0.2)
    assert await asyncio.gather(*(limiter.hit(f"p{i}") for i in range(8))) == [True] * 8
    # … and the counts are Redis's again (kept there, shared by every process).
    assert int(await client.get(key("rate", "p0", int(time.time() // 60)))) == 1
    await client.aclose()


async def test_while_redis_is_down_the_limit_is_counted_in_the_process(
    private_redis: PrivateRedis,
) -> None:
    client = redis_client(private_redis.url)
    limiter = RedisRateLimiter(client, limit=3, window=60)
    assert await limiter.hit("a") is True
    await private_redis.kill()
    results = [await limiter.hit("b") for _ in range(4)]
    assert results == [True, True, True, False]  # still limited, by this process alone
    assert await limiter.hit("c") is True
    await client.aclose()


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
