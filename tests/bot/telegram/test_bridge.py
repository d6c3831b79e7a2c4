"""The bridge between aiogram and the engine, against the fake Bot API over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.types import Update
from pydantic import SecretStr

from hocvuso.bot.telegram.app import build, make_bot
from hocvuso.chat.engine import Engine, UpdateKey
from hocvuso.config import Settings
from hocvuso.i18n import t
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram, settings: Settings) -> AsyncIterator[Bot]:
    settings = settings.model_copy(update={"telegram_api_url": fake.base_url})
    bot = make_bot(settings, SecretStr(fake.token))
    yield bot
    await bot.session.close()


# One database is enough (the bridge, not the store, is under test); and aiogram's routers are
# module-level, attached to one dispatcher per process.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_reply_delivered_while_the_database_drops_gets_no_error_notice(
    engine: Engine,
    settings: Settings,
    fake: FakeTelegram,
    bot: Bot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build(engine, bot, settings)
    person = fake.user(4242, "Lan")

    async def database_gone(key: UpdateKey) -> None:
        raise OSError("connection refused")  # the server restarting after the reply went out

    monkeypatch.setattr(engine, "mark_delivered", database_gone)
    payload = await person.send_text("/start")
    update = Update.model_validate(payload, context={"bot": bot})
    await app.dispatcher.feed_update(bot, update, sender=app.sender)
    assert person.texts, "the reply to /start went out"
    assert not any(t("vi", "error-generic") in text for text in person.texts), person.texts
