"""Level exams and certification: the cool-down after a failed attempt, the draw, the grade,
the certificate (one per learner and level, whatever happens twice)."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing
from hocvuso.learning import certification, course
from hocvuso.storage.models import Certificate, ExamAttempt, Learner

CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
DEFAULT_COOLDOWN_HOURS = 24
DEFAULT_SIZE = 10


def cooldown_hours(pack: Pack, level: int) -> int:
    info = pack.level_info(level)
    return info.exam.cooldown_hours if info else DEFAULT_COOLDOWN_HOURS


def size(pack: Pack, level: int) -> int:
    info = pack.level_info(level)
    return info.exam.size if info else DEFAULT_SIZE


async def certificate_for(session: AsyncSession, learner_id: int, level: int) -> Certificate | None:
    result = await session.exec(
        select(Certificate).where(Certificate.learner_id == learner_id, Certificate.level == level)
    )
    return result.first()


async def certificates(session: AsyncSession, learner_id: int) -> list[Certificate]:
    result = await session.exec(
        select(Certificate)
        .where(Certificate.learner_id == learner_id)
        .order_by(col(Certificate.level))
    )
    return list(result.all())


async def cooldown_until(
    session: AsyncSession, pack: Pack, learner_id: int, level: int, now: datetime
) -> datetime | None:
    """When the learner may try the level's exam again after a failed attempt (None: now)."""
    result = await session.exec(
        select(func.max(ExamAttempt.finished_at)).where(
            ExamAttempt.learner_id == learner_id,
            ExamAttempt.level == level,
            ExamAttempt.passed == False,  # noqa: E712 - SQL comparison
        )
    )
    last_failed = result.one()
    if last_failed is None:
        return None
    until: datetime = last_failed + timedelta(hours=cooldown_hours(pack, level))
    return until if until > now else None


async def start(
    session: AsyncSession,
    pack: Pack,
    learner_id: int,
    level: int,
    rng: random.Random,
    now: datetime,
) -> ExamAttempt:
    """Draw the questions and open the attempt."""
    questions = course.exam_questions(pack, level, rng)
    exam = ExamAttempt(learner_id=learner_id, level=level, question_ids=questions, started_at=now)
    session.add(exam)
    await session.flush()
    return exam


def record(exam: ExamAttempt, correct: bool) -> None:
    """One answer of the attempt (no feedback is given during an exam)."""
    exam.answered += 1
    exam.correct += int(correct)


@dataclass(frozen=True)
class Result:
    exam: ExamAttempt
    total: int
    needed: int
    #: On a pass: the certificate, and whether this attempt issued it (not an earlier one).
    certificate: Certificate | None = None
    issued: bool = False
    #: On a fail: when the learner may try again.
    retry_at: datetime | None = None


async def finish(
    session: AsyncSession,
    pack: Pack,
    exam: ExamAttempt,
    now: datetime,
    *,
    settings: Settings | None = None,
    ring: KeyRing | None = None,
) -> Result:
    """Grade the attempt; on a pass, certify the learner for the level (once). Given the
    settings and the signing keys, the certificate's credential is signed in this transaction."""
    total = len(exam.question_ids)
    needed = course.pass_mark(pack, exam.level, total)
    exam.passed = exam.correct >= needed
    exam.finished_at = now
    if not exam.passed:
        retry = now + timedelta(hours=cooldown_hours(pack, exam.level))
        return Result(exam, total, needed, retry_at=retry)
    certificate = await certificate_for(session, exam.learner_id, exam.level)
    if certificate is not None:
        return Result(exam, total, needed, certificate)
    assert exam.id is not None  # flushed when it started
    certificate = Certificate(
        id=new_certificate_id(exam.level),
        learner_id=exam.learner_id,
        level=exam.level,
        exam_id=exam.id,
        score=exam.correct,
        total=total,
        issued_at=now,
    )
    session.add(certificate)
    if settings is not None and ring is not None:
        learner = await session.get(Learner, exam.learner_id)
        assert learner is not None
        await certification.issue(session, settings, ring, certificate, learner, pack)
    return Result(exam, total, needed, certificate, issued=True)


def new_certificate_id(level: int) -> str:
    body = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(8))
    return f"HVS{level}-{body[:4]}-{body[4:]}"
