"""The delivery worker: exactly once, 429 pauses and retries, 403 marks blocked, transient failures
back off and end in the dead letters, and a sender that died neither skips nor repeats."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.delivery import broadcasts
from hocvuso.delivery.botapi import ApiAnswer
from hocvuso.delivery.pacer import MemoryPacer
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.delivery.worker import DeliveryWorker
from tests.factories import (
    LEARNER,
    OLD_TERMS,
    TERMS,
    Clock,
    deliveries,
    insert_learner,
    set_terms,
)

FLOOD = ApiAnswer(False, 429, "Too Many Requests: retry after 1", retry_after=1)
BLOCKED = ApiAnswer(False, 403, "Forbidden: bot was blocked by the user")
BAD_GATEWAY = ApiAnswer(False, 502, "Bad Gateway")


class StubBot:
    """Records sendMessage calls; answers the errors queued for a chat first."""

    def __init__(self) -> None:
        self.sent: Counter[int] = Counter()
        self.errors: dict[int, list[ApiAnswer | Exception]] = defaultdict(list)

    async def send_message(self, chat_id: int, text: str, buttons: Any) -> ApiAnswer:
        if self.errors[chat_id]:
            error = self.errors[chat_id].pop(0)
            if isinstance(error, Exception):
                raise error
            return error
        self.sent[chat_id] += 1
        return ApiAnswer(True)

    async def close(self) -> None:
        return None


class Tick:
    """The pacer's clock, moved on together with the queue's :class:`Clock`."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def __call__(self) -> float:
        return self.clock.now.timestamp()


def worker(database: AsyncEngine, bot: StubBot, clock: Clock | None = None) -> DeliveryWorker:
    kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    queue = DeliveryQueue(database, **kwargs)
    pacer = MemoryPacer(
        rate=10_000, per_chat_rate=10_000, **({"clock": Tick(clock)} if clock else {})
    )
    return DeliveryWorker(queue, bot, pacer, rate=200, consent=TERMS, **kwargs)  # type: ignore[arg-type]


async def chats_of(database: AsyncEngine) -> dict[int, int]:
    async with database.connect() as connection:
        rows = await connection.execute(select(LEARNER.c.id, LEARNER.c.chat_id))
        return {row.id: row.chat_id for row in rows}


async def test_an_announcement_reaches_everyone_in_the_audience_exactly_once(
    database: AsyncEngine,
) -> None:
    for _ in range(50):
        await insert_learner(database, unit_code="HN-01")
    await insert_learner(database, unit_code="HCM-01")
    await insert_learner(database, unit_code="HN-01", status="blocked")
    created = await broadcasts.announce(database, "Thông báo", {"units": ["HN-*"]}, consent=TERMS)
    assert created.queued == 50
    bot = StubBot()
    stats = await worker(database, bot).run(asyncio.Event(), until_empty=True)
    assert stats.sent == 50 and set(bot.sent.values()) == {1}
    assert await DeliveryQueue(database).counts(created.broadcast_id) == {"sent": 50}


async def test_a_429_holds_the_message_back_for_retry_after_and_it_goes_out_once_later(
    database: AsyncEngine,
) -> None:
    learner = await insert_learner(database)
    chat = (await chats_of(database))[learner]
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    bot = StubBot()
    bot.errors[chat].append(FLOOD)
    clock = Clock(datetime.now(UTC))
    w = worker(database, bot, clock)
    stats = await w.run(asyncio.Event(), until_empty=True)
    assert stats.flood == 1
    await w.run(asyncio.Event(), until_empty=True)
    assert bot.sent[chat] == 0  # it waits retry_after
    clock.advance(seconds=1.1)
    await w.run(asyncio.Event(), until_empty=True)
    assert bot.sent[chat] == 1
    [delivery] = await deliveries(database)
    assert delivery.state == "sent"


async def test_one_chats_own_429_does_not_pause_everyone_else(database: AsyncEngine) -> None:
    learners = [await insert_learner(database) for _ in range(10)]
    chats = await chats_of(database)
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    bot = StubBot()
    bot.errors[chats[learners[0]]].append(FLOOD)  # someone the bot has just answered
    clock = Clock(datetime.now(UTC))
    w = worker(database, bot, clock)
    await w.run(asyncio.Event(), until_empty=True)
    assert sum(bot.sent.values()) == 9
    assert (await w.pacer.reserve([123]))[0] == [True]  # bulk sending goes on


