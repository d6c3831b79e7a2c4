"""Mount the hocvuso engine in an existing python-telegram-bot (v21+) application.

hocvuso's own bot runs on aiogram; this adapter exists for organisations that already run a PTB
bot and want to add the course to it::

    from hocvuso.bot.ptb import add_hocvuso_handlers
    add_hocvuso_handlers(application, runtime.engine, group=1)

The engine is the same: one transaction per update, redelivered updates recognised, replies
stored until delivered. Needs the ``ptb`` extra (``pip install hocvuso[ptb]``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from hocvuso.bot.telegram.sender import TOAST_LIMIT, split_text
from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Event, Person, Press, parse_text
from hocvuso.chat.replies import Reply, ready

log = logging.getLogger(__name__)
PLATFORM = "telegram"
# What aiogram's DefaultBotProperties(link_preview=...) gives hocvuso's own bot. Passed on each
# call rather than as the application's Defaults, which belong to the host bot.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_TRIES = 5


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )


async def _call(make: Any) -> Any:
    for _ in range(MAX_TRIES):
        try:
            return await make()
        except RetryAfter as exc:
            delay = exc.retry_after
            await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds") else delay)
    return await make()


class HocvusoPTBHandler:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        user = update.effective_user
        # Only private chats are served (a press on a message in a group is not answered);
        # the person is who wrote or pressed, and there the chat is theirs.
        if chat is None or chat.type != ChatType.PRIVATE or user is None:
            return
        name = " ".join(p for p in (user.first_name, user.last_name) if p)
        person = Person(PLATFORM, user.id, name or None, user.language_code, context.bot.id)
        query = update.callback_query
        event: Event
        if query is not None:
            event = Press(query.data or "")
        else:
            message = update.effective_message
            event = parse_text(message.text or "" if message else "")
        key = (context.bot.id, update.update_id)
        outcome = await self.engine.handle(person, event, key)
        if query is not None:
            toast = outcome.toast[:TOAST_LIMIT] if outcome.toast else None
            await _call(lambda: query.answer(toast, show_alert=outcome.alert))
        source = query.message.message_id if query is not None and query.message else None
        try:
            for reply in outcome.replies:
                made = await ready(reply)  # a document made at send time is made now
                if made is not None:
                    await self._send(context, user.id, made, source)
        except Forbidden:
            await self.engine.mark_blocked(PLATFORM, user.id, context.bot.id)
            return
        await self.engine.mark_delivered(key)

    async def _send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, source: int | None
    ) -> None:
        bot = context.bot
        if reply.document is not None:
            document = reply.document
            await _call(
                lambda: bot.send_document(
                    chat_id, document.content, filename=document.filename, caption=reply.text[:1024]
                )
            )
            return
        if reply.edit and source is not None:
            try:
                await _call(
                    lambda: bot.edit_message_text(
                        reply.text,
                        chat_id=chat_id,
                        message_id=source,
                        parse_mode=ParseMode.HTML,
                        reply_markup=_markup(reply),
                        link_preview_options=NO_PREVIEW,
                    )
                )
                return
            except BadRequest as exc:
                if "not modified" in str(exc):
                    return
        parts = split_text(reply.text)
        for i, part in enumerate(parts):
            markup = _markup(reply) if i == len(parts) - 1 else None
            await _call(
                lambda part=part, markup=markup: bot.send_message(
                    chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                )
            )


def add_hocvuso_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], engine: Engine, group: int = 0
) -> None:
    """Register handlers that pass private-chat messages and button presses to the engine."""
    handler = HocvusoPTBHandler(engine)
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, handler), group)
    application.add_handler(CallbackQueryHandler(handler), group)  # private ones: see handler
