"""The learner's record as the domain keeps it: streaks in local days, answers appended once,
lessons done, review cards scheduled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import records
from hocvuso.storage.models import ReviewCard
from tests.factories import insert_learner

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


def test_a_streak_counts_back_from_today_or_from_yesterday_if_not_studied_yet_today() -> None:
    today = date(2026, 12, 1)
    days = {today - timedelta(days=n) for n in (1, 2, 3, 5)}
    assert records.streak_of(days, today) == 3  # yesterday, the day before, and the one before
    assert records.streak_of(days | {today}, today) == 4
    assert records.streak_of({today - timedelta(days=2)}, today) == 0  # a gap yesterday


async def test_a_streak_is_counted_in_the_learners_local_days(
    sessions: async_sessionmaker[AsyncSession], database: AsyncEngine, pack: Pack
) -> None:
    learner_id = await insert_learner(database)
    # 23:30 UTC on 29/11 is 06:30 on 30/11 in Hà Nội: yesterday there, not the day before.
    async with sessions() as session, session.begin():
        for moment, nonce in ((datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "a"), (NOW, "b")):
            await records.record_answer(
                session, learner_id, "q", mode="exam", chosen=0, correct=True, nonce=nonce,
                lesson_id=None, exam_id=None, now=moment,
            )  # fmt: skip
    async with sessions() as session:
        assert await records.streak_days(session, learner_id, HANOI, NOW) == 2
        assert await records.streak_days(session, learner_id, ZoneInfo("UTC"), NOW) == 1


async def test_an_answer_is_recorded_once_per_prompt(
    sessions: async_sessionmaker[AsyncSession], database: AsyncEngine
) -> None:
    learner_id = await insert_learner(database)
    answer = {
        "mode": "lesson", "chosen": 1, "correct": False, "nonce": "n1", "lesson_id": "l",
        "exam_id": None, "now": NOW,
    }  # fmt: skip
    async with sessions() as session, session.begin():
        await records.record_answer(session, learner_id, "q1", **answer)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            await records.record_answer(session, learner_id, "q1", **answer)  # type: ignore[arg-type]
    async with sessions() as session:
        [card] = (await session.exec(select(ReviewCard))).all()
    # A wrong answer in a lesson: the question comes back for review, within a day.
    assert card.question_id == "q1" and card.lapses == 1
    assert NOW < card.due <= NOW + timedelta(days=1)


async def test_a_question_answered_again_updates_its_one_card(
    sessions: async_sessionmaker[AsyncSession], database: AsyncEngine
) -> None:
    learner_id = await insert_learner(database)
    # A lesson, the same lesson redone, then a review of the question.
    for mode, nonce, correct in (
        ("lesson", "n1", True),
        ("lesson", "n2", False),
        ("review", "n3", True),
    ):
        async with sessions() as session, session.begin():
            await records.record_answer(
                session, learner_id, "q1", mode=mode, chosen=1, correct=correct, nonce=nonce,
                lesson_id="l", exam_id=None, now=NOW,
            )  # fmt: skip
    async with sessions() as session:
        [card] = (await session.exec(select(ReviewCard))).all()
    assert (card.reps, card.lapses, card.last_review) == (3, 1, NOW)


async def test_lessons_done_and_placed_out_both_count_as_finished(
    sessions: async_sessionmaker[AsyncSession], database: AsyncEngine, pack: Pack
) -> None:
    learner_id = await insert_learner(database)
    first, second, third = list(pack.lessons.values())[:3]
    async with sessions() as session, session.begin():
        records.place_out(session, learner_id, [first], NOW)
        await records.start_lesson(session, learner_id, second, NOW)
        await records.start_lesson(session, learner_id, second, NOW)  # shown twice: one row
        await records.start_lesson(session, learner_id, third, NOW)
        finished = await records.finish_lesson(session, learner_id, second.lesson.id, NOW)
    assert finished == {first.lesson.id, second.lesson.id}
