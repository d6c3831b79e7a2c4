"""The engine mounted in a python-telegram-bot application, against the fake Bot API."""

from __future__ import annotations

import pytest
from telegram.ext import Application

from hocvuso.bot.ptb import add_hocvuso_handlers
from hocvuso.chat.engine import Engine
from tests.fakes.telegram_api import FakeTelegram


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_ptb_application_serves_the_course(engine: Engine) -> None:
    async with FakeTelegram() as fake:
        application = (
            Application.builder()
            .token(fake.token)
            .base_url(f"{fake.base_url}/bot")
            .base_file_url(f"{fake.base_url}/file/bot")
            .build()
        )
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
