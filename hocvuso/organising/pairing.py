"""An organiser pairs mentors with colleagues who have none ("không ai bị bỏ lại phía sau").

``/assign_mentor`` lists the mentors of the organiser's subtree with how many mentees each has;
choosing one lists the learners of the subtree who have no mentor yet, those who need help most
first (not started, then the longest inactive); choosing one links them and tells both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.delivery import outbox
from hocvuso.i18n import t
from hocvuso.organising import audit, mentoring, roles, units
from hocvuso.organising.errors import Forbidden, Invalid, LimitReached
from hocvuso.organising.permissions import Action, Actor, access_learner, access_unit, check_role
from hocvuso.storage.consent import consented, has_consented
from hocvuso.storage.models import Certificate, Learner, LearnerStatus
from hocvuso.storage.organising import MentorLink, Role, Unit
from hocvuso.storage.scheduling import DeliveryKind

LIST_LIMIT = 10


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    unit_name: str
    #: Mentors: how many mentees they have. Learners: None.
    mentees: int | None = None
    last_active_at: datetime | None = None


def _in_scope(scope: Unit | None, consent: str) -> list[ColumnElement[bool]]:
    """Reachable people of the scope who agreed to the terms ``consent`` (the current ones):
    nobody else is listed by name, nor can be paired (they would get no message)."""
    conditions = [
        col(Learner.status) == LearnerStatus.ACTIVE,
        col(Learner.chat_id).is_not(None),
        consented(consent),
    ]
    if scope is not None:
        conditions.append(units.subtree(scope))
    return conditions


async def mentors(
    session: AsyncSession, actor: Actor, scope: Unit | None, *, consent: str
) -> list[Person]:
    check_role(actor, Action.LINK_MENTEE)
    load = (
        select(func.count())
        .where(MentorLink.mentor_id == Learner.id)
        .correlate(Learner)
        .scalar_subquery()
    )
    result = await session.exec(
        select(Learner, Unit, load)
        .join(Unit, col(Unit.code) == Learner.unit_code)
        .where(roles.holds(Role.MENTOR), *_in_scope(scope, consent))
        .order_by(load, col(Learner.display_name), col(Learner.id))
        .limit(LIST_LIMIT)
    )
    return [
        Person(learner.id or 0, learner.display_name or "—", unit.name, int(count))
        for learner, unit, count in result.all()
    ]


async def unmentored(
    session: AsyncSession,
    actor: Actor,
    scope: Unit | None,
    mentor_id: int,
    level: int,
    *,
    consent: str,
) -> list[Person]:
    """Learners of the scope with no mentor and no certificate at ``level`` yet."""
    check_role(actor, Action.LINK_MENTEE)
    has_mentor = exists().where(col(MentorLink.mentee_id) == Learner.id)
    certified = exists().where(
        col(Certificate.learner_id) == Learner.id, col(Certificate.level) >= level
    )
    result = await session.exec(
        select(Learner, Unit)
        .join(Unit, col(Unit.code) == Learner.unit_code)
        .where(~has_mentor, ~certified, Learner.id != mentor_id, *_in_scope(scope, consent))
        .order_by(col(Learner.last_active_at).is_not(None), col(Learner.last_active_at))
        .limit(LIST_LIMIT)
    )
    return [
        Person(
            learner.id or 0, learner.display_name or "—", unit.name, None, learner.last_active_at
        )
        for learner, unit in result.all()
    ]


async def access_mentors(
    session: AsyncSession, actor: Actor, code: str | None, now: datetime, *, consent: str
) -> list[Person]:
    """/assign_mentor: the mentors of a unit in scope, fewest mentees first; audited."""
    unit = await access_unit(session, actor, Action.LINK_MENTEE, code or None)
    found = await mentors(session, actor, unit, consent=consent)
    await audit.record_by(
        session,
        actor,
        "mentor.pairing_mentors",
        unit.id if unit else None,
        now,
        shown=len(found),
    )
    return found


async def access_unmentored(
    session: AsyncSession, actor: Actor, mentor_id: int, level: int, now: datetime, *, consent: str
) -> tuple[Learner, list[Person]]:
    """The mentor, and colleagues with no mentor in the organiser's scope that holds the mentor,
    those who need help most first; audited."""
    mentor = await access_learner(session, actor, Action.LINK_MENTEE, mentor_id)
    scope: Unit | None = None
    if not actor.is_admin:  # access_learner has checked that one of the scopes holds the mentor
        home = await units.by_code(session, mentor.unit_code or "")
        scope = next(
            s
            for s in actor.scopes(Action.LINK_MENTEE)
            if s is not None and units.in_subtree(s, home.path)
        )
    found = await unmentored(session, actor, scope, mentor_id, level, consent=consent)
    await audit.record_by(
        session,
        actor,
        "mentor.pairing_mentees",
        scope.id if scope else None,
        now,
        mentor=mentor_id,
        shown=len(found),
    )
    return mentor, found


async def do_pair(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    mentor_id: int,
    mentee_id: int,
    now: datetime,
    *,
    unmentored_only: bool = False,
) -> tuple[Learner, Learner]:
    """Link them (both inside the organiser's subtree) and tell both; idempotent.

    Refused (LimitReached ``mentor-full``) when the link is new and the mentor already has
    ``Settings.mentor_capacity`` mentees; with ``unmentored_only`` (the dashboard, whose list
    may be stale by the time of the press) also when the mentee has a mentor already (Invalid
    ``mentor-already-paired``).
    """
    mentor = await access_learner(session, actor, Action.LINK_MENTEE, mentor_id)
    mentee = await access_learner(session, actor, Action.LINK_MENTEE, mentee_id)
    if not all(has_consented(p, settings.consent_version) for p in (mentor, mentee)):
        raise Forbidden("forbidden-learner")  # not yet agreed to terms that allow this
    links = (
        await session.exec(
            select(MentorLink.mentor_id, MentorLink.mentee_id).where(
                or_(col(MentorLink.mentor_id) == mentor_id, col(MentorLink.mentee_id) == mentee_id)
            )
        )
    ).all()
    if unmentored_only and any(linked == mentee_id for _, linked in links):
        raise Invalid("mentor-already-paired")
    if (mentor_id, mentee_id) not in links:
        load = sum(1 for linked, _ in links if linked == mentor_id)
        if load >= settings.mentor_capacity:
            raise LimitReached("mentor-full", capacity=settings.mentor_capacity)
    if await mentoring.do_link_by_organiser(session, actor, mentor_id, mentee_id, now):
        for recipient, named, key, variables in (
            (mentee, mentor, "paired-mentee", {"mentor": mentor.display_name or "—"}),
            (mentor, mentee, "paired-mentor", {"name": mentee.display_name or "—"}),
        ):
            await outbox.queue_message(
                session,
                settings,
                recipient,
                key=f"paired:{named.id}:{recipient.id}",  # the id of the person it names first
                kind=DeliveryKind.MENTOR,
                text=t(recipient.language, key, **variables),
                now=now,
            )
    return mentor, mentee
