"""Signed certificates in the store, as the exam issues them (for the web tests and others)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing
from hocvuso.learning import certification
from hocvuso.learning.exams import new_certificate_id
from hocvuso.storage import db
from hocvuso.storage.models import Certificate, ExamAttempt, Learner
from tests.factories import insert_learner

ISSUED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


async def issue_certificate(
    database: AsyncEngine,
    settings: Settings,
    ring: KeyRing,
    pack: Pack,
    *,
    name: str = "Nguyễn Thị Lan",
    level: int = 1,
) -> tuple[str, dict[str, Any]]:
    """A learner who passed the level's exam: the certificate's code and signed credential."""
    learner_id = await insert_learner(database, display_name=name)
    async with db.session_scope(db.make_sessionmaker(database)) as session:
        learner = await session.get(Learner, learner_id)
        assert learner is not None
        exam = ExamAttempt(
            learner_id=learner_id,
            level=level,
            correct=9,
            answered=10,
            passed=True,
            started_at=ISSUED,
            finished_at=ISSUED,
        )
        session.add(exam)
        await session.flush()
        assert exam.id is not None
        certificate = Certificate(
            id=new_certificate_id(level),
            learner_id=learner_id,
            level=level,
            exam_id=exam.id,
            score=9,
            total=10,
            issued_at=ISSUED,
        )
        session.add(certificate)
        await session.flush()
        signed = await certification.issue(session, settings, ring, certificate, learner, pack)
        return certificate.id, signed


async def revoke(database: AsyncEngine, code: str) -> None:
    async with database.begin() as connection:
        await connection.execute(
            update(Certificate)
            .where(col(Certificate.id) == code)
            .values(revoked_at=datetime.now(UTC), revoked_reason="test")
        )
