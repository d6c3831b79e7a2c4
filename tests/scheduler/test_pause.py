""" "Tạm nghỉ": a learner pauses reminders from /settings or from the reminder itself."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from hocvuso.chat.events import Press
from hocvuso.storage.models import Learner
from tests.factories import Clock, Conversation


async def stored_learner(chat: Conversation) -> Learner:
    async with chat.engine.sessions() as session:
        return (await session.exec(select(Learner))).one()


async def test_pausing_for_three_days_lasts_until_the_end_of_the_third_local_day(
    chat: Conversation, clock: Clock
) -> None:
    await chat.onboard()
    await chat.send("/settings")
    await chat.press("Tạm nghỉ")
    assert "bao lâu" in chat.text
    await chat.press("3 ngày")
    assert "đến hết ngày 26/11/2026" in chat.text
    learner = await stored_learner(chat)
    assert learner.reminders_paused_until == datetime(
        2026, 11, 26, 17, 0, tzinfo=UTC
    )  # 00:00 on 27/11
    await chat.send("/settings")
    assert "Tạm nghỉ nhắc học đến hết ngày 26/11/2026" in chat.text


async def test_the_reminders_pause_button_works_and_can_be_undone(chat: Conversation) -> None:
    await chat.onboard()
    await chat.event(Press("sp::"))  # the button on a reminder
    await chat.press("Nhắc học lại")
    assert "Đã bật lại nhắc học" in chat.text
    assert (await stored_learner(chat)).reminders_paused_until is None
