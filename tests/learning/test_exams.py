"""Level exams: the cool-down after a fail, the grade, one certificate per learner and level."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import course, exams
from tests.factories import insert_learner

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def _take(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    learner_id: int,
    right: int,
    at: datetime,
) -> exams.Result:
    async with sessions() as session, session.begin():
        exam = await exams.start(session, pack, learner_id, 1, random.Random(7), at)
        for n in range(len(exam.question_ids)):
            exams.record(exam, n < right)
        return await exams.finish(session, pack, exam, at)


async def test_a_failed_exam_waits_out_the_cool_down_and_a_pass_certifies_once(
    sessions: async_sessionmaker[AsyncSession], database: AsyncEngine, pack: Pack
) -> None:
    learner_id = await insert_learner(database)
    size = exams.size(pack, 1)
    needed = course.pass_mark(pack, 1, size)

    failed = await _take(sessions, pack, learner_id, needed - 1, NOW)
    assert failed.certificate is None and failed.needed == needed
    assert failed.retry_at == NOW + timedelta(hours=exams.cooldown_hours(pack, 1))
    async with sessions() as session:
        almost = failed.retry_at - timedelta(minutes=1)
        assert await exams.cooldown_until(session, pack, learner_id, 1, almost) == failed.retry_at
        assert await exams.cooldown_until(session, pack, learner_id, 1, failed.retry_at) is None

    passed = await _take(sessions, pack, learner_id, needed, failed.retry_at)
    assert passed.issued and passed.certificate is not None
    assert passed.certificate.id.startswith("HVS1-") and passed.certificate.score == needed
    again = await _take(sessions, pack, learner_id, size, failed.retry_at + timedelta(days=1))
    assert not again.issued and again.certificate is not None
    assert again.certificate.id == passed.certificate.id  # the first one stands
    async with sessions() as session:
        assert [c.id for c in await exams.certificates(session, learner_id)] == [
            passed.certificate.id
        ]
