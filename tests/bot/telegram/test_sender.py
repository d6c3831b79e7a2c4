"""Replies under Telegram's flood limits, against the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from hocvuso.bot.telegram.sender import Sender
from hocvuso.chat.replies import Reply
from tests.fakes.telegram_api import FakeTelegram


class Pauses:
    """A pacer that records what the sender tells bulk sending."""

    def __init__(self) -> None:
        self.notes: list[int | None] = []
        self.pauses: list[float] = []

    async def note(self, chat: int | None = None) -> None:
        self.notes.append(chat)

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)


async def never_blocked(chat_id: int) -> None:
    raise AssertionError(f"chat {chat_id} was marked blocked")


@pytest.fixture
async def session() -> AsyncIterator[list[AiohttpSession]]:
    sessions: list[AiohttpSession] = []
    yield sessions
    for s in sessions:
        await s.close()


def sender_for(fake: FakeTelegram, sessions: list[AiohttpSession], pacer: Pauses) -> Sender:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    sessions.append(session)
    return Sender(Bot(fake.token, session=session), never_blocked, pacer)


async def test_a_backlog_of_replies_to_one_chat_is_paced_in_order_and_leaves_others_alone(
    session: list[AiohttpSession],
) -> None:
    async with FakeTelegram(per_chat_rate=1.0) as fake:
        backlog, other = fake.user(9101, "Lan"), fake.user(9102, "Minh")
        pacer = Pauses()
        sender = sender_for(fake, session, pacer)
        replies = [Reply(f"Phản hồi {n}") for n in range(4)]
        other_done = asyncio.Event()

        async def the_other() -> None:
            await asyncio.sleep(0.2)  # while the backlog is waiting out its 429
            assert await sender.deliver(other.chat_id, [Reply("Xin chào")])
            other_done.set()

        backlog_task = asyncio.create_task(sender.deliver(backlog.chat_id, replies))
        await the_other()
        assert not backlog_task.done()  # the other person did not wait for the backlog
        assert await backlog_task
        assert backlog.texts[-4:] == [r.text for r in replies]
        assert other.texts[-1] == "Xin chào"
        assert fake.rate_limited_count >= 1
        # One chat's own limit never pauses bulk sending to everyone; every reply counted
        # against the bot-wide rate and its chat's.
        assert pacer.pauses == []
        assert set(pacer.notes) == {backlog.chat_id, other.chat_id}
        fake.assert_no_invalid_requests()


async def test_a_bot_wide_429_pauses_bulk_sending(session: list[AiohttpSession]) -> None:
    async with FakeTelegram(global_rate=1.0, global_burst=1) as fake:
        people = [fake.user(9200 + i, "Học viên") for i in range(3)]
        pacer = Pauses()
        sender = sender_for(fake, session, pacer)
        for person in people:  # one message each: no chat is over its own limit
            assert await sender.deliver(person.chat_id, [Reply("Nhắc học")])
        assert [p.texts[-1] for p in people] == ["Nhắc học"] * 3
        assert fake.rate_limited_count >= 1
        assert pacer.pauses and all(s >= 1 for s in pacer.pauses)


async def test_one_chats_429s_never_pause_bulk_sending_for_everyone(
    session: list[AiohttpSession],
) -> None:
    # Two processes of one bot (webhook workers, or a worker beside the bulk sender): one has
    # just written to the chat, so the other's message to it meets that chat's limit, however
    # often. A 429 for one chat is that chat's: the others' broadcast goes on.
    async with FakeTelegram(per_chat_rate=1.0) as fake:
        chatty, other = fake.user(9301, "Lan"), fake.user(9302, "Minh")
        pacer = Pauses()
        first = sender_for(fake, session, pacer)
        second = sender_for(fake, session, pacer)
        for n in range(3):
            assert await first.deliver(chatty.chat_id, [Reply(f"Một {n}")])
            assert await second.deliver(chatty.chat_id, [Reply(f"Hai {n}")])
        assert fake.rate_limited_count >= 3
        assert pacer.pauses == []
        assert await second.deliver(other.chat_id, [Reply("Xin chào")])
        assert len(chatty.texts) == 6 and other.texts == ["Xin chào"]
        fake.assert_no_invalid_requests()
