"""/start (with an optional deep-link payload) and the consent and onboarding buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, Message, Update

from hocvuso.bot.telegram.bridge import apply
from hocvuso.bot.telegram.sender import Sender
from hocvuso.learning import actions as a
from hocvuso.learning.engine import Engine

router = Router(name="onboarding")
router.message.filter(F.chat.type == "private")

ONBOARDING_ACTIONS = (a.CONSENT_YES, a.CONSENT_NO, a.LANGUAGE, a.ROLE, a.UNIT_SKIP, a.PLACEMENT)


@router.message(CommandStart())
async def start(message: Message, event_update: Update, engine: Engine, sender: Sender) -> None:
    await apply(engine, sender, event_update, message=message)


@router.callback_query(F.data.func(lambda d: d.split(":", 1)[0] in ONBOARDING_ACTIONS))
async def onboarding_button(
    callback: CallbackQuery, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, callback=callback)
