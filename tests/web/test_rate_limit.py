"""Checks are limited per client address: in this process, or shared through Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.credentials.keys import KeyRing
from hocvuso.web.app import create_app

REDIS_URL = "redis://127.0.0.1:6379/13"


def client_of(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
def limited(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"web_rate_limit": 3})


async def test_the_fourth_check_in_a_minute_is_refused_politely(
    limited: Settings, ring: KeyRing, database: AsyncEngine
) -> None:
    app = create_app(limited, ring=ring, engine=database)
    async with client_of(app, "198.51.100.1") as client:
        answers = [await client.get(f"/verify/HVS1-AAAA-AAA{n}") for n in range(3)]
        refused = await client.post("/verify", files={"file": ("x.json", b"{}")})
        also = await client.get("/credentials/HVS1-AAAA-AAAA.json")
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Quá nhiều lượt kiểm tra" in refused.text and "Too many checks" in refused.text
    assert also.status_code == 429
    async with client_of(app, "198.51.100.2") as other:  # someone else is not held back
        assert (await other.get("/verify/HVS1-AAAA-AAAA")).status_code == 404
    async with client_of(app, "198.51.100.1") as client:  # pages that are not checks
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/issuer")).status_code == 200


@pytest.fixture
async def redis_settings(limited: Settings) -> AsyncIterator[Settings]:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    yield limited.model_copy(update={"redis_url": SecretStr(REDIS_URL)})
    await redis.flushdb()
    await redis.aclose()


@pytest.mark.redis
async def test_with_redis_two_processes_share_one_limit_and_no_address_is_stored(
    redis_settings: Settings, ring: KeyRing, database: AsyncEngine
) -> None:
    from redis.asyncio import Redis

    first = create_app(redis_settings, ring=ring, engine=database)
    second = create_app(redis_settings, ring=ring, engine=database)
    address = "198.51.100.77"
    async with client_of(first, address) as a, client_of(second, address) as b:
        codes = [(await c.get("/verify/HVS1-BBBB-BBBB")).status_code for c in (a, b, a, b)]
    assert codes == [404, 404, 404, 429]
    redis = Redis.from_url(REDIS_URL)
    keys = [k.decode() for k in await redis.keys("*")]
    await redis.aclose()
    assert keys and all(k.startswith("hocvuso:rate:web-verify:") for k in keys)
    assert not any(address in k for k in keys)
    await first.state.limiter.redis.aclose()
    await second.state.limiter.redis.aclose()
