"""The durable delivery queue: enqueue (idempotent), claim, mark sending, record, recover.

Every statement is set-based and runs in one short transaction. States and their meaning are
described in :mod:`hocvuso.storage.scheduling`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Insert

from hocvuso.storage import tables
from hocvuso.storage.consent import consented
from hocvuso.storage.models import LearnerStatus
from hocvuso.storage.scheduling import DeliveryState
from hocvuso.storage.types import UTCDateTime, utcnow

D = tables.DELIVERY
L = tables.LEARNER
S = DeliveryState
#: Enqueueing this many rows at once refreshes the table's planner statistics.
ANALYZE_AFTER = 5_000


def insert_ignore(connection: AsyncConnection) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` into ``delivery`` for the connection's dialect."""
    return tables.insert_ignore(connection, D, "key")


async def state_counts(
    connection: AsyncConnection, broadcast_id: int | None = None, bot_id: int | None = None
) -> dict[str, int]:
    """Deliveries by state (of one broadcast, or all; of one bot, or all), in the caller's
    connection."""
    query = select(D.c.state, func.count()).group_by(D.c.state)
    if broadcast_id is not None:
        query = query.where(D.c.broadcast_id == broadcast_id)
    if bot_id is not None:
        query = query.where(D.c.bot_id == bot_id)
    rows = (await connection.execute(query)).all()
    return {state: int(count) for state, count in rows}


@dataclass(frozen=True)
class Job:
    """A claimed delivery, with the chat id read from the learner at claim time."""

    id: int
    learner_id: int
    chat_id: int
    text: str
    buttons: list[list[list[str]]]
    attempts: int
    lease_until: datetime


@dataclass(frozen=True)
class Result:
    id: int
    state: DeliveryState
    attempts: int
    not_before: datetime | None = None
    error: str | None = None
    sent_at: datetime | None = None
    learner_id: int | None = None


