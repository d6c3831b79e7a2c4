"""The trend's grouped queries give exactly the figures of the former per-week sums (kept here
as the reference) on a varied seeded set: moments on the weeks' edges, before the start, after
now, several certificate levels, learners outside the scope or in no unit, and a programme
long enough to be shown in steps of several weeks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import trend
from hocvuso.organising.forecast import Target
from hocvuso.storage.organising import Unit
from tests.factories import Clock, add_learner

L, C = trend.L, trend.C


async def reference_points(
    session: AsyncSession, root: Unit | None, target: Target, now: datetime, found: trend.Trend
) -> tuple[trend.Point, ...]:
    """The former query: one SUM(CASE WHEN moment < week_end) per week, over every learner."""
    connection = await session.connection()
    ends = [p.day for p in found.points]
    bounds = [min(trend._midnight(d + timedelta(days=1)), now) for d in ends]
    first_cert = (
        select(C.c.learner_id, func.min(C.c.issued_at).label("at"))
        .where(C.c.level == target.level)
        .group_by(C.c.learner_id)
        .subquery("first_cert")
    )
    columns: list[ColumnElement[Any]] = []
    for i, bound in enumerate(bounds):
        at = literal(bound, L.c.created_at.type)
        columns.append(func.sum(case((L.c.created_at < at, 1), else_=0)).label(f"j{i}"))
        columns.append(func.sum(case((first_cert.c.at < at, 1), else_=0)).label(f"c{i}"))
    query = (
        select(*columns)
        .select_from(L.outerjoin(first_cert, first_cert.c.learner_id == L.c.id))
        .where(L.c.unit_code.in_(trend._scope_units(root)))
    )
    row = (await connection.execute(query)).mappings().one()
    return tuple(
        trend.Point(day, int(row[f"j{i}"] or 0), int(row[f"c{i}"] or 0))
        for i, day in enumerate(ends)
    )


@pytest.mark.parametrize("years", [1, 4])  # 4 years: more than MAX_POINTS weeks, steps of 2
async def test_the_grouped_trend_equals_the_per_week_sums(
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    clock: Clock,
    years: int,
) -> None:
    now = clock.now
    picker = random.Random(years)
    span = timedelta(days=365 * years)
    start = now - span
    edges = [  # Việt Nam midnights: a week's (or a step's) end, and a microsecond before it
        trend._midnight((start + timedelta(days=d)).astimezone(trend.REPORT_ZONE).date())
        for d in (7, 14, 28, 56, 364)
    ]
    moments = [
        *edges,
        *(e - timedelta(microseconds=1) for e in edges),
        now,
        now - timedelta(microseconds=1),
        now + timedelta(days=2),
    ]
    for n in range(70):
        created = start + span * picker.random() if n else start
        if picker.random() < 0.25:
            created = picker.choice(moments)
        certified = []
        for level in (1, 2):
            if picker.random() < 0.5:
                issued = created + timedelta(days=picker.uniform(-3, 200))
                if picker.random() < 0.25:
                    issued = picker.choice(moments)
                certified.append((level, issued))
        await add_learner(
            sessions,
            unit=picker.choice([*tree, None, "NO-SUCH"]),
            created_at=created,
            certified=certified,
        )
    checked = 0
    for root in (None, tree["A"], tree["A2"], tree["B1"]):
        for level in (1, 2, 3):
            target = Target(level=level)
            async with sessions() as session:
                found = await trend.certified_trend(session, root, target, now)
                expected = await reference_points(session, root, target, now, found)
            assert found.points == expected, (root and root.code, level)
            checked += sum(p.certified for p in found.points)
    assert checked > 0  # the set has certificates in scope, not only zeros
    async with sessions() as session:
        whole = await trend.certified_trend(session, None, Target(), now)
    assert whole.step_weeks == (2 if years == 4 else 1)
