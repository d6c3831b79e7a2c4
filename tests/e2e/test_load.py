"""Many learners at once against the real bot process: nobody gets an error reply.

Reply-time figures are printed by ``bench/learners.py``; this test only checks correctness.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
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
