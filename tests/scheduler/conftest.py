"""Builders for scheduler tests: learners, cards and answers written straight to the store."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.storage.models import Learner, QuizAttempt, ReviewCard
from hocvuso.storage.scheduling import Delivery

_chats = itertools.count(5_000_000)
_nonces = itertools.count(1)
LEARNER = Learner.__table__  # type: ignore[attr-defined]
CARD = ReviewCard.__table__  # type: ignore[attr-defined]
ATTEMPT = QuizAttempt.__table__  # type: ignore[attr-defined]
DELIVERY = Delivery.__table__  # type: ignore[attr-defined]
CONSENTED = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def database(engine_db: AsyncEngine) -> AsyncEngine:
    return engine_db


@pytest.fixture
def scheduler_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]


async def add_learner(database: AsyncEngine, **fields: Any) -> int:
    values: dict[str, Any] = {
        "platform": "telegram",
        "chat_id": next(_chats),
        "language": "vi",
        "timezone": "Asia/Ho_Chi_Minh",
        "reminder_hour": 19,
        "consent_at": CONSENTED,
        "consent_version": "2026-11",
        "status": "active",
        "level": 1,
        "placement_done": True,
        "state": {},
        "created_at": CONSENTED,
        **fields,
    }
    async with database.begin() as connection:
        result = await connection.execute(insert(LEARNER).values(**values).returning(LEARNER.c.id))
        return int(result.scalar_one())


async def add_cards(database: AsyncEngine, learner_id: int, *dues: datetime) -> None:
    async with database.begin() as connection:
        await connection.execute(
            insert(CARD),
            [
                {"learner_id": learner_id, "question_id": f"q{i}", "state": 2, "due": due}
                for i, due in enumerate(dues)
            ],
        )


async def add_answers(database: AsyncEngine, learner_id: int, *moments: datetime) -> None:
    async with database.begin() as connection:
        await connection.execute(
            insert(ATTEMPT),
            [
                {
                    "learner_id": learner_id,
                    "question_id": "q",
                    "mode": "lesson",
                    "chosen": 0,
                    "correct": True,
                    "prompt_nonce": f"n{next(_nonces)}",
                    "answered_at": moment,
                }
                for moment in moments
            ],
        )


async def deliveries(database: AsyncEngine, **where: Any) -> list[Any]:
    query = select(DELIVERY).order_by(DELIVERY.c.id)
    for name, value in where.items():
        query = query.where(DELIVERY.c[name] == value)
    async with database.connect() as connection:
        return list((await connection.execute(query)).all())
