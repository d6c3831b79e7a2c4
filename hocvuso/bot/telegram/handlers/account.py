"""The learner's own record: /progress, /settings, /certificate, /mydata, /forget, /help."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message, Update

from hocvuso.bot.telegram.bridge import apply
from hocvuso.bot.telegram.sender import Sender
from hocvuso.learning import actions as a
from hocvuso.learning.engine import Engine

router = Router(name="account")
router.message.filter(F.chat.type == "private")

ACCOUNT_ACTIONS = (a.SET_LANGUAGE, a.SET_HOUR, a.SET_ROLE, a.SET_PAUSE, a.FORGET)


@router.message(Command("progress", "settings", "certificate", "mydata", "forget", "help"))
async def account_command(
    message: Message, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, message=message)


@router.callback_query(F.data.func(lambda d: d.split(":", 1)[0] in ACCOUNT_ACTIONS))
async def account_button(
    callback: CallbackQuery, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, callback=callback)
