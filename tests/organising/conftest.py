"""Builders for organiser and mentor tests: units, learners with certificates, roles."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.organising import roles
from hocvuso.storage.models import Certificate, ExamAttempt, Learner
from hocvuso.storage.organising import Role, Unit
from tests.factories import Conversation, add_units

_chats = itertools.count(7_000_000)
_certificates = itertools.count(1)
CERT = Certificate.__table__  # type: ignore[attr-defined]
EXAM = ExamAttempt.__table__  # type: ignore[attr-defined]

#: A small tree: A (A1, A2 with A2x below it) and B (B1).
TREE = (
    ("A", "Đơn vị A", None),
    ("A1", "Phòng A1", "A"),
    ("A2", "Phòng A2", "A"),
    ("A2x", "Tổ A2x", "A2"),
    ("B", "Đơn vị B", None),
    ("B1", "Phòng B1", "B"),
)


@pytest.fixture
async def tree(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Unit]:
    return await add_units(sessions, *TREE)


async def add_learner(
    sessions: async_sessionmaker[AsyncSession],
    *,
    unit: str | None,
    name: str = "Học viên",
    created_at: datetime,
    last_active_at: datetime | None = None,
    certified: Sequence[tuple[int, datetime]] = (),
    **fields: Any,
) -> Learner:
    """A learner who has been through onboarding, with certificates (level, issued at)."""
    async with sessions() as session, session.begin():
        values: dict[str, Any] = {
            "platform": "telegram",
            "chat_id": next(_chats),
            "display_name": name,
            "role": "civil_servant",
            "unit_code": unit,
            "consent_at": created_at,
            "consent_version": Settings.model_fields["consent_version"].default,
            "placement_done": True,
            "state": {"step": "idle", "nonce": "x"},
            "created_at": created_at,
            "last_active_at": last_active_at,
        }
        learner = Learner(**{**values, **fields})
        session.add(learner)
        await session.flush()
        connection = await session.connection()
        for level, issued in certified:
            exam = await connection.execute(
                insert(EXAM)
                .values(
                    learner_id=learner.id,
                    level=level,
                    question_ids=[],
                    correct=5,
                    answered=5,
                    passed=True,
                    started_at=issued,
                    finished_at=issued,
                )
                .returning(EXAM.c.id)
            )
            await connection.execute(
                insert(CERT).values(
                    id=f"T{next(_certificates)}",
                    learner_id=learner.id,
                    level=level,
                    exam_id=exam.scalar_one(),
                    score=5,
                    total=5,
                    issued_at=issued,
                )
            )
        return learner


async def grant(
    sessions: async_sessionmaker[AsyncSession], learner: Learner, role: Role, unit: Unit | None
) -> None:
    async with sessions() as session, session.begin():
        stored = await session.get(Learner, learner.id)
        assert stored is not None
        await roles.do_grant_unchecked(
            session, stored, role, unit, by=None, via="cli", now=stored.created_at
        )


def talk(engine: Engine, pack: Pack, learner: Learner) -> Conversation:
    """Drive the engine as this (already onboarded) learner."""
    assert learner.chat_id is not None
    return Conversation(engine, pack, chat_id=learner.chat_id, name=learner.display_name or "")
