"""The pacer keeps the bot under its global rate and 1 message/s per chat, pauses on 429 and lets
interactive replies go first; in memory and shared through the real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hocvuso.delivery.pacer import MemoryPacer, RedisPacer


class Tick:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_global_rate_spaces_messages_one_interval_apart() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=10, burst=1, window=0, clock=tick)
    granted, wait = await pacer.reserve([1, 2, 3])
    assert granted == [True] and wait == pytest.approx(0.1)
    tick.now += 0.1
    assert await pacer.reserve([2, 3]) == ([True], pytest.approx(0.1))


async def sent_in_ten_seconds_by_a_sender_always_late(burst: int) -> int:
    tick = Tick()
    pacer = MemoryPacer(rate=10, per_chat_rate=1000, burst=burst, window=0, clock=tick)
    sent, end = 0, tick.now + 10
    while tick.now < end:
        flags, wait = await pacer.reserve([sent])
        sent += sum(flags)
        tick.now += wait + 0.004  # every wake-up is 4 ms late
    return sent


async def test_a_short_burst_makes_up_for_a_late_sender_without_raising_the_rate() -> None:
    assert 100 <= await sent_in_ten_seconds_by_a_sender_always_late(burst=3) <= 103
    assert await sent_in_ten_seconds_by_a_sender_always_late(burst=1) < 98  # lateness is lost


async def test_a_chat_gets_at_most_one_message_a_second() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=1000, per_chat_rate=1, burst=1, window=0, clock=tick)
    assert (await pacer.reserve([7]))[0] == [True]
    tick.now += 0.5
    assert (await pacer.reserve([7, 8]))[0] == [False, True]  # chat 7 must wait
    tick.now += 0.5
    assert (await pacer.reserve([7]))[0] == [True]


async def test_a_429_pauses_all_bulk_sending_for_retry_after() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=1000, burst=1, window=0, clock=tick)
    await pacer.pause(3)
    assert await pacer.reserve([1]) == ([], pytest.approx(3))
    tick.now += 3
    assert (await pacer.reserve([1]))[0] == [True]


async def test_interactive_replies_take_slots_first_and_push_bulk_back() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=10, burst=1, window=0, clock=tick)
    for _ in range(5):
        await pacer.note()  # never waits
    granted, wait = await pacer.reserve([1])
    assert granted == [] and wait == pytest.approx(0.5)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url("redis://127.0.0.1:6379/15")
    yield client
    await client.aclose()


async def test_the_redis_pacer_is_shared_by_every_sender(redis: Redis) -> None:
    bot = uuid.uuid4().hex
    first, second = (
        RedisPacer(redis, bot, rate=2, burst=1, window=0),
        RedisPacer(redis, bot, rate=2, burst=1, window=0),
    )
    assert (await first.reserve([1]))[0] == [True]
    granted, wait = await second.reserve([2])  # the other process sees the slot taken
    assert granted == [] and 0 < wait <= 0.5
    await asyncio.sleep(wait)
    assert (await second.reserve([2]))[0] == [True]


async def test_the_redis_pacer_pauses_and_limits_each_chat(redis: Redis) -> None:
    pacer = RedisPacer(redis, uuid.uuid4().hex, rate=1000, per_chat_rate=1, burst=1, window=0)
    assert (await pacer.reserve([1, 2]))[0] == [True]
    await asyncio.sleep(0.01)
    assert (await pacer.reserve([1, 3]))[0] == [False, True]
    await pacer.pause(2)
    granted, wait = await pacer.reserve([4])
    assert granted == [] and 1.5 < wait <= 2
    await pacer.note()
