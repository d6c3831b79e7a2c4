"""Organisers and mentors: /report, /broadcast, /mentees, /invite_mentor, /mentor_link,
/leaderboard and their buttons (broadcast confirm and progress, nudges, reply, mute)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message, Update

from hocvuso.bot.telegram.bridge import apply
from hocvuso.bot.telegram.sender import Sender
from hocvuso.learning import actions as a
from hocvuso.learning import staff
from hocvuso.learning.engine import Engine

router = Router(name="staff")
router.message.filter(F.chat.type == "private")


@router.message(Command(*staff.COMMANDS))
async def staff_command(
    message: Message, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, message=message)


@router.callback_query(F.data.func(lambda d: d.split(":", 1)[0] in a.STAFF))
async def staff_button(
    callback: CallbackQuery, event_update: Update, engine: Engine, sender: Sender
) -> None:
    await apply(engine, sender, event_update, callback=callback)
