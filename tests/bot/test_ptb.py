"""The engine mounted in a python-telegram-bot application, against the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application

from hocvuso.bot.ptb import add_hocvuso_handlers
from hocvuso.chat.engine import Engine
from tests.factories import LEARNER
from tests.fakes.telegram_api import FakeTelegram


def ptb_application(fake: FakeTelegram) -> Application:
    """A python-telegram-bot application talking to the fake Bot API."""
    return (
        Application.builder()
        .token(fake.token)
        .base_url(f"{fake.base_url}/bot")
        .base_file_url(f"{fake.base_url}/file/bot")
        .build()
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_ptb_application_serves_the_course(engine: Engine) -> None:
    async with FakeTelegram() as fake:
        application = ptb_application(fake)
        add_hocvuso_handlers(application, engine, group=1)
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                person = fake.user(8001, "Lý Hoa")
                await person.send_text("/start")
                consent = await person.wait_for_message(timeout=15)
                await person.press(consent, text="Tôi đồng ý")
                language = await person.wait_for_message(lambda m: bool(m.buttons), timeout=15)
                assert "ngôn ngữ" in (language.text or "")
                assert person.callback_answers  # the press was answered
            finally:
                await application.updater.stop()
                await application.stop()
        fake.assert_no_invalid_requests()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_ptb_application_serves_no_group(engine: Engine, engine_db: AsyncEngine) -> None:
    group = {"id": -1_009_876, "type": "supergroup", "title": "Tổ dân phố 5"}
    async with FakeTelegram() as fake:
        application = ptb_application(fake)
        add_hocvuso_handlers(application, engine, group=1)
        member = fake.user(8101, "Thành viên")
        fake.enqueue_update(
            {
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": group,
                    "from": member.to_api(),
                    "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                }
            }
        )
        fake.enqueue_update(
            {
                "callback_query": {
                    "id": "8101",
                    "from": member.to_api(),
                    "message": {
                        "message_id": 2,
                        "date": 0,
                        "chat": group,
                        "from": fake.bot_user,
                        "text": "Chọn",
                    },
                    "chat_instance": "5",
                    "data": "consent:yes",
                }
            }
        )
        last = fake.updates[-1]["update_id"]
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                await fake.wait_until(lambda: fake.confirmed_offset > last, timeout=15)
                await member.send_text("/start")  # privately: served
                consent = await member.wait_for_message(timeout=15)
            finally:
                await application.updater.stop()
                await application.stop()
        assert not [c for c in fake.calls if c.params.get("chat_id") == group["id"]]
        assert not fake.calls_to("answerCallbackQuery")
        async with engine_db.connect() as connection:
            chats = (await connection.scalars(select(LEARNER.c.chat_id))).all()
        assert chats == []  # the press on "I agree" in the group made nobody a learner
        assert "Tôi đồng ý" in " ".join(consent.button_texts)
        fake.assert_no_invalid_requests()
