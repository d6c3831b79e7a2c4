"""Long polling through the pipeline, against the fake Bot API over HTTP: one person's updates
in order, different people at once, a bounded number in flight, only finished updates confirmed.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update

from hocvuso.bot.telegram.app import poll
from hocvuso.bot.telegram.pipeline import Pipeline
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    bot = Bot(fake.token, session=session)
    yield bot
    await session.close()


class Polling:
    """``poll`` running in the background with a handler the test controls."""

    def __init__(self, bot: Bot, handle: Callable[[Update], Awaitable[None]], limit: int) -> None:
        self.pipeline = Pipeline(handle, limit=limit)
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(poll(bot, self.pipeline, self.stop, poll_seconds=1))

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 10)


def text_of(update: Update) -> tuple[int, str]:
    assert update.message is not None and update.message.from_user is not None
    return update.message.from_user.id, update.message.text or ""


async def test_one_persons_updates_apply_in_order_within_and_across_batches(
    fake: FakeTelegram, bot: Bot
) -> None:
    seen: dict[int, list[str]] = defaultdict(list)
    busy: set[int] = set()
    overlap = 0
    rng = random.Random(7)

    async def handle(update: Update) -> None:
        nonlocal overlap
        chat, text = text_of(update)
        assert chat not in busy, "two updates of one person were applied at the same time"
        busy.add(chat)
        overlap = max(overlap, len(busy))
        # Earlier updates take longer: without a per-person queue later ones would overtake.
        await asyncio.sleep(rng.uniform(0.0, 0.03) * (10 - int(text)) / 10)
        seen[chat].append(text)
        busy.discard(chat)

    people = [fake.user(7000 + i, f"Học viên {i}") for i in range(8)]
    for n in range(5):  # waiting before polling starts: they come in one batch
        for person in people:
            await person.send_text(str(n))
    polling = Polling(bot, handle, limit=64)
    try:
        for n in range(5, 10):  # and the rest while earlier ones are still being handled
            for person in people:
                await person.send_text(str(n))
            await asyncio.sleep(0.01)
        last = fake.updates[-1]["update_id"]
        await fake.wait_until(lambda: fake.confirmed_offset > last, timeout=20)
    finally:
        await polling.close()
    assert {chat: texts for chat, texts in seen.items()} == {
        p.chat_id: [str(n) for n in range(10)] for p in people
    }
    assert overlap > 1  # different people were served at the same time


async def test_only_finished_updates_are_confirmed(fake: FakeTelegram, bot: Bot) -> None:
    release = asyncio.Event()
    done: list[int] = []

    async def handle(update: Update) -> None:
        chat, _ = text_of(update)
        if chat == 7100:
            await release.wait()
        done.append(chat)

    slow, quick = fake.user(7100, "Chậm"), fake.user(7101, "Nhanh")
    stuck = await slow.send_text("1")
    polling = Polling(bot, handle, limit=64)
    try:
        for n in range(3):
            await quick.send_text(str(n))
        await fake.wait_until(lambda: done.count(7101) == 3, timeout=10)
        await asyncio.sleep(0.5)  # several getUpdates later
        # The later updates are applied, but the one in flight holds the offset back: a crash
        # now redelivers it (and the engine recognises those already applied).
        assert fake.confirmed_offset == stuck["update_id"]
        release.set()
        last = fake.updates[-1]["update_id"]
        await fake.wait_until(lambda: fake.confirmed_offset > last, timeout=10)
    finally:
        release.set()
        await polling.close()
    assert done == [7101, 7101, 7101, 7100]


async def test_a_flood_is_held_to_the_in_flight_bound(fake: FakeTelegram, bot: Bot) -> None:
    inside = 0
    most = 0
    handled = 0

    async def handle(update: Update) -> None:
        nonlocal inside, most, handled
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.02)
        inside -= 1
        handled += 1

    for i in range(600):
        await fake.user(8000 + i, "Ai đó").send_text("/start")
    polling = Polling(bot, handle, limit=25)
    try:
        await fake.wait_until(lambda: handled == 600, timeout=30)
    finally:
        await polling.close()
    assert most <= 25
    assert polling.pipeline.peak <= 25
    assert most > 5  # and it did run many people at once
    assert fake.confirmed_offset > fake.updates[-1]["update_id"]


async def test_an_update_the_bot_cannot_read_is_skipped_and_polling_goes_on(
    fake: FakeTelegram, bot: Bot
) -> None:
    """A newer Bot API can send what this aiogram cannot parse (here a message forwarded
    from a new kind of origin). Polling used to stop with the parsing error, and after a
    restart the same update came first again: the bot served nobody."""
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    person = fake.user(7200, "Lan")
    message = fake._new_user_message(person, "xin chào").to_api()
    odd = fake.enqueue_update(
        {"message": {**message, "forward_origin": {"type": "origin_from_the_future", "date": 1}}}
    )
    after = await person.send_text("/start")
    polling = Polling(bot, handle, limit=8)
    try:
        await fake.wait_until(lambda: fake.confirmed_offset > after["update_id"], timeout=10)
    finally:
        await polling.close()
    assert handled == [after["update_id"]]
    assert odd["update_id"] < fake.confirmed_offset
