"""Many learners at once against the real bot process: nobody gets an error reply.

Reply-time figures are printed by ``bench/learners.py``; this test only checks correctness.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack
from hocvuso.storage.models import LessonProgress, QuizAttempt
from tests.e2e.harness import BotProcess, Learner, short_session
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
LEARNERS = 50


async def test_fifty_learners_in_parallel_all_complete_their_sessions(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    learners = [
        Learner(fake, fake.user(7000 + i, f"Học viên {i}"), core_pack) for i in range(LEARNERS)
    ]
    await asyncio.gather(*(short_session(learner) for learner in learners))
    assert [learner for learner in learners if learner.saw_error()] == []
    async with engine_db.connect() as connection:
        answers = (await connection.execute(select(func.count()).select_from(QuizAttempt))).one()
        done = (
            await connection.execute(
                select(func.count())
                .select_from(LessonProgress)
                .where(LessonProgress.status == "done")
            )
        ).one()
    assert answers[0] == sum(learner.answered for learner in learners) == LEARNERS * 6
    assert done[0] == LEARNERS * 2
    fake.assert_no_invalid_requests()


async def test_a_kill_with_many_updates_in_flight_loses_none_and_applies_none_twice(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    learners = [Learner(fake, fake.user(7500 + i, f"Người học {i}"), core_pack) for i in range(20)]

    async def crash_midway() -> None:
        await fake.wait_until(lambda: sum(x.answered for x in learners) >= 30, timeout=120)
        await bot.kill()  # dozens of updates of different people are in the pipeline now
        await bot.start()

    await asyncio.gather(crash_midway(), *(short_session(x, lessons=1) for x in learners))
    assert [x for x in learners if x.saw_error()] == []
    async with engine_db.connect() as connection:
        answers = (await connection.execute(select(func.count()).select_from(QuizAttempt))).one()
        twice = (
            await connection.execute(
                text(
                    "SELECT count(*) FROM (SELECT learner_id, prompt_nonce FROM quiz_attempt "
                    "GROUP BY learner_id, prompt_nonce HAVING count(*) > 1) d"
                )
            )
        ).one()
    assert answers[0] == sum(x.answered for x in learners) == 20 * 3
    assert twice[0] == 0
    # A replayed edit that had reached Telegram before the kill is "not modified": tolerated.
    assert [e for e in fake.invalid_requests if "not modified" not in e.description] == []
