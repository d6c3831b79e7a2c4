"""Cross-cutting concerns for every incoming event, in this order: only private chats are
served (``PrivateChatsOnly``), then one person's flood is cut short (``ThrottleMiddleware``).

Neither waits on a Bot API call: what they send (a toast, a "slow down" notice) goes out beside
the update, which is finished at once, so a flood of one person's updates, or of a group's,
never holds the pipeline (or anyone else's replies) back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject

from hocvuso.bot.telegram.sender import Sender
from hocvuso.i18n import language_of, plain, t, tp
from hocvuso.storage.state import RateLimiter

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Beside:
    """Bot API calls that go out beside the update instead of before its end (kept referenced
    until done; a failure is logged without personal data)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, call: Awaitable[Any], what: str) -> None:
        task = asyncio.create_task(self._quietly(call, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _quietly(call: Awaitable[Any], what: str) -> None:
        try:
            await call
        except Exception as exc:
            log.info("%s not sent (%s)", what, type(exc).__name__)

    async def join(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def private(event: TelegramObject) -> bool:
    """Is this a message in, or a press on a message in, a private chat with the bot?"""
    if isinstance(event, Message):
        return event.chat.type == ChatType.PRIVATE and event.from_user is not None
    if isinstance(event, CallbackQuery):
        return event.message is not None and event.message.chat.type == ChatType.PRIVATE
    return False


class PrivateChatsOnly(BaseMiddleware):
    """Groups, supergroups and channels are not served: nothing is posted there and nobody
    becomes a learner through them. A press on a bot message in a group gets a short toast
    (so the button stops spinning) and nothing else."""

    def __init__(self, beside: Beside) -> None:
        self.beside = beside

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if private(event):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            text = tp(language_of(event.from_user.language_code), "private-only")
            self.beside.start(event.answer(text), "a toast to a press in a group")
        return None


class ThrottleMiddleware(BaseMiddleware):
    """Protects the service from floods of one person's events (shared through Redis).

    Over the limit, an event is dropped at once. The person hears "slow down" once per window
    (the first event over the limit; a toast for a press, a message otherwise); every later
    press is still answered, without a text, so that its button stops spinning.
    """

    def __init__(self, limiter: RateLimiter, beside: Beside | None = None) -> None:
        self.limiter = limiter
        self.beside = beside or Beside()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = getattr(event, "from_user", None)
        if user is None:
            return await handler(event, data)
        subject = f"tg:{user.id}"
        if await self.limiter.hit(subject):
            return await handler(event, data)
        notice = await self.limiter.first_refusal(subject)
        text = t(language_of(user.language_code), "slow-down")
        if isinstance(event, CallbackQuery):
            answer = event.answer(plain(text), show_alert=True) if notice else event.answer()
            self.beside.start(answer, "an answer to a press over the limit")
        elif isinstance(event, Message) and notice:
            sender: Sender = data["sender"]  # the sender of the bot this event came to
            self.beside.start(sender.deliver_text(event.chat.id, text), "a slow-down notice")
        return None
