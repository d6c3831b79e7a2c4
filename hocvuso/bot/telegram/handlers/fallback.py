"""Catch-all (registered last): typed answers and codes, unknown commands, anything else.

Free text goes to the engine (it may be a unit code or a typed answer letter); messages that are
not text get a polite explanation; a button that is not ours is refused by the engine.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message, Update

from hocvuso.bot.telegram.bridge import apply
from hocvuso.bot.telegram.sender import Sender
from hocvuso.i18n import t
from hocvuso.learning.engine import Engine

router = Router(name="fallback")
router.message.filter(F.chat.type == "private")


@router.message(F.text)
async def text(message: Message, event_update: Update, engine: Engine, sender: Sender) -> None:
    await apply(engine, sender, event_update, message=message)


@router.message()
async def not_text(message: Message, sender: Sender) -> None:
    language = "en" if (message.from_user and message.from_user.language_code == "en") else "vi"
    await sender.deliver_text(message.chat.id, t(language, "unsupported-message"))


@router.callback_query()
async def unknown_button(
    callback: CallbackQuery, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, callback=callback)
