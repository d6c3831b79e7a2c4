"""The one honest catch-all: every private text message and every button press goes to the
engine, whose routing table (:mod:`hocvuso.chat.routing`) decides what it means; routing is not
done twice. Messages that are not text get a polite explanation.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, Update

from hocvuso.bot.telegram.bridge import apply
from hocvuso.bot.telegram.sender import Sender
from hocvuso.chat.engine import Engine
from hocvuso.i18n import language_of, t

router = Router(name="chat")


# The filters are coroutines, not magic filters (``F.text``): aiogram runs a plain callable in
# a thread (``asyncio.to_thread``), a thread hand-off per filter per update.
async def in_private_chat(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


async def has_text(message: Message) -> bool:
    return bool(message.text)


router.message.filter(in_private_chat)


@router.message(has_text)
async def text(message: Message, event_update: Update, engine: Engine, sender: Sender) -> None:
    await apply(engine, sender, event_update, message=message)


@router.message()
async def not_text(message: Message, sender: Sender) -> None:
    language = language_of(message.from_user.language_code if message.from_user else None)
    await sender.deliver_text(message.chat.id, t(language, "unsupported-message"))


@router.callback_query()
async def button(
    callback: CallbackQuery, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, callback=callback)
