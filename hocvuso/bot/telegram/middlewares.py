"""Cross-cutting concerns for every incoming event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message, TelegramObject

from hocvuso.bot.telegram.sender import Sender
from hocvuso.i18n import language_of, t
from hocvuso.storage.state import RateLimiter

log = logging.getLogger(__name__)


class ThrottleMiddleware(BaseMiddleware):
    """Protects the service from floods of one person's events (shared through Redis)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = getattr(event, "from_user", None)
        if user is None or await self.limiter.hit(f"tg:{user.id}"):
            return await handler(event, data)
        language = language_of(user.language_code)
        if isinstance(event, CallbackQuery):
            try:
                await event.answer(t(language, "slow-down"), show_alert=True)
            except TelegramBadRequest:  # answered before: Telegram sent this press again
                log.info("callback query over the limit could not be answered")
        elif isinstance(event, Message):
            sender: Sender = data["sender"]  # the sender of the bot this event came to
            await sender.deliver_text(event.chat.id, t(language, "slow-down"))
        return None
