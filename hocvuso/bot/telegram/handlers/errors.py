"""The last line of defence: log the failure (no personal data) and tell the person politely."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import ErrorEvent

from hocvuso.bot.telegram.middlewares import private
from hocvuso.bot.telegram.sender import Sender
from hocvuso.i18n import language_of, t

router = Router(name="errors")
log = logging.getLogger(__name__)


@router.errors()
async def on_error(event: ErrorEvent, sender: Sender) -> None:
    update = event.update
    log.error(
        "update %s (%s) failed", update.update_id, update.event_type, exc_info=event.exception
    )
    chat = None
    user = None
    # Only a private chat is told (groups are not served): the person who wrote or pressed.
    if update.message and update.message.chat.type == ChatType.PRIVATE:
        chat, user = update.message.chat.id, update.message.from_user
    elif (query := update.callback_query) and private(query):
        chat, user = query.from_user.id, query.from_user
    if chat is not None:
        language = language_of(user.language_code if user else None)
        try:
            await sender.deliver_text(chat, t(language, "error-generic"))
        except Exception:
            log.warning("could not tell the person about the failure of %s", update.update_id)
