"""Mentor coverage of an organiser's scope: who is lagging, who of them has a mentor, and which
mentors could take the others (the dashboard's mentors page; the pairing itself is
:func:`hocvuso.organising.pairing.do_pair`, the same as ``/assign_mentor`` in the chat).

*Lagging* is :data:`hocvuso.organising.mentoring.LAGGING`: not started, inactive for 7 days, or
behind the pace to the target deadline — :func:`mentoring.learner_standing`, the standing a
mentor sees in ``/mentees``, computed here in the database (:func:`standings_query`, checked
against it learner by learner in tests/organising/test_mentor_coverage.py) and counted per unit,
so the page reads a few thousand rows, not one per learner, at national scale. Every active
learner of the scope is counted (with or without consent to the current terms); only those who
agreed to the current terms and can be reached are named and may be paired, as on the unit page
and in the chat.

A *suggested mentor* for a lagging learner without one holds the mentor role, is reachable,
agreed to the current terms, sits in the learner's own unit and has fewer mentees than
``Settings.mentor_capacity`` — the chat's pairing list (fewest mentees first) narrowed to the
learner's unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import course
from hocvuso.organising import audit, mentoring, roles, units
from hocvuso.organising.dashboard import unit_in_scope
from hocvuso.organising.forecast import Target
from hocvuso.organising.permissions import Action, Actor
from hocvuso.storage import db, tables
from hocvuso.storage.consent import consented
from hocvuso.storage.models import LearnerStatus
from hocvuso.storage.organising import Role, Unit

#: At most this many unmentored lagging learners are listed (fewest-chance first).
LISTED = 200
#: Suggested mentors per learner.
SUGGESTED = 3

L = tables.LEARNER
U = tables.UNIT
C = tables.CERTIFICATE
P = tables.LESSON_PROGRESS
ML = tables.MENTOR_LINK


@dataclass(frozen=True)
class Coverage:
    """One row: a sub-unit's subtree (or the learners directly in the scope's unit)."""

    code: str
    name: str
    learners: int = 0
    lagging: int = 0
    mentored: int = 0

    @property
    def unmentored(self) -> int:
        return self.lagging - self.mentored


@dataclass(frozen=True)
class Mentor:
    id: int
    name: str
    unit_code: str
    unit_name: str
    mentees: int


@dataclass(frozen=True)
class Lagging:
    """A lagging learner without a mentor whom the organiser may see and pair."""

    id: int
    name: str
    unit_code: str
    unit_name: str
    standing: mentoring.Standing
    last_active_at: datetime | None
    suggested: tuple[Mentor, ...]


@dataclass(frozen=True)
class MentorsPage:
    unit: Unit | None
    rows: tuple[Coverage, ...]
    total: Coverage
    unmentored: tuple[Lagging, ...]
    #: Unmentored lagging learners not named (no consent to the current terms, no chat).
    hidden: int
    #: Named ones beyond :data:`LISTED`.
    more: int
    mentors: tuple[Mentor, ...]
    capacity: int
    #: Per standing: how many of the scope's lagging learners are in it.
    standings: dict[str, int] = field(default_factory=dict)
    #: Named unmentored learners listed on the pages before this one (pages of :data:`LISTED`).
    offset: int = 0


async def access_mentors_page(
    session: AsyncSession,
    actor: Actor,
    code: str | None,
    pack: Pack,
    target: Target,
    now: datetime,
    *,
    consent: str,
    capacity: int,
    offset: int = 0,
    limit: int | None = None,
    export: tuple[str, str] | None = None,
) -> MentorsPage:
    """The coverage of the person's scope (or ``code`` in it); audited as a page view, or with
    ``export`` = (table, format) as a download. ``offset``/``limit``: which of the named
    unmentored learners are listed (paging; a download lists them all)."""
    scope = await unit_in_scope(session, actor, code, Action.LINK_MENTEE)
    page = await coverage(
        session,
        scope,
        pack,
        target,
        now,
        consent=consent,
        capacity=capacity,
        offset=offset,
        limit=limit,
    )
    details = {"table": export[0], "format": export[1]} if export else {}
    await audit.record_by(
        session,
        actor,
        audit.DASHBOARD_EXPORT if export else audit.DASHBOARD_VIEW,
        scope.id if scope else None,
        now,
        page="mentors",
        **details,
    )
    return page


async def coverage(
    session: AsyncSession,
    scope: Unit | None,
    pack: Pack,
    target: Target,
    now: datetime,
    *,
    consent: str,
    capacity: int,
    offset: int = 0,
    limit: int | None = None,
) -> MentorsPage:
    """The figures without a permission check (the caller made it)."""
    connection = await session.connection()
    in_scope = [units.learners_in(scope)] if scope is not None else []
    lessons = await _path_lengths(connection, pack, in_scope)
    # One statement: the standings are computed once (a CTE read twice is materialised by
    # PostgreSQL), counted per unit and standing, and the first LISTED unmentored named
    # lagging learners in the same result (kind 1), told apart by ``kind``.
    states = standings_query(
        target, now, in_scope, lessons, consent, dialect=connection.dialect.name
    ).cte("states")
    lag = states.c.standing.in_([s.value for s in mentoring.LAGGING])
    order_of = case(
        *((states.c.standing == s.value, i) for i, s in enumerate(mentoring.ORDER)), else_=9
    )
    listed_part = (
        select(
            states.c.id,
            states.c.display_name,
            states.c.unit_code,
            states.c.unit_name,
            states.c.standing,
            states.c.last_active_at,
        )
        .where(lag, ~states.c.mentored, states.c.nameable)
        .order_by(
            order_of,
            case((states.c.last_active_at.is_(None), 0), else_=1),
            states.c.last_active_at,
            states.c.id,
        )
        .limit(LISTED if limit is None else limit)
        .offset(max(0, offset))
        .subquery("listed")
    )
    none_int, none_text = cast(null(), Integer), cast(null(), String)
    both = union_all(
        select(
            literal(0).label("kind"),
            states.c.unit_code,
            states.c.path,
            states.c.standing,
            func.count().label("learners"),
            func.sum(case((states.c.mentored, 1), else_=0)).label("mentored"),
            func.sum(case((~states.c.mentored & ~states.c.nameable, 1), else_=0)).label("hidden"),
            none_int.label("id"),
            none_text.label("display_name"),
            none_text.label("unit_name"),
            cast(null(), L.c.last_active_at.type).label("last_active_at"),
        ).group_by(states.c.unit_code, states.c.path, states.c.standing),
        select(
            literal(1),
            listed_part.c.unit_code,
            none_text,
            listed_part.c.standing,
            literal(0),
            literal(0),
            literal(0),
            listed_part.c.id,
            listed_part.c.display_name,
            listed_part.c.unit_name,
            listed_part.c.last_active_at,
        ),
    )
    async with db.planned_for_values(connection):
        result = (await connection.execute(both)).all()
    per_unit = [r for r in result if r.kind == 0]
    listed_rows = [r for r in result if r.kind == 1]
    children = await units.children(session, scope)
    buckets: dict[str, Coverage] = {}
    order: list[tuple[str, str, str]] = []  # (code, name, path)
    if scope is not None:
        order.append((scope.code, scope.name, ""))  # learners directly in the unit
    order += [(c.code, c.name, c.path) for c in children]
    for code, name, _ in order:
        buckets[code] = Coverage(code, name)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    standings: dict[str, int] = defaultdict(int)
    hidden = named = 0
    bucket_of: dict[str, str | None] = {}
    for r in per_unit:
        if r.unit_code not in bucket_of:  # once per unit
            bucket_of[r.unit_code] = next(
                (code for code, _, path in order[1 if scope else 0 :] if r.path.startswith(path)),
                scope.code if scope is not None else None,
            )
        bucket = bucket_of[r.unit_code]
        is_lag = mentoring.Standing(r.standing) in mentoring.LAGGING
        if bucket is not None:
            tally = counts[bucket]
            tally[0] += int(r.learners)
            if is_lag:
                tally[1] += int(r.learners)
                tally[2] += int(r.mentored)
        if not is_lag:
            continue
        standings[r.standing] += int(r.learners)
        hidden += int(r.hidden)
        named += int(r.learners) - int(r.mentored) - int(r.hidden)
    listed = [
        (
            int(r.id),
            r.display_name or "—",
            r.unit_code,
            r.unit_name,
            mentoring.Standing(r.standing),
            _aware(r.last_active_at),
        )
        for r in listed_rows
    ]
    # Those who need help most first: not started, then inactive longest, then behind (the
    # database picked the same first LISTED; a union keeps no order).
    listed.sort(key=lambda c: (mentoring.ORDER.index(c[4]), c[5] is not None, c[5] or now, c[0]))
    built = tuple(Coverage(code, name, *counts[code]) for code, name, _ in order if counts[code][0])
    total = Coverage(
        scope.code if scope else "",
        scope.name if scope else "",
        sum(row.learners for row in built),
        sum(row.lagging for row in built),
        sum(row.mentored for row in built),
    )
    mentors = await _mentors(session, scope, consent)
    spare: dict[str, list[Mentor]] = defaultdict(list)
    for mentor in mentors:
        if mentor.mentees < capacity:
            spare[mentor.unit_code].append(mentor)
    unmentored = tuple(
        Lagging(
            id,
            name,
            unit_code,
            unit_name,
            state,
            last,
            tuple(m for m in spare.get(unit_code, []) if m.id != id)[:SUGGESTED],
        )
        for id, name, unit_code, unit_name, state, last in listed
    )
    return MentorsPage(
        unit=scope,
        rows=built,
        total=total,
        unmentored=unmentored,
        hidden=hidden,
        more=max(0, named - max(0, offset) - len(listed)),
        mentors=tuple(mentors),
        capacity=capacity,
        standings=dict(standings),
        offset=max(0, offset),
    )


async def _path_lengths(
    connection: AsyncConnection, pack: Pack, in_scope: Sequence[ColumnElement[bool]]
) -> dict[tuple[int, str], int]:
    """The path length of every (level, role) the scope's active learners have."""
    role = func.coalesce(L.c.role, "other")
    pairs = await connection.execute(
        select(L.c.level, role)
        .where(L.c.status == LearnerStatus.ACTIVE, *in_scope)
        .group_by(L.c.level, role)
    )
    return {
        (int(level), str(name)): len(course.path(pack, int(level), str(name)))
        for level, name in pairs
    }


