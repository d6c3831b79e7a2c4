"""The trend of a scope: certified % at the target level at the end of each week since the
programme started, for the dashboard's chart (and ``/report`` could use it too).

The programme starts on the earliest of the scope's learners' joining and its units' creation
(there is no ``programme_start`` setting). Weeks are counted from that day at 00:00 in Việt Nam
(:data:`hocvuso.organising.reports.REPORT_ZONE`). The figures use ``/report``'s definitions: the
learners of the scope's units, and those of them with a certificate at the target level; so the
last point is the overview's certified % of today.

Two grouped queries give every week's totals: the scope's learners counted per week of joining,
and their first certificates at the target level per week of issue (a week's index is whole
seconds since the start divided by the week's length, in the database), cumulated in Python.
At 100,000 learners that is one pass over each table instead of one ``SUM(CASE …)`` per week
and per row (160 weeks: 320 sums per learner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, case, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising.caching import TimedCache
from hocvuso.organising.dashboard import _unit_in_scope
from hocvuso.organising.forecast import Target
from hocvuso.organising.permissions import Actor
from hocvuso.organising.reports import REPORT_ZONE
from hocvuso.storage import db, tables
from hocvuso.storage.organising import Unit

L = tables.LEARNER
C = tables.CERTIFICATE
U = tables.UNIT
WEEK = timedelta(days=7)
#: A scope's trend is reused this long (:class:`TrendCache`).
CACHE_TTL = timedelta(minutes=5)
#: At most this many points: a longer programme is shown in steps of several weeks.
MAX_POINTS = 160


@dataclass(frozen=True)
class Point:
    #: The last day of the week (Việt Nam), today for the current week.
    day: date
    joined: int
    certified: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.certified / self.joined, 1) if self.joined else None


@dataclass(frozen=True)
class Trend:
    start: date | None  # None: nobody and no unit in the scope yet
    today: date
    target: Target
    points: tuple[Point, ...]
    #: Weeks between two points (1 unless the programme is longer than MAX_POINTS weeks).
    step_weeks: int = 1


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), REPORT_ZONE).astimezone(UTC)


def _scope_units(root: Unit | None) -> Any:
    query = select(U.c.code)
    return query if root is None else query.where(U.c.path.startswith(root.path))


async def certified_trend(
    session: AsyncSession, root: Unit | None, target: Target, now: datetime
) -> Trend:
    """Weekly points from the programme's start to today, for ``root``'s subtree (None: the
    whole tree)."""
    connection = await session.connection()
    today = now.astimezone(REPORT_ZONE).date()
    codes = _scope_units(root)
    units = select(func.min(U.c.created_at))
    if root is not None:
        units = units.where(U.c.path.startswith(root.path))
    joined_first = select(func.min(L.c.created_at)).where(L.c.unit_code.in_(codes))
    first = [
        value
        for value in (
            (await connection.execute(units)).scalar_one(),
            (await connection.execute(joined_first)).scalar_one(),
        )
        if value is not None
    ]
    if not first:
        return Trend(None, today, target, ())
    start = min(_aware(v) for v in first).astimezone(REPORT_ZONE).date()
    weeks = (today - start).days // 7 + 1
    step = -(-weeks // MAX_POINTS)
    ends: list[date] = []
    day = start + timedelta(days=7 * step - 1)
    while day < today:
        ends.append(day)
        day += timedelta(days=7 * step)
    ends.append(today)
    origin = _midnight(start)
    width = int(timedelta(days=7 * step).total_seconds())
    # Point i (but the last) ends at midnight after ends[i]: origin + (i + 1) steps, before now;
    # the last one ends now.
    first_cert = (
        select(C.c.learner_id, func.min(C.c.issued_at).label("at"))
        .where(C.c.level == target.level)
        .group_by(C.c.learner_id)
        .subquery("first_cert")
    )
    dialect = connection.dialect.name
    joined_per_step: dict[int, int] = {}
    certified_per_step: dict[int, int] = {}
    async with db.planned_for_values(connection):
        for moment, source, into in (
            (L.c.created_at, L, joined_per_step),
            (
                first_cert.c.at,
                first_cert.join(L, L.c.id == first_cert.c.learner_id),
                certified_per_step,
            ),
        ):
            index = _step_index(dialect, moment, origin, width)
            at_now = literal(now, L.c.created_at.type)
            query = (
                select(index, func.count())
                .select_from(source)
                .where(L.c.unit_code.in_(codes), moment < at_now)
                .group_by(index)
            )
            for k, count in (await connection.execute(query)).all():
                into[int(k)] = into.get(int(k), 0) + int(count)
    points = tuple(
        Point(day, _upto(joined_per_step, i, last), _upto(certified_per_step, i, last))
        for i, day in enumerate(ends)
        for last in (i == len(ends) - 1,)
    )
    return Trend(start, today, target, points, step)


def _step_index(dialect: str, moment: Any, origin: datetime, width: int) -> Any:
    """The point a moment falls in: 0 before the first point's end, 1 before the second's, …
    (whole seconds since the programme's start, divided by the step; a moment before the start
    counts from the first point on). Việt Nam has no summer time, so every step has the same
    length in seconds."""
    if dialect == "postgresql":
        seconds = func.floor(func.extract("epoch", moment)) - int(origin.timestamp())
        return func.floor(seconds / width).label("k")
    # SQLite stores UTC as text ("YYYY-MM-DD HH:MM:SS.ffffff"); strftime('%s') reads it as UTC
    # but rounds the fraction (…59.9999995 is the next second), so it is cut off first.
    whole = func.strftime("%s", func.substr(moment, 1, 19))
    seconds = func.cast(whole, Integer) - int(origin.timestamp())
    return case((seconds < 0, -1), else_=seconds // width).label("k")


def _upto(per_step: dict[int, int], i: int, last: bool) -> int:
    """Cumulated: every moment before point ``i``'s end (the last point: before now)."""
    return sum(n for k, n in per_step.items() if last or k <= i)


def _aware(value: Any) -> datetime:
    moment: datetime = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TrendCache(TimedCache[tuple[int, Target], Trend]):
    """Trends per (scope unit id, target), for :data:`CACHE_TTL` (hundreds of milliseconds for
    the whole tree at 100,000 learners; the points move by the week)."""

    def __init__(self, ttl: timedelta = CACHE_TTL, size: int = 256) -> None:
        super().__init__(ttl, size)


async def access_trend(
    session: AsyncSession,
    actor: Actor,
    code: str | None,
    target: Target,
    now: datetime,
    *,
    cache: TrendCache | None = None,
) -> Trend:
    """The trend of the person's scope (or of ``code`` in it), as the overview shows it; the
    overview's view is audited by :func:`hocvuso.organising.dashboard.access_overview`. With a
    cache, a trend computed up to :data:`CACHE_TTL` ago (the same day) is reused."""
    unit = await _unit_in_scope(session, actor, code)
    key = (unit.id or 0 if unit else 0, target)
    hit = cache.get(key, now) if cache is not None else None
    if hit is not None and hit[1].today == now.astimezone(REPORT_ZONE).date():
        return hit[1]
    found = await certified_trend(session, unit, target, now)
    if cache is not None:
        cache.put(key, now, found)
    return found


__all__ = ["Point", "Trend", "TrendCache", "access_trend", "certified_trend"]
