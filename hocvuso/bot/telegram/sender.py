"""Flood-safe sending of engine replies to Telegram.

A 429 waits its ``retry_after`` and tries again; a 403 marks the learner blocked and stops sending
to them; an edit that Telegram cannot apply falls back to a new message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from hocvuso.chat.replies import Reply

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TOAST_LIMIT = 200
MAX_TRIES = 5


class Blocked(Exception):
    """The person blocked the bot (403)."""


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split a long message at paragraph, then line boundaries (tags never span paragraphs)."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in text.split("\n"):
        candidate = f"{current}\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(block) > limit:
            parts.append(block[:limit])
            block = block[limit:]
        current = block
    if current:
        parts.append(current)
    return parts


class Pacing(Protocol):
    """The bulk sender's pacer (hocvuso.delivery.pacer): interactive calls count against the
    bot-wide rate first, and a 429 here pauses bulk sending too."""

    async def note(self) -> None: ...

    async def pause(self, seconds: float) -> None: ...


class Sender:
    def __init__(
        self,
        bot: Bot,
        on_blocked: Callable[[int], Awaitable[None]],
        pacer: Pacing | None = None,
    ) -> None:
        self.bot = bot
        self.on_blocked = on_blocked
        self.pacer = pacer

    async def _send_part(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message:
        return await self.bot.send_message(chat_id, text, reply_markup=markup)

    async def call(self, make: Callable[[], Awaitable[Any]]) -> Any:
        """Call the Bot API, waiting out flood limits and retrying transient failures."""
        for attempt in range(1, MAX_TRIES + 1):
            try:
                if self.pacer is not None:
                    await self._pacing(self.pacer.note())
                return await make()
            except TelegramRetryAfter as exc:
                log.warning("flood limit: waiting %ss", exc.retry_after)
                if self.pacer is not None:
                    await self._pacing(self.pacer.pause(exc.retry_after))
                await asyncio.sleep(exc.retry_after)
            except (TelegramNetworkError, TelegramServerError):
                if attempt == MAX_TRIES:
                    raise
                await asyncio.sleep(min(2**attempt * 0.25, 5))
        raise RuntimeError("unreachable")

    @staticmethod
    async def _pacing(call: Awaitable[None]) -> None:
        """Pacing is advice for bulk sending: an unreachable Redis never blocks a reply."""
        try:
            await call
        except Exception:
            log.warning("pacer unavailable", exc_info=True)

    async def deliver(
        self, chat_id: int, replies: list[Reply], *, source_message_id: int | None = None
    ) -> bool:
        """Send replies in order. Returns False if the person has blocked the bot."""
        try:
            for reply in replies:
                await self._one(chat_id, reply, source_message_id)
        except TelegramForbiddenError:
            log.info("a learner blocked the bot; stopping delivery to them")
            await self.on_blocked(chat_id)
            return False
        return True

    async def deliver_text(self, chat_id: int, text: str) -> bool:
        return await self.deliver(chat_id, [Reply(text)])

    async def _one(self, chat_id: int, reply: Reply, source_message_id: int | None) -> None:
        markup = keyboard(reply)
        if reply.document is not None:
            document = BufferedInputFile(reply.document.content, filename=reply.document.filename)
            await self.call(
                lambda: self.bot.send_document(
                    chat_id, document, caption=reply.text[:CAPTION_LIMIT], reply_markup=markup
                )
            )
            return
        if reply.edit and source_message_id is not None and len(reply.text) <= TEXT_LIMIT:
            try:
                await self.call(
                    lambda: self.bot.edit_message_text(
                        text=reply.text,
                        chat_id=chat_id,
                        message_id=source_message_id,
                        reply_markup=markup,
                    )
                )
                return
            except TelegramBadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.info("edit refused (%s); sending a new message", exc.message)
        parts = split_text(reply.text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            await self.call(partial(self._send_part, chat_id, part, markup if last else None))
