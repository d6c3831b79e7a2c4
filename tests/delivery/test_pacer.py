"""The pacer keeps the bot under its global rate and 1 message/s per chat, pauses on 429, lets
interactive replies go first without ever holding bulk sending back for more than about a second,
and never lets a strict one-second window see more than the cap; in memory and shared through
the real Redis."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from redis.asyncio import Redis

from hocvuso.delivery.pacer import MARGIN, MemoryPacer, Pacer, RedisPacer


class Tick:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_global_rate_spaces_messages_one_interval_apart() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=10, burst=1, window=0, margin=0, clock=tick)
    granted, wait = await pacer.reserve([1, 2, 3])
    assert granted == [True] and wait == pytest.approx(0.1)
    tick.now += 0.1
    assert await pacer.reserve([2, 3]) == ([True], pytest.approx(0.1))


async def test_the_margin_stretches_every_interval() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=10, burst=1, window=0, margin=0.05, clock=tick)
    assert await pacer.reserve([1, 2]) == ([True], pytest.approx(0.105))


async def sent_in_ten_seconds_by_a_sender_always_late(burst: int) -> int:
    tick = Tick()
    pacer = MemoryPacer(rate=10, per_chat_rate=1000, burst=burst, window=0, margin=0, clock=tick)
    sent, end = 0, tick.now + 10
    while tick.now < end:
        flags, wait = await pacer.reserve([sent])
        sent += sum(flags)
        tick.now += wait + 0.004  # every wake-up is 4 ms late
    return sent


async def test_a_short_burst_makes_up_for_a_late_sender_without_raising_the_rate() -> None:
    assert 99 <= await sent_in_ten_seconds_by_a_sender_always_late(burst=3) <= 101
    assert await sent_in_ten_seconds_by_a_sender_always_late(burst=1) < 98  # lateness is lost


async def test_a_chat_gets_at_most_one_message_a_second() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=1000, per_chat_rate=1, burst=1, window=0, margin=0, clock=tick)
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
    pacer = MemoryPacer(rate=10, burst=1, window=0, margin=0, clock=tick)
    for _ in range(5):
        await pacer.note()  # never waits
    granted, wait = await pacer.reserve([1])
    assert granted == [] and wait == pytest.approx(0.5)


async def test_a_reply_to_a_chat_holds_that_chats_bulk_message_back() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=1000, per_chat_rate=1, burst=1, window=0, margin=0, clock=tick)
    await pacer.note(7)
    tick.now += 0.5
    assert (await pacer.reserve([7, 8]))[0] == [False, True]
    tick.now += 0.5
    assert (await pacer.reserve([7]))[0] == [True]


async def until_bulk_may_send(pacer: Pacer, tick: Tick) -> float:
    """Seconds (on the fake clock) until the next bulk message is granted."""
    started = tick.now
    while not (await pacer.reserve([started]))[0]:
        tick.now += (await pacer.reserve([started]))[1]
    return tick.now - started


async def test_ten_thousand_replies_in_a_row_hold_bulk_back_about_a_second_only() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=30, clock=tick)
    for _ in range(10_000):
        await pacer.note()
    assert 1.0 <= await until_bulk_may_send(pacer, tick) <= 1 + MARGIN + 1e-9


async def test_a_busy_minute_of_replies_does_not_push_bulk_into_the_next_minutes() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=30, clock=tick)
    for _ in range(6_000):  # 100 replies a second, over three times the rate, for a minute
        await pacer.note()
        tick.now += 0.01
    assert await until_bulk_may_send(pacer, tick) <= 1 + MARGIN + 1e-9
    # … and once people are quiet, bulk goes out at the rate again.
    sent, end = 0, tick.now + 10
    while tick.now < end:
        flags, wait = await pacer.reserve([10_000 + sent])
        sent += sum(flags)
        tick.now += wait
    assert sent >= 10 * 30 / (1 + MARGIN) - 1


async def test_the_interactive_debt_is_configurable() -> None:
    tick = Tick()
    pacer = MemoryPacer(rate=1000, max_debt=0.2, clock=tick)
    for _ in range(900):  # fewer than a window's cap: only the debt holds bulk back
        await pacer.note()
    assert await until_bulk_may_send(pacer, tick) <= 0.2


def most_in_one_second(times: Sequence[float]) -> int:
    """The largest number of times in any sliding one-second window ``(t - 1, t]``."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_a_strict_one_second_window_never_sees_more_than_the_cap() -> None:
    """Ten simulated minutes of a sender that wakes up late, stalls now and then (so that the
    burst allowance is used), meets chats that got a message a moment ago and 429 pauses; each
    request reaches the Bot API up to one margin late. No window counts more than 30."""
    rng = random.Random(10)
    tick = Tick()
    pacer = MemoryPacer(rate=30, clock=tick)
    arrivals: list[float] = []
    chat = 0
    end = tick.now + 600
    while tick.now < end:
        chats = [chat + i if rng.random() > 0.1 else rng.randrange(chat + 1) for i in range(40)]
        flags, wait = await pacer.reserve(chats)
        chat += len(flags)
        arrivals += [tick.now + rng.uniform(0, MARGIN) for ok in flags if ok]
        tick.now += wait + rng.uniform(0, 0.03)
        roll = rng.random()
        if roll < 0.01:
            tick.now += rng.uniform(0.2, 3)  # the sender stalls: it may burst afterwards
        elif roll < 0.012:
            await pacer.pause(rng.uniform(1, 3))
    assert most_in_one_second(arrivals) <= 30
    assert len(arrivals) > 10_000


