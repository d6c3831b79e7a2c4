"""Mentor coverage of an organiser's scope: who is lagging, who of them has a mentor, and which
mentors could take the others (the dashboard's mentors page; the pairing itself is
:func:`hocvuso.organising.pairing.do_pair`, the same as ``/assign_mentor`` in the chat).

*Lagging* is :data:`hocvuso.organising.mentoring.LAGGING`: not started, inactive for 7 days, or
behind the pace to the target deadline — :func:`mentoring.learner_standing`, the standing a
mentor sees in ``/mentees``. Every active learner of the scope is counted (with or without
consent to the current terms); only those who agreed to the current terms and can be reached
are named and may be paired, as on the unit page and in the chat.

A *suggested mentor* for a lagging learner without one holds the mentor role, is reachable,
agreed to the current terms, sits in the learner's own unit and has fewer mentees than
``Settings.mentor_capacity`` — the chat's pairing list (fewest mentees first) narrowed to the
learner's unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import course
from hocvuso.organising import audit, mentoring, roles, units
from hocvuso.organising.errors import Forbidden, NotFound
from hocvuso.organising.forecast import Target
from hocvuso.organising.permissions import Action, Actor, access_unit
from hocvuso.storage import tables
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


async def _scope(session: AsyncSession, actor: Actor, code: str | None) -> Unit | None:
    try:
        return await access_unit(session, actor, Action.LINK_MENTEE, code or None)
    except NotFound:
        raise NotFound("dashboard-no-unit") from None
    except Forbidden as exc:
        if exc.key == "forbidden-unit":
            raise NotFound("dashboard-no-unit") from None
        raise


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
) -> MentorsPage:
    """The coverage of the person's scope (or ``code`` in it); audited as a page view."""
    scope = await _scope(session, actor, code)
    page = await coverage(session, scope, pack, target, now, consent=consent, capacity=capacity)
    await audit.record_by(
        session,
        actor,
        audit.DASHBOARD_VIEW,
        scope.id if scope else None,
        now,
        page="mentors",
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
) -> MentorsPage:
    """The figures without a permission check (the caller made it)."""
    connection = await session.connection()
    in_scope = (
        [L.c.unit_code.in_(select(U.c.code).where(U.c.path.startswith(scope.path)))]
        if scope is not None
        else []
    )
    done = (
        select(P.c.learner_id, P.c.level, func.count().label("done"))
        .where(
            P.c.status.in_(("done", "placed_out")),
            # Only the scope's learners' lessons, not the whole table's.
            *([P.c.learner_id.in_(select(L.c.id).where(*in_scope))] if in_scope else []),
        )
        .group_by(P.c.learner_id, P.c.level)
        .subquery("done")
    )
    started = exists().where(P.c.learner_id == L.c.id)
    best = select(func.max(C.c.level)).where(C.c.learner_id == L.c.id, C.c.revoked_at.is_(None))
    mentored = exists().where(ML.c.mentee_id == L.c.id)
    nameable = and_(L.c.chat_id.is_not(None), consented(consent))
    rows = (
        await connection.execute(
            select(
                L.c.id,
                L.c.display_name,
                L.c.unit_code,
                L.c.level,
                L.c.role,
                L.c.created_at,
                L.c.last_active_at,
                U.c.path,
                U.c.name.label("unit_name"),
                func.coalesce(done.c.done, 0).label("done"),
                started.label("started"),
                best.scalar_subquery().label("best"),
                mentored.label("mentored"),
                nameable.label("nameable"),
            )
            .select_from(
                L.join(U, U.c.code == L.c.unit_code).outerjoin(
                    done, and_(done.c.learner_id == L.c.id, done.c.level == L.c.level)
                )
            )
            .where(L.c.status == LearnerStatus.ACTIVE, *in_scope)
        )
    ).all()
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
    candidates: list[tuple[int, str, str, str, mentoring.Standing, datetime | None]] = []
    hidden = 0
    paths: dict[tuple[int, str], int] = {}
    bucket_of: dict[str, str | None] = {}
    for r in rows:
        state = mentoring.learner_standing(
            pack,
            target,
            now,
            r,
            finished=int(r.done),
            started=bool(r.started),
            certified_level=int(r.best or 0),
            lessons=_path_length(pack, r.level, r.role, paths),
        )
        if r.unit_code not in bucket_of:  # once per unit, not per learner
            bucket_of[r.unit_code] = next(
                (code for code, _, path in order[1 if scope else 0 :] if r.path.startswith(path)),
                scope.code if scope is not None else None,
            )
        bucket = bucket_of[r.unit_code]
        lag = state in mentoring.LAGGING
        if bucket is not None:
            tally = counts[bucket]
            tally[0] += 1
            tally[1] += lag
            tally[2] += lag and bool(r.mentored)
        if not lag:
            continue
        standings[state.value] += 1
        if r.mentored:
            continue
        if r.nameable:
            candidates.append(
                (r.id, r.display_name or "—", r.unit_code, r.unit_name, state, r.last_active_at)
            )
        else:
            hidden += 1
    built = tuple(Coverage(code, name, *counts[code]) for code, name, _ in order if counts[code][0])
    total = Coverage(
        scope.code if scope else "",
        scope.name if scope else "",
        sum(row.learners for row in built),
        sum(row.lagging for row in built),
        sum(row.mentored for row in built),
    )
    # Those who need help most first: not started, then inactive longest, then behind.
    candidates.sort(
        key=lambda c: (
            mentoring.ORDER.index(c[4]),
            c[5] is not None,
            c[5] or now,
            c[0],
        )
    )
    listed = candidates[:LISTED]
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
        more=len(candidates) - len(listed),
        mentors=tuple(mentors),
        capacity=capacity,
        standings=dict(standings),
    )


def _path_length(pack: Pack, level: int, role: str | None, memo: dict[tuple[int, str], int]) -> int:
    key = (level, role or "other")
    if key not in memo:
        memo[key] = len(course.path(pack, level, key[1]))
    return memo[key]


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
        conditions.append(
            L.c.unit_code.in_(select(U.c.code).where(U.c.path.startswith(scope.path)))
        )
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
