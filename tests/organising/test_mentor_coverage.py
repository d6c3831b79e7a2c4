"""The mentors page's standings, computed in the database, agree with
:func:`mentoring.learner_standing` (the definition /mentees uses) for every learner of a varied
seeded set: levels, roles, lessons done, placed out or only started, certificates at several
levels (some revoked), activity on the seven days' edge, joining before, after now and after the
deadline, and targets whose deadline is still ahead or already gone."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.organising import mentor_coverage, mentoring, trend
from hocvuso.organising.forecast import Target
from hocvuso.storage import tables
from hocvuso.storage.organising import MentorLink, Unit
from tests.factories import TERMS, Clock, add_learner

L, P, C, U = tables.LEARNER, tables.LESSON_PROGRESS, tables.CERTIFICATE, tables.UNIT


async def seed(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit], clock: Clock, pack: Pack
) -> None:
    now = clock.now
    picker = random.Random(13)
    lessons = {
        level: [ref.lesson.id for ref in pack.lessons_for(level, "civil_servant")]
        for level in (1, 2, 3)
    }
    for n in range(90):
        created = now - timedelta(days=picker.uniform(-3, 220))
        if n % 15 == 0:
            created = now + timedelta(days=picker.choice([60, 200]))  # joins after the deadline
        last = picker.choice(
            [
                None,
                now,
                now - timedelta(days=7),
                now - timedelta(days=7, microseconds=-1),
                now - timedelta(days=picker.uniform(0, 30)),
            ]
        )
        certified = [(lv, now - timedelta(days=5)) for lv in (1, 2) if picker.random() < 0.2]
        learner = await add_learner(
            sessions,
            unit=picker.choice(list(tree)),
            created_at=created,
            last_active_at=last,
            certified=certified,
            level=picker.choice([1, 1, 2, 3]),
            role=picker.choice(["civil_servant", "civil_servant", None, "no-such-role"]),
            **picker.choice([{}, {}, {}, {"chat_id": None}, {"consent_version": "2020-01-01"}]),
        )
        if n > 0 and picker.random() < 0.2:  # a mentor link (the mentor: an earlier learner)
            async with sessions() as session, session.begin():
                session.add(MentorLink(mentor_id=learner.id - 1, mentee_id=learner.id))
        async with sessions() as session, session.begin():
            connection = await session.connection()
            for level, ids in lessons.items():
                for lesson in ids[: picker.randint(0, len(ids))]:
                    await connection.execute(
                        insert(P).values(
                            learner_id=learner.id,
                            lesson_id=lesson,
                            level=level,
                            status=picker.choice(["done", "placed_out", "started"]),
                            started_at=created,
                        )
                    )
            if certified and picker.random() < 0.3:
                await connection.execute(
                    update(C).where(C.c.learner_id == learner.id).values(revoked_at=now)
                )


@pytest.mark.parametrize(
    "target",
    [
        Target(),
        Target(level=2, deadline=date(2027, 3, 1)),
        Target(level=2, deadline=date(2026, 11, 1)),  # the deadline is already gone
    ],
)
async def test_the_sql_standing_is_learner_standing_for_every_learner(
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    clock: Clock,
    pack: Pack,
    target: Target,
) -> None:
    await seed(sessions, tree, clock, pack)
    now = clock.now
    async with sessions() as session:
        connection = await session.connection()
        people = (await connection.execute(select(L))).all()
        finished = Counter(
            (r.learner_id, r.level)
            for r in await connection.execute(
                select(P).where(P.c.status.in_(("done", "placed_out")))
            )
        )
        started = {r.learner_id for r in await connection.execute(select(P.c.learner_id))}
        best = dict(
            (
                await connection.execute(
                    select(C.c.learner_id, func.max(C.c.level))
                    .where(C.c.revoked_at.is_(None))
                    .group_by(C.c.learner_id)
                )
            ).all()
        )
        expected = {
            r.id: mentoring.learner_standing(
                pack,
                target,
                now,
                r,
                finished=finished[(r.id, r.level)],
                started=r.id in started,
                certified_level=int(best.get(r.id, 0)),
            ).value
            for r in people
        }
        for scope in (None, tree["A"]):
            in_scope = (
                [L.c.unit_code.in_(select(U.c.code).where(U.c.path.startswith(scope.path)))]
                if scope is not None
                else []
            )
            length = await mentor_coverage._path_lengths(connection, pack, in_scope)
            query = mentor_coverage.standings_query(
                target, now, in_scope, length, TERMS, dialect=connection.dialect.name
            )
            found = {r.id: r.standing for r in await connection.execute(query)}
            assert found and found == {i: expected[i] for i in found}
    assert len(set(expected.values())) == 5  # every standing occurs (but certified past it)


async def test_the_page_counts_and_lists_what_learner_standing_says(
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    clock: Clock,
    pack: Pack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed(sessions, tree, clock, pack)
    now, target = clock.now, Target()
    monkeypatch.setattr(mentor_coverage, "LISTED", 7)
    async with sessions() as session:
        connection = await session.connection()
        people = (await connection.execute(select(L).where(L.c.status == "active"))).all()
        finished = Counter(
            (r.learner_id, r.level)
            for r in await connection.execute(
                select(P).where(P.c.status.in_(("done", "placed_out")))
            )
        )
        started = {r.learner_id for r in await connection.execute(select(P.c.learner_id))}
        best = dict(
            (
                await connection.execute(
                    select(C.c.learner_id, func.max(C.c.level))
                    .where(C.c.revoked_at.is_(None))
                    .group_by(C.c.learner_id)
                )
            ).all()
        )
        mentored = {r.mentee_id for r in await connection.execute(select(tables.MENTOR_LINK))}
        page = await mentor_coverage.coverage(
            session, tree["A"], pack, target, now, consent=TERMS, capacity=10
        )
    in_a = {"A", "A1", "A2", "A2x"}
    lagging = []
    for r in people:
        if r.unit_code not in in_a:
            continue
        state = mentoring.learner_standing(
            pack,
            target,
            now,
            r,
            finished=finished[(r.id, r.level)],
            started=r.id in started,
            certified_level=int(best.get(r.id, 0)),
        )
        if state in mentoring.LAGGING:
            lagging.append((r, state))
    unmentored = [(r, s) for r, s in lagging if r.id not in mentored]
    named = [(r, s) for r, s in unmentored if r.chat_id is not None and r.consent_version == TERMS]
    named.sort(
        key=lambda c: (
            mentoring.ORDER.index(c[1]),
            c[0].last_active_at is not None,
            trend._aware(c[0].last_active_at) if c[0].last_active_at else now,
            c[0].id,
        )
    )
    assert page.total.learners == sum(1 for r in people if r.unit_code in in_a)
    assert page.total.lagging == len(lagging) > 0
    assert page.total.mentored == len(lagging) - len(unmentored) > 0
    assert page.hidden == len(unmentored) - len(named) > 0
    assert [(u.id, u.standing) for u in page.unmentored] == [(r.id, s) for r, s in named[:7]]
    assert page.more == len(named) - 7 > 0
    assert page.standings == dict(Counter(s.value for _, s in lagging))
