"""Flood-safe sending of engine replies to Telegram.

A 429 waits its ``retry_after`` and tries again, as often as it takes (up to ``MAX_FLOOD_WAIT``
seconds in all): a reply is late rather than lost or turned into an error message. Telegram does
not say which limit a 429 is. A 429 for one chat is taken for that chat's limit (about one
message a second, or a longer ban of a chat that floods): only that chat waits, and its next
messages are spaced out for a while, so a redelivered backlog of replies arrives in order and at
the pace Telegram accepts. Only when a second chat is refused while another's 429 is still
fresh (and neither was written to a moment before) is it the bot-wide limit, which pauses bulk
sending too (through the pacer): one person, however many 429s their chat earns, never pauses
the others. A 403 marks the learner
blocked and stops sending to them; an edit that Telegram cannot apply falls back to a new message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
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

from hocvuso.chat.replies import Reply, ready

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TOAST_LIMIT = 200
MAX_TRIES = 5
#: A reply waits out flood limits for this long in all before it gives up.
MAX_FLOOD_WAIT = 300.0
#: Telegram's limit within one chat: about one message a second.
CHAT_INTERVAL = 1.0
#: After a chat's own 429, its messages are spaced ``CHAT_INTERVAL`` apart for this long.
SLOW_SECONDS = 10.0


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

    async def note(self, chat: int | None = None) -> None: ...

    async def pause(self, seconds: float) -> None: ...


class ChatPace:
    """When each chat was last written to, and which chats are being spaced out after a 429.

    Bounded: only chats written to in the last few seconds matter, older entries are dropped.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = 50_000) -> None:
        self.clock = clock
        self.limit = limit
        self._last: OrderedDict[int, float] = OrderedDict()
        self._slow: dict[int, float] = {}
        #: The last 429 that was not a chat's own limit: its chat, and until when it is fresh.
        self._refused: tuple[int, float] | None = None

    def wait(self, chat_id: int) -> float:
        """Seconds until this chat may be written to again (0 unless it is being spaced out)."""
        now = self.clock()
        until = self._slow.get(chat_id)
        if until is None:
            return 0.0
        if until < now:
            del self._slow[chat_id]
            return 0.0
        return max(0.0, self._last.get(chat_id, 0.0) + CHAT_INTERVAL - now)

    def sent(self, chat_id: int) -> None:
        self._last[chat_id] = self.clock()
        self._last.move_to_end(chat_id)
        while len(self._last) > self.limit:
            chat, _ = self._last.popitem(last=False)
            self._slow.pop(chat, None)

    def refused(self, chat_id: int, retry_after: float) -> bool:
        """A 429 for this chat now: it is spaced out for a while. Is it the bot-wide limit?
        Only when another chat's 429 came within that one's ``retry_after`` (and a second
        more), and this chat was not written to under an interval ago (its own limit, then)."""
        now = self.clock()
        self._slow[chat_id] = now + SLOW_SECONDS
        last = self._last.get(chat_id)
        if last is not None and now - last < CHAT_INTERVAL:
            return False
        previous, self._refused = self._refused, (chat_id, now + retry_after + CHAT_INTERVAL)
        return previous is not None and previous[0] != chat_id and now < previous[1]


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
        self.chats = ChatPace()

    async def _send_part(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message:
        return await self.bot.send_message(chat_id, text, reply_markup=markup)

    async def call(self, make: Callable[[], Awaitable[Any]], chat_id: int | None = None) -> Any:
        """Call the Bot API, waiting out flood limits and retrying transient failures.

        ``chat_id``: the chat the call writes to, for that chat's own limit.
        """
        failures = 0
        waited = 0.0
        while True:
            if chat_id is not None and (gap := self.chats.wait(chat_id)) > 0:
                await asyncio.sleep(gap)
            try:
                if self.pacer is not None and chat_id is not None:
                    # Telegram limits messages, not answers to button presses: only a message
                    # to a chat counts against the bot-wide rate.
                    await self._pacing(self.pacer.note(chat_id))
                result = await make()
            except TelegramRetryAfter as exc:
                bot_wide = chat_id is None or self.chats.refused(chat_id, exc.retry_after)
                log.warning(
                    "flood limit (%s): waiting %ss",
                    "bot" if bot_wide else "one chat",
                    exc.retry_after,
                )
                if waited + exc.retry_after > MAX_FLOOD_WAIT:
                    raise
                if bot_wide and self.pacer is not None:
                    await self._pacing(self.pacer.pause(exc.retry_after))
                waited += exc.retry_after
                await asyncio.sleep(exc.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError):
                failures += 1
                if failures == MAX_TRIES:
                    raise
                await asyncio.sleep(min(2**failures * 0.25, 5))
                continue
            if chat_id is not None:
                self.chats.sent(chat_id)
            return result

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
                # A document made at send time (a certificate PDF) is made only now, after the
                # replies before it have gone out.
                made = await ready(reply)
                if made is not None:
                    await self._one(chat_id, made, source_message_id)
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
                ),
                chat_id,
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
                    ),
                    chat_id,
                )
                return
            except TelegramBadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.info("edit refused (%s); sending a new message", exc.message)
        parts = split_text(reply.text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            await self.call(
                partial(self._send_part, chat_id, part, markup if last else None), chat_id
            )
