"""Without Redis, a broadcast started with `hocvuso broadcast send` while the bot runs is sent by
the running bot's worker alone, at one bot-wide rate; with nothing running, the command sends it
itself. Against the fake Bot API enforcing the bot's rate (429 beyond it)."""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.cli import scheduler as cli
from hocvuso.config import Settings
from hocvuso.delivery import broadcasts
from hocvuso.delivery.botapi import ApiAnswer
from hocvuso.scheduler.senders import SenderLease
from hocvuso.scheduler.service import SchedulerService, make_api
from tests.factories import LEARNER, TERMS, insert_learner
from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeTelegram

RATE = 40
TEXT = "📣 <b>Thông báo</b>: hạn 31/12/2026 đạt chuẩn kỹ năng số."


class NeverLeads:
    """The scheduled jobs are not what this test is about."""

    async def acquire(self) -> bool:
        return False

    async def release(self) -> None:
        return None


class Counting:
    """The running bot's Bot API client, counting what it sends."""

    def __init__(self, settings: Settings) -> None:
        self.api = make_api(settings)
        self.bot_id = self.api.bot_id
        self.sent = 0

    async def send_message(self, chat_id: int, text: str, buttons: Any) -> ApiAnswer:
        answer = await self.api.send_message(chat_id, text, buttons)
        self.sent += answer.ok
        return answer

    async def close(self) -> None:
        await self.api.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(global_rate=RATE, per_chat_rate=1)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    text = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=text, width=150))
    return text


async def learners(database: AsyncEngine, fake: FakeTelegram, count: int) -> list[int]:
    for _ in range(count):
        await insert_learner(database)
    async with database.connect() as connection:
        chats = list((await connection.scalars(select(LEARNER.c.chat_id))).all())
    for chat in chats:
        fake.user(chat)
    return chats


def received(fake: FakeTelegram) -> Counter[int]:
    return Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage") if c.ok)


async def test_a_cli_broadcast_beside_the_running_bot_is_sent_once_by_the_bot_at_one_rate(
    database: AsyncEngine, database_url: str, fake: FakeTelegram, output: io.StringIO
) -> None:
    chats = await learners(database, fake, 4 * RATE)
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        telegram_token=DEFAULT_TOKEN,
        telegram_api_url=fake.base_url,
        broadcast_rate=RATE,
        _env_file=None,
    )
    api = Counting(settings)
    bot = SchedulerService(
        database, settings, None, api=api, bot_id=api.bot_id, leadership=NeverLeads()
    )
    await bot.start()
    try:
        lease = SenderLease(database, api.bot_id)
        for _ in range(100):  # the running bot holds the sender lease from its start
            if await lease.current():
                break
            await asyncio.sleep(0.05)

        created = await broadcasts.announce(database, TEXT, consent=TERMS)
        await cli._deliver(database, settings, created.broadcast_id, send=True)
    finally:
        await bot.stop()

    assert "sent by the running `hocvuso run`" in output.getvalue()
    assert received(fake) == Counter(chats)  # everyone, once
    assert api.sent == len(chats)  # all by the running bot, none by the command
    # One bot-wide rate: the fake refused nothing, and the broadcast went out no faster than the
    # rate (two senders each pacing themselves would have gone at twice the rate, and met 429s).
    # A strict one-second window is checked on the pacer itself (tests/delivery/test_pacer.py):
    # here the fake shares the test's event loop, which bunches arrivals by a few milliseconds,
    # and on a loaded machine the first send arrives late after its slot, shortening the measured
    # span (CI measured 159 intervals in 3.96 s: 40.1/s against 40). Two senders each at the full
    # rate would come near twice it, so a 10% allowance still tells one rate from two.
    assert fake.rate_limited_count == 0
    sends = sorted(c.at for c in fake.calls_to("sendMessage"))
    assert (len(sends) - 1) / (sends[-1] - sends[0]) <= RATE * 1.1


async def test_with_no_sender_running_the_command_sends_itself(
    database: AsyncEngine, database_url: str, fake: FakeTelegram, output: io.StringIO
) -> None:
    chats = await learners(database, fake, 5)
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        telegram_token=DEFAULT_TOKEN,
        telegram_api_url=fake.base_url,
        _env_file=None,
    )
    created = await broadcasts.announce(database, TEXT, consent=TERMS)
    await cli._deliver(database, settings, created.broadcast_id, send=True)
    assert received(fake) == Counter(chats)
    assert "sent by the running" not in output.getvalue()
    assert await SenderLease(database, make_api(settings).bot_id).current() is None  # released
