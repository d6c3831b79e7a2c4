"""Translate Telegram events into engine events and the engine's outcome into Bot API calls."""

from __future__ import annotations

import asyncio
import logging

from aiogram.types import CallbackQuery, Message, Update, User

from hocvuso.bot.telegram.sender import TOAST_LIMIT, Sender
from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Event, Person, Press, parse_text
from hocvuso.chat.replies import Outcome

log = logging.getLogger(__name__)
PLATFORM = "telegram"


def person_of(user: User | None, chat_id: int, bot_id: int = 0) -> Person:
    name = None
    language = None
    if user is not None:
        name = " ".join(p for p in (user.first_name, user.last_name) if p) or None
        language = user.language_code
    return Person(PLATFORM, chat_id, name, language, bot_id)


def event_of(message: Message) -> Event:
    return parse_text(message.text or "")


async def apply(
    engine: Engine,
    sender: Sender,
    update: Update,
    *,
    message: Message | None = None,
    callback: CallbackQuery | None = None,
    event: Event | None = None,
) -> None:
    """Apply one update through the engine and deliver what it produced, exactly once."""
    bot = sender.bot
    if callback is not None:
        # The person is who pressed (only presses in private chats get here: there the chat
        # is that person's, and the replies go to them).
        chat_id = callback.from_user.id
        person = person_of(callback.from_user, chat_id, bot.id)
        event = event or Press(callback.data or "")
        source = callback.message.message_id if callback.message else None
    else:
        assert message is not None
        chat_id = message.chat.id
        person = person_of(message.from_user, chat_id, bot.id)
        event = event or event_of(message)
        source = None
    key = (bot.id, update.update_id)
    outcome = await engine.handle(person, event, key)
    log.info(
        "update %s: %s learner=%s replies=%d duplicate=%s",
        update.update_id,
        type(event).__name__,
        outcome.learner_id,
        len(outcome.replies),
        outcome.duplicate,
    )
    if outcome.duplicate and not outcome.replies:
        # Applied and delivered before (its button press was answered then): nothing to do.
        return
    answering: asyncio.Task[None] | None = None
    if callback is not None and not outcome.duplicate:
        # A redelivered press may have been answered before the crash, and Telegram refuses a
        # second answer; an unanswered one just stops spinning on the phone. The answer goes
        # out beside the replies, not before them: neither waits for the other.
        answering = asyncio.create_task(_answer(sender, callback, outcome, update.update_id))
    try:
        if await sender.deliver(chat_id, outcome.replies, source_message_id=source):
            await _mark_delivered(engine, key)
    finally:
        if answering is not None:
            await answering


async def _mark_delivered(engine: Engine, key: tuple[int, int]) -> None:
    """The replies have reached the person: failing to record that (the database restarting
    just then) is no error of theirs, and an "error, try again" after the reply they got would
    make them act twice. The update keeps its stored replies: a redelivery sends them again."""
    try:
        await engine.mark_delivered(key)
    except Exception:
        log.warning("update %s: delivered but not recorded as delivered", key[1], exc_info=True)


async def _answer(
    sender: Sender, callback: CallbackQuery, outcome: Outcome, update_id: int
) -> None:
    toast = outcome.toast[:TOAST_LIMIT] if outcome.toast else None
    try:
        await sender.call(lambda: callback.answer(toast, show_alert=outcome.alert))
    except Exception:  # an expired query cannot be answered; the replies still go out
        log.info("callback query %s could not be answered", update_id)
