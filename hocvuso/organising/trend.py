"""The trend of a scope: certified % at the target level at the end of each week since the
programme started, for the dashboard's chart (and ``/report`` could use it too).

The programme starts on the earliest of the scope's learners' joining and its units' creation
(there is no ``programme_start`` setting). Weeks are counted from that day at 00:00 in Việt Nam
(:data:`hocvuso.organising.reports.REPORT_ZONE`). The figures use ``/report``'s definitions: the
learners of the scope's units, and those of them with a certificate at the target level; so the
last point is the overview's certified % of today.

Two grouped queries give every week's totals: the scope's learners counted per day (Việt Nam)
of joining, and their first certificates at the target level per day of issue (the day number
computed in the database), cumulated per week in Python; the first day of joining is the
programme's start. At 100,000 learners that is one pass over each table instead of one
``SUM(CASE …)`` per week and per row (160 weeks: 320 sums per learner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, and_, case, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising.caching import TimedCache
from hocvuso.organising.dashboard import unit_in_scope
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
    first_unit = (await connection.execute(units)).scalar_one()
    # A learner holds at most one certificate per level (uq_certificate_level): their first at
    # the target level is their only one.
    dialect = connection.dialect.name
    # Per day (Việt Nam) of joining / of the first certificate: how many, and how many of them
    # before now (today's day also holds what comes later today, or a wrong clock's future).
    joined_per_day: dict[int, int] = {}
    certified_per_day: dict[int, int] = {}
    first_day: int | None = None
    at_now = literal(now, L.c.created_at.type)
    async with db.planned_for_values(connection):
        for moment, source, into in (
            (L.c.created_at, L, joined_per_day),
            (
                C.c.issued_at,
                C.join(L, and_(L.c.id == C.c.learner_id, C.c.level == target.level)),
                certified_per_day,
            ),
        ):
            day_of = _day_number(dialect, moment)
            query = (
                select(day_of, func.sum(case((moment < at_now, 1), else_=0)))
                .select_from(source)
                .where(L.c.unit_code.in_(codes))
                .group_by(day_of)
            )
            for number, before_now in (await connection.execute(query)).all():
                into[int(number)] = into.get(int(number), 0) + int(before_now or 0)
    if joined_per_day:
        first_day = min(joined_per_day)
    starts = [EPOCH_DAY + timedelta(days=first_day)] if first_day is not None else []
    if first_unit is not None:
        starts.append(_aware(first_unit).astimezone(REPORT_ZONE).date())
    if not starts:
        return Trend(None, today, target, ())
    start = min(starts)
    weeks = (today - start).days // 7 + 1
    step = -(-weeks // MAX_POINTS)
    ends: list[date] = []
    day = start + timedelta(days=7 * step - 1)
    while day < today:
        ends.append(day)
        day += timedelta(days=7 * step)
    ends.append(today)
    # Point i (but the last) counts the days up to ends[i]; the last one, everything before now.
    last_days = [(d - EPOCH_DAY).days for d in ends[:-1]]
    points = tuple(
        Point(day, _upto(joined_per_day, upto), _upto(certified_per_day, upto))
        for day, upto in zip(ends, [*last_days, None], strict=True)
    )
    return Trend(start, today, target, points, step)


#: Day numbers count Việt Nam days from this one.
EPOCH_DAY = date(1970, 1, 1)
_ZONE_SECONDS = 7 * 3600  # UTC+7 all year (no summer time)


def _day_number(dialect: str, moment: Any) -> Any:
    """The Việt Nam day of a UTC moment, as days since 1970-01-01, computed in the database:
    whole seconds since 1970 (UTC) plus seven hours, divided by a day's seconds."""
    if dialect == "postgresql":
        # date_part gives a double (cheaper than EXTRACT's numeric, exact to the microsecond
        # here); whole seconds as a bigint, then integer division (all after 1970)
        seconds = func.cast(func.floor(func.date_part("epoch", moment)), BigInteger)
        return ((seconds + _ZONE_SECONDS) // 86400).label("day")
    # SQLite stores UTC as text ("YYYY-MM-DD HH:MM:SS.ffffff"); strftime('%s') reads it as UTC
    # but rounds the fraction (…59.9999995 is the next second), so it is cut off first.
    whole = func.cast(func.strftime("%s", func.substr(moment, 1, 19)), Integer)
    return ((whole + _ZONE_SECONDS) // 86400).label("day")


def _upto(per_day: dict[int, int], last_day: int | None) -> int:
    """Cumulated: every moment up to the end of ``last_day`` (None: every one before now)."""
    return sum(n for day, n in per_day.items() if last_day is None or day <= last_day)


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
    unit = await unit_in_scope(session, actor, code)
    key = (unit.id or 0 if unit else 0, target)
    hit = cache.get(key, now) if cache is not None else None
    if hit is not None and hit[1].today == now.astimezone(REPORT_ZONE).date():
        return hit[1]
    found = await certified_trend(session, unit, target, now)
    if cache is not None:
        cache.put(key, now, found)
    return found


__all__ = ["Point", "Trend", "TrendCache", "access_trend", "certified_trend"]
