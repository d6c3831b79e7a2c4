"""Granting and revoking scoped roles (admins; organisers only through mentor invitations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid
from hocvuso.organising.permissions import Action, Actor, check_role
from hocvuso.storage.models import Certificate, Learner, LearnerStatus
from hocvuso.storage.organising import Role, RoleGrant, Unit

#: A mentor has passed this level's exam ("hạt nhân lan tỏa").
MENTOR_LEVEL = 1


def holds(role: Role, learner: Any = Learner.id) -> ColumnElement[bool]:
    """SQL condition: ``learner`` (a column, by default ``learner.id``, or an id) holds ``role``
    now, in any unit."""
    return exists().where(
        col(RoleGrant.learner_id) == learner,
        col(RoleGrant.role) == role,
        col(RoleGrant.revoked_at).is_(None),
    )


async def active_grant(
    session: AsyncSession, learner_id: int, role: Role, unit_id: int | None
) -> RoleGrant | None:
    """The learner's unrevoked grant of ``role`` in exactly that unit (None: everywhere)."""
    found = await session.exec(
        select(RoleGrant).where(
            RoleGrant.learner_id == learner_id,
            RoleGrant.role == role,
            col(RoleGrant.unit_id).is_(None) if unit_id is None else RoleGrant.unit_id == unit_id,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return found.first()


async def check_grantable(
    session: AsyncSession, learner: Learner | None, role: Role, unit: Unit | None
) -> Learner:
    if learner is None or learner.status == LearnerStatus.ERASED:
        raise Invalid("learner-not-found")
    if role == Role.ORGANISER and unit is None:
        raise Invalid("organiser-needs-unit")
    if role == Role.MENTOR:
        found = await session.exec(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.learner_id == learner.id, Certificate.level >= MENTOR_LEVEL)
        )
        if not found.one():
            raise Invalid("mentor-needs-certificate", level=MENTOR_LEVEL)
    return learner


async def do_grant_unchecked(
    session: AsyncSession,
    learner: Learner,
    role: Role,
    unit: Unit | None,
    *,
    by: int | None,
    via: str,
    now: datetime,
) -> RoleGrant:
    """Grant ``role`` (idempotent). Callers have checked the permission (or hold an invite)."""
    await check_grantable(session, learner, role, unit)
    unit_id = None if role == Role.ADMIN or unit is None else unit.id
    assert learner.id is not None
    existing = await active_grant(session, learner.id, role, unit_id)
    if existing is not None:
        return existing
    assert learner.id is not None
    grant = RoleGrant(
        learner_id=learner.id, role=role, unit_id=unit_id, granted_by=by, granted_at=now
    )
    session.add(grant)
    await session.flush()
    await audit.record(
        session, by, via, "role.grant", unit_id, now, learner=learner.id, role=str(role)
    )
    return grant


async def do_grant(
    session: AsyncSession,
    actor: Actor,
    learner_id: int,
    role: Role,
    unit: Unit | None,
    now: datetime,
) -> RoleGrant:
    check_role(actor, Action.GRANT)
    learner = await session.get(Learner, learner_id)
    learner = await check_grantable(session, learner, role, unit)
    return await do_grant_unchecked(
        session, learner, role, unit, by=actor.learner_id, via=actor.via, now=now
    )


async def do_revoke(
    session: AsyncSession,
    actor: Actor,
    learner_id: int,
    role: Role,
    unit: Unit | None,
    now: datetime,
) -> int:
    """Revoke a role (in one unit, or everywhere when ``unit`` is None); returns how many."""
    check_role(actor, Action.GRANT)
    query = select(RoleGrant).where(
        RoleGrant.learner_id == learner_id,
        RoleGrant.role == role,
        col(RoleGrant.revoked_at).is_(None),
    )
    if unit is not None:
        query = query.where(RoleGrant.unit_id == unit.id)
    grants = list((await session.exec(query)).all())
    for grant in grants:
        grant.revoked_at = now
        session.add(grant)
    await audit.record_by(
        session,
        actor,
        "role.revoke",
        unit.id if unit else None,
        now,
        learner=learner_id,
        role=str(role),
        revoked=len(grants),
    )
    return len(grants)


async def active_grants(session: AsyncSession) -> list[tuple[RoleGrant, Unit | None]]:
    result = await session.exec(
        select(RoleGrant, Unit)
        .join(Unit, col(Unit.id) == RoleGrant.unit_id, isouter=True)
        .where(col(RoleGrant.revoked_at).is_(None))
        .order_by(col(RoleGrant.id))
    )
    return list(result.all())