async def test_429s_for_two_chats_in_a_row_pause_the_whole_bot(database: AsyncEngine) -> None:
    learners = [await insert_learner(database) for _ in range(3)]
    chats = await chats_of(database)
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    bot = StubBot()
    for learner in learners:
        bot.errors[chats[learner]].append(FLOOD)
    clock = Clock(datetime.now(UTC))
    w = worker(database, bot, clock)
    await w.run(asyncio.Event(), until_empty=True)
    granted, wait = await w.pacer.reserve([123])
    assert granted == [] and 0 < wait <= 1  # the bot-wide limit: everyone waits
    clock.advance(seconds=1.1)
    await w.run(asyncio.Event(), until_empty=True)
    assert sum(bot.sent.values()) == 3


async def test_a_403_marks_the_learner_blocked(database: AsyncEngine) -> None:
    learner = await insert_learner(database)
    chat = (await chats_of(database))[learner]
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    bot = StubBot()
    bot.errors[chat].append(BLOCKED)
    await worker(database, bot).run(asyncio.Event(), until_empty=True)
    [delivery] = await deliveries(database)
    assert delivery.state == "blocked"
    async with database.connect() as connection:
        status = await connection.scalar(select(LEARNER.c.status).where(LEARNER.c.id == learner))
    assert status == "blocked"


async def test_transient_failures_back_off_then_land_in_the_dead_letters(
    database: AsyncEngine,
) -> None:
    learner = await insert_learner(database)
    chat = (await chats_of(database))[learner]
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    bot = StubBot()
    bot.errors[chat] = [BAD_GATEWAY, ConnectionResetError("reset"), *[BAD_GATEWAY] * 8]
    clock = Clock(datetime.now(UTC))
    w = worker(database, bot, clock)
    for _ in range(5):
        await w.run(asyncio.Event(), until_empty=True)
        clock.advance(minutes=20)
    [delivery] = await deliveries(database)
    assert (delivery.state, delivery.attempts) == ("dead", 5)
    assert "Bad Gateway" in delivery.last_error
    assert [d.id for d in await DeliveryQueue(database).dead_letters()] == [delivery.id]
    # The organiser can send the dead letters again.
    assert await DeliveryQueue(database).requeue(None, ["dead"]) == 1


async def test_after_a_sender_died_unsent_claims_go_out_and_maybe_sent_ones_are_not_repeated(
    database: AsyncEngine,
) -> None:
    for _ in range(10):
        await insert_learner(database)
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    clock = Clock(datetime.now(UTC))
    dead = DeliveryQueue(database, clock=clock)
    claimed = await dead.claim(10, timedelta(seconds=30), consent=TERMS)
    await dead.mark_sending(claimed[:3])  # it died during these three calls
    clock.advance(seconds=31)

    bot = StubBot()
    await worker(database, bot, clock).run(asyncio.Event(), until_empty=True)
    assert sum(bot.sent.values()) == 7
    counts = await DeliveryQueue(database).counts()
    assert counts == {"sent": 7, "unknown": 3}


async def test_an_announcement_skips_whoever_declined_the_updated_terms_until_they_accept(
    database: AsyncEngine,
) -> None:
    agreed = await insert_learner(database, unit_code="HN-01")
    declined = await insert_learner(database, unit_code="HN-01", consent_version=OLD_TERMS)
    first = await broadcasts.announce(database, "Thông báo", consent=TERMS)
    assert [d.learner_id for d in await deliveries(database, broadcast_id=first.broadcast_id)] == [
        agreed
    ]

    await set_terms(database, declined, TERMS)  # they read the new terms and accepted them
    second = await broadcasts.announce(database, "Thông báo mới", consent=TERMS)
    assert {d.learner_id for d in await deliveries(database, broadcast_id=second.broadcast_id)} == {
        agreed,
        declined,
    }


async def test_a_message_queued_before_the_learner_declined_the_updated_terms_is_not_sent(
    database: AsyncEngine,
) -> None:
    learner = await insert_learner(database)
    stays = await insert_learner(database)
    await broadcasts.announce(database, "Thông báo", consent=TERMS)
    await set_terms(database, learner, OLD_TERMS)  # declined after it was queued
    bot = StubBot()
    stats = await worker(database, bot).run(asyncio.Event(), until_empty=True)
    chats = await chats_of(database)
    assert stats.sent == 1 and set(bot.sent) == {chats[stays]}
    assert {d.learner_id: d.state for d in await deliveries(database)} == {
        learner: "skipped",
        stays: "sent",
    }
