"""The store round trips of a learner action (issue 10: few round trips per action).

A known learner's action reads the learner and the update's processed-before record in one
statement; the update's redelivery is still recognised (and its replies replayed) by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Command
from hocvuso.content.loader import Pack
from tests.factories import add_learner, talk


@contextmanager
def statements(database: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(database.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", record)


async def test_a_known_learner_reads_once_and_a_redelivery_is_replayed(
    engine: Engine, pack: Pack, database: AsyncEngine, clock: Any
) -> None:
    learner = await add_learner(engine.sessions, unit=None, created_at=clock())
    chat = talk(engine, pack, learner)
    with statements(database) as seen:
        first = await chat.event(Command("help"), update_id=9_001)
    assert first.replies and not first.duplicate
    # The learner and the update's processed-before record: one SELECT, not two.
    reads = [
        s
        for s in seen
        if s.startswith("SELECT") and ("FROM learner" in s or "processed_update" in s)
    ]
    assert len(reads) == 1, reads
    assert "processed_update" in reads[0] and "FROM learner" in reads[0]

    again = await chat.event(Command("help"), update_id=9_001)
    assert again.duplicate
    assert [r.text for r in again.replies] == [r.text for r in first.replies]