async def test_a_sender_that_wakes_up_late_still_gets_all_but_the_margin() -> None:
    rng = random.Random(11)
    tick = Tick()
    pacer = MemoryPacer(rate=30, clock=tick)
    sent, end = 0, tick.now + 600
    while tick.now < end:
        flags, wait = await pacer.reserve(range(sent, sent + 40))
        sent += sum(flags)
        tick.now += wait + rng.uniform(0, 0.01)  # up to 10 ms late at every wake-up
    assert sent >= 600 * 30 * 0.97


async def test_without_the_window_the_same_bursts_would_exceed_the_cap() -> None:
    """The check above is not vacuous: the bare rate with its burst does exceed it."""
    tick = Tick()
    pacer = MemoryPacer(rate=1001, burst=40, margin=0, clock=tick)  # no window above 1,000/s
    sent: list[float] = []
    while tick.now < 1010:
        flags, wait = await pacer.reserve(range(len(sent), len(sent) + 50))
        sent += [tick.now] * sum(flags)
        tick.now += wait + 0.01
    assert most_in_one_second(sent) > 1001


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url("redis://127.0.0.1:6379/15")
    yield client
    await client.aclose()


class Shift:
    """Seconds added to Redis's clock: the tests move time on instead of sleeping."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


async def test_the_redis_pacer_is_shared_by_every_sender(redis: Redis) -> None:
    bot, shift = uuid.uuid4().hex, Shift()
    first, second = (
        RedisPacer(redis, bot, rate=2, burst=1, window=0, margin=0, offset=shift),
        RedisPacer(redis, bot, rate=2, burst=1, window=0, margin=0, offset=shift),
    )
    assert (await first.reserve([1]))[0] == [True]
    granted, wait = await second.reserve([2])  # the other process sees the slot taken
    assert granted == [] and 0 < wait <= 0.5
    shift.seconds += wait
    assert (await second.reserve([2]))[0] == [True]


async def test_the_redis_pacer_pauses_and_limits_each_chat(redis: Redis) -> None:
    shift = Shift()
    pacer = RedisPacer(
        redis, uuid.uuid4().hex, rate=1000, per_chat_rate=1, burst=1, window=0, offset=shift
    )
    assert (await pacer.reserve([1, 2]))[0] == [True]
    shift.seconds += 0.01
    assert (await pacer.reserve([1, 3]))[0] == [False, True]
    await pacer.pause(2)
    granted, wait = await pacer.reserve([4])
    assert granted == [] and 1.5 < wait <= 2
    shift.seconds += 2
    assert (await pacer.reserve([4]))[0] == [True]


async def test_a_reply_holds_the_chats_shared_bulk_message_back(redis: Redis) -> None:
    shift = Shift()
    pacer = RedisPacer(
        redis, uuid.uuid4().hex, rate=1000, per_chat_rate=1, burst=1, window=0, offset=shift
    )
    await pacer.note(7)
    shift.seconds += 0.5
    assert (await pacer.reserve([7, 8]))[0] == [False, True]
    shift.seconds += 0.6
    assert (await pacer.reserve([7]))[0] == [True]


async def test_the_redis_pacer_keeps_the_strict_window(redis: Redis) -> None:
    shift = Shift()
    pacer = RedisPacer(redis, uuid.uuid4().hex, rate=30, burst=60, offset=shift)
    granted, wait = await pacer.reserve(range(45))
    assert granted == [True] * 30  # a burst, but never more than the cap in one window
    assert 1.0 < wait <= 1 + MARGIN
    shift.seconds += wait
    assert (await pacer.reserve(range(45, 50)))[0][:1] == [True]


async def test_ten_thousand_replies_hold_the_shared_bulk_back_about_a_second_only(
    redis: Redis,
) -> None:
    shift = Shift()
    pacer = RedisPacer(redis, uuid.uuid4().hex, rate=30, offset=shift)
    for _ in range(200):
        await asyncio.gather(*(pacer.note() for _ in range(50)))
    granted, wait = await pacer.reserve([1])
    assert granted == [] and wait <= 1 + MARGIN
    shift.seconds += wait
    granted, wait = await pacer.reserve([1])
    if not granted:  # the other limit (rate or window) is the later one by a hair
        assert wait <= 0.1
        shift.seconds += wait
        granted, _ = await pacer.reserve([1])
    assert granted == [True]
