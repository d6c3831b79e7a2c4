"""The yardstick of bench/throughput.py: a bare aiogram 3 bot that answers every message once.

Long polling with aiogram's defaults (updates handled as concurrent tasks), no storage, no
middleware. It clears the webhook first, as ``hocvuso run`` does, so that the bench can tell
when it is ready.

    python bench/echo_bot.py TOKEN BASE_URL
"""

from __future__ import annotations

import asyncio
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def main(token: str, base_url: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(token=token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await bot.send_message(message.chat.id, message.text or "?")

    await bot.delete_webhook(drop_pending_updates=False)
    await dispatcher.start_polling(bot, handle_signals=True, allowed_updates=["message"])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