def _epoch(dialect: str, moment: Any) -> Any:
    """Seconds since 1970 of a UTC timestamp column, in the database."""
    if dialect == "postgresql":
        return func.extract("epoch", moment)
    return (func.julianday(moment) - 2440587.5) * 86400.0


def standings_query(
    target: Target,
    now: datetime,
    in_scope: Sequence[ColumnElement[bool]],
    lessons: dict[tuple[int, str], int],
    consent: str,
    *,
    dialect: str | None = None,
) -> Select[Any]:
    """Every active learner of the scope with their standing computed in the database: the
    same definition as :func:`mentoring.learner_standing` (certified at the target level; not
    started; inactive for :data:`mentoring.INACTIVE`; behind: the share of their path done is
    below the share of the time to the deadline gone), which ``test_mentor_coverage`` checks
    learner by learner. ``lessons``: path length per (level, role), from
    :func:`_path_lengths`."""
    # Grouped per learner and joined (not a correlated subquery per learner): one pass over
    # each table, and a plan cheap enough that PostgreSQL does not JIT-compile it (seconds).
    scope_learners = [P.c.learner_id.in_(select(L.c.id).where(*in_scope))] if in_scope else []
    mover = L.alias("mover")
    progress = (
        select(
            P.c.learner_id,
            func.sum(
                case(
                    (and_(P.c.level == mover.c.level, P.c.status.in_(("done", "placed_out"))), 1),
                    else_=0,
                )
            ).label("done"),
        )
        .select_from(P.join(mover, mover.c.id == P.c.learner_id))
        .where(*scope_learners)
        .group_by(P.c.learner_id)
        .subquery("progress")
    )
    certified = (
        select(C.c.learner_id, func.max(C.c.level).label("best"))
        .where(
            C.c.revoked_at.is_(None),
            *([C.c.learner_id.in_(select(L.c.id).where(*in_scope))] if in_scope else []),
        )
        .group_by(C.c.learner_id)
        .subquery("certified")
    )
    links = select(ML.c.mentee_id).group_by(ML.c.mentee_id).subquery("links")
    started = progress.c.learner_id.is_not(None)
    best = func.coalesce(certified.c.best, 0)
    finished = func.coalesce(progress.c.done, 0)
    role = func.coalesce(L.c.role, "other")
    length = case(
        *((and_(L.c.level == lv, role == name), n) for (lv, name), n in lessons.items()),
        else_=0,
    )
    deadline = datetime.combine(target.deadline, datetime.max.time(), now.tzinfo)
    at = L.c.created_at.type
    whole_path = finished < length  # expected share 1: behind unless the path is done
    if now >= deadline:
        on_time: ColumnElement[bool] = whole_path
    else:
        joined = _epoch(dialect or "postgresql", L.c.created_at)
        gone, total = now.timestamp() - joined, deadline.timestamp() - joined
        on_time = case(
            (L.c.created_at >= literal(deadline, at), whole_path),
            # finished / length < gone / total, both sides multiplied by length * total > 0
            else_=finished * total < length * gone,
        )
    behind = and_(L.c.level <= target.level, length > 0, on_time)
    inactive = or_(
        L.c.last_active_at.is_(None),
        L.c.last_active_at <= literal(now - mentoring.INACTIVE, at),
    )
    standing = case(
        (best >= target.level, mentoring.Standing.CERTIFIED.value),
        (and_(~started, best == 0), mentoring.Standing.NOT_STARTED.value),
        (inactive, mentoring.Standing.INACTIVE.value),
        (behind, mentoring.Standing.BEHIND.value),
        else_=mentoring.Standing.ON_TRACK.value,
    )
    return (
        select(
            L.c.id,
            L.c.display_name,
            L.c.unit_code,
            L.c.last_active_at,
            U.c.path,
            U.c.name.label("unit_name"),
            standing.label("standing"),
            links.c.mentee_id.is_not(None).label("mentored"),
            and_(L.c.chat_id.is_not(None), consented(consent)).label("nameable"),
        )
        .select_from(
            L.join(U, U.c.code == L.c.unit_code)
            .outerjoin(progress, progress.c.learner_id == L.c.id)
            .outerjoin(certified, certified.c.learner_id == L.c.id)
            .outerjoin(links, links.c.mentee_id == L.c.id)
        )
        .where(L.c.status == LearnerStatus.ACTIVE, *in_scope)
    )


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _mentors(session: AsyncSession, scope: Unit | None, consent: str) -> list[Mentor]:
    """The scope's reachable mentors who agreed to the current terms, fewest mentees first
    (the order of the chat's pairing list)."""
    load = select(func.count()).where(ML.c.mentor_id == L.c.id).scalar_subquery()
    conditions = [
        L.c.status == LearnerStatus.ACTIVE,
        L.c.chat_id.is_not(None),
        consented(consent),
        roles.holds(Role.MENTOR),
    ]
    if scope is not None:
        conditions.append(units.learners_in(scope))
    connection = await session.connection()
    rows = await connection.execute(
        select(L.c.id, L.c.display_name, L.c.unit_code, U.c.name, load.label("load"))
        .select_from(L.join(U, U.c.code == L.c.unit_code))
        .where(*conditions)
        .order_by(load, L.c.display_name, L.c.id)
    )
    return [
        Mentor(int(r.id), r.display_name or "—", r.unit_code or "", r.name, int(r.load))
        for r in rows
    ]


__all__ = ["Coverage", "Lagging", "Mentor", "MentorsPage", "access_mentors_page", "coverage"]
