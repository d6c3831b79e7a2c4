"""/learn, /review and the study buttons (answers, lesson quiz, continue, exam)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message, Update

from hocvuso.bot.telegram.bridge import apply
from hocvuso.bot.telegram.sender import Sender
from hocvuso.learning import actions as a
from hocvuso.learning.engine import Engine

router = Router(name="learning")
router.message.filter(F.chat.type == "private")

STUDY_ACTIONS = (a.ANSWER, a.QUIZ, a.NEXT, a.STOP, a.EXAM, a.LEARN)


@router.message(Command("learn", "review"))
async def learn(message: Message, event_update: Update, engine: Engine, sender: Sender) -> None:
    await apply(engine, sender, event_update, message=message)


@router.callback_query(F.data.func(lambda d: d.split(":", 1)[0] in STUDY_ACTIONS))
async def study_button(
    callback: CallbackQuery, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, callback=callback)