async def _fill_bots(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Rows without a ``bot_id`` get their learner's."""
    missing = {row["learner_id"] for row in rows if "bot_id" not in row}
    if not missing:
        return
    found = await connection.execute(select(L.c.id, L.c.bot_id).where(L.c.id.in_(missing)))
    bots = {r.id: r.bot_id for r in found}
    for row in rows:
        if "bot_id" not in row:
            row["bot_id"] = bots.get(row["learner_id"], 0)


class DeliveryQueue:
    def __init__(self, database: AsyncEngine, clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.clock = clock

    async def enqueue(self, rows: Sequence[dict[str, Any]]) -> int:
        """Add deliveries; a key already queued is ignored. Returns how many were added.
        Each goes through its learner's bot (``bot_id``, read from the learner unless given)."""
        if not rows:
            return 0
        now = self.clock()
        values = [
            {
                "priority": 0,
                "day": None,
                "broadcast_id": None,
                "buttons": [],
                "state": S.PENDING,
                "attempts": 0,
                "not_before": now,
                "created_at": now,
                **row,
            }
            for row in rows
        ]
        added = 0
        async with self.database.begin() as connection:
            for start in range(0, len(values), 1000):
                chunk = values[start : start + 1000]
                await _fill_bots(connection, chunk)
                result = await connection.execute(
                    insert_ignore(connection).returning(D.c.id), chunk
                )
                added += len(result.all())
        if added >= ANALYZE_AFTER and self.database.dialect.name == "postgresql":
            # Fresh statistics at once: with the table's old (small) row count the planner would
            # scan ``delivery`` for each learner in the next minute's sweep instead of using
            # ix_delivery_learner_kind_day (25 s instead of 0.2 s for 20,000 learners).
            async with self.database.begin() as connection:
                await connection.execute(text("ANALYZE delivery"))
        return added

    async def claim(
        self, limit: int, lease: timedelta, bot_id: int | None = None, *, consent: str
    ) -> list[Job]:
        """Reserve up to ``limit`` due deliveries of one bot (or of all, with ``None``),
        skipping rows other senders hold. Deliveries to someone who cannot be reached now
        (blocked, erased, or not agreed to the terms ``consent``, the current ones: declined
        after the message was queued) are skipped, never sent."""
        now = self.clock()
        lease_until = now + lease
        async with self.database.begin() as connection:
            mine = [] if bot_id is None else [D.c.bot_id == bot_id]
            due = (
                select(D.c.id)
                .where(D.c.state == S.PENDING, *mine, D.c.not_before <= now)
                .order_by(D.c.priority, D.c.id)
                .limit(limit)
            )
            if connection.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = await connection.execute(
                update(D)
                .where(D.c.id.in_(due.scalar_subquery()))
                .values(state=S.CLAIMED, lease_until=lease_until)
                .returning(D.c.id, D.c.learner_id, D.c.text, D.c.buttons, D.c.attempts)
            )
            rows = sorted(claimed.all(), key=lambda r: r.id)
            if not rows:
                return []
            learners = await connection.execute(
                select(L.c.id, L.c.chat_id, L.c.status, consented(consent).label("agreed")).where(
                    L.c.id.in_({r.learner_id for r in rows})
                )
            )
            reachable = {
                r.id: r.chat_id
                for r in learners
                if r.status == LearnerStatus.ACTIVE and r.chat_id is not None and r.agreed
            }
            gone = [r.id for r in rows if r.learner_id not in reachable]
            if gone:
                await connection.execute(
                    update(D).where(D.c.id.in_(gone)).values(state=S.SKIPPED, lease_until=None)
                )
        return [
            Job(
                r.id,
                r.learner_id,
                reachable[r.learner_id],
                r.text,
                r.buttons,
                r.attempts,
                lease_until,
            )
            for r in rows
            if r.learner_id in reachable
        ]

    async def mark_sending(self, jobs: Sequence[Job]) -> set[int]:
        """Commit ``sending`` before the Bot API calls; returns the ids still ours to send."""
        if not jobs:
            return set()
        async with self.database.begin() as connection:
            result = await connection.execute(
                update(D)
                .where(
                    D.c.id.in_([j.id for j in jobs]),
                    D.c.state == S.CLAIMED,
                    D.c.lease_until == jobs[0].lease_until,
                )
                .values(state=S.SENDING)
                .returning(D.c.id)
            )
            return {row.id for row in result}

    async def release(self, jobs: Iterable[Job], not_before: datetime | None = None) -> None:
        """Give claimed deliveries back (nothing was sent): they go out later."""
        ids = [j.id for j in jobs]
        if not ids:
            return
        async with self.database.begin() as connection:
            await connection.execute(
                update(D)
                .where(D.c.id.in_(ids), D.c.state == S.CLAIMED)
                .values(state=S.PENDING, lease_until=None, not_before=not_before or self.clock())
            )

    async def record(self, results: Sequence[Result]) -> None:
        """Write what happened to sent deliveries (one transaction, one round trip per kind)."""
        if not results:
            return
        now = self.clock()
        params = [
            {
                "rid": r.id,
                "rstate": str(r.state),
                "rattempts": r.attempts,
                "rnot_before": r.not_before or now,
                "rerror": (r.error or "")[:200] or None,
                "rsent_at": r.sent_at,
            }
            for r in results
        ]
        blocked = [r.learner_id for r in results if r.state == S.BLOCKED and r.learner_id]
        async with self.database.begin() as connection:
            await connection.execute(
                update(D)
                .where(D.c.id == bindparam("rid"))
                .values(
                    state=bindparam("rstate"),
                    attempts=bindparam("rattempts"),
                    not_before=bindparam("rnot_before", type_=UTCDateTime),
                    last_error=bindparam("rerror"),
                    sent_at=bindparam("rsent_at", type_=UTCDateTime),
                    lease_until=None,
                ),
                params,
            )
            if blocked:
                await connection.execute(
                    update(L)
                    .where(L.c.id.in_(blocked), L.c.status == LearnerStatus.ACTIVE)
                    .values(status=LearnerStatus.BLOCKED)
                )

    async def recover(self) -> tuple[int, int]:
        """After a sender died: expired claims go back to ``pending`` (never sent); expired
        ``sending`` rows become ``unknown`` (maybe sent: never resent automatically)."""
        now = self.clock()
        async with self.database.begin() as connection:
            released = await connection.execute(
                update(D)
                .where(D.c.state == S.CLAIMED, D.c.lease_until < now)
                .values(state=S.PENDING, lease_until=None)
            )
            unknown = await connection.execute(
                update(D)
                .where(D.c.state == S.SENDING, D.c.lease_until < now)
                .values(state=S.UNKNOWN, lease_until=None)
            )
        return released.rowcount or 0, unknown.rowcount or 0

    async def requeue(self, broadcast_id: int | None, states: Sequence[DeliveryState]) -> int:
        """Put dead (or unknown) deliveries back in the queue, on the organiser's decision.
        Those whose text the retention sweep has blanked are past resending and stay."""
        query = update(D).where(D.c.state.in_([str(s) for s in states]), D.c.text != "")
        if broadcast_id is not None:
            query = query.where(D.c.broadcast_id == broadcast_id)
        async with self.database.begin() as connection:
            result = await connection.execute(
                query.values(state=S.PENDING, attempts=0, not_before=self.clock(), last_error=None)
            )
        return result.rowcount or 0

    async def counts(
        self, broadcast_id: int | None = None, bot_id: int | None = None
    ) -> dict[str, int]:
        async with self.database.connect() as connection:
            return await state_counts(connection, broadcast_id, bot_id)

    async def dead_letters(self, broadcast_id: int | None = None, limit: int = 50) -> list[Any]:
        query = (
            select(D.c.id, D.c.key, D.c.learner_id, D.c.attempts, D.c.last_error, D.c.state)
            .where(D.c.state.in_([S.DEAD, S.UNKNOWN]))
            .order_by(D.c.id)
            .limit(limit)
        )
        if broadcast_id is not None:
            query = query.where(D.c.broadcast_id == broadcast_id)
        async with self.database.connect() as connection:
            return list((await connection.execute(query)).all())
