"""Who may do what, where: the permission matrix and the ``access_*`` / ``check_*`` guards.

Roles: learner (everyone), mentor, organiser (scoped to a unit subtree), admin (everywhere).
The command line acts as an admin: whoever runs it already holds the database.

A unit outside the actor's scope is refused with the same message as a unit that does not exist,
so nothing about other units leaks (not even whether a code exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import audit, units
from hocvuso.organising.errors import Forbidden, NotFound
from hocvuso.storage.models import Learner, LearnerStatus
from hocvuso.storage.organising import AuditEntry, MentorLink, Role, RoleGrant, Unit


class Action(StrEnum):
    REPORT = "report"  # /report, `hocvuso report`: figures of a unit subtree
    BROADCAST = "broadcast"  # /broadcast to a unit subtree
    INVITE_MENTOR = "invite_mentor"  # a one-time mentor invitation in a unit subtree
    LINK_MENTEE = "link_mentee"  # pair a mentor with a mentee (both in the subtree)
    GRANT = "grant"  # grant, revoke and invite to any role
    AUDIT = "audit"  # read the audit log
    MENTEES = "mentees"  # /mentees: one's own mentees
    NUDGE = "nudge"  # "nhắc nhở" one's own mentee
    REVOKE_CERTIFICATE = "revoke_certificate"  # `hocvuso certificate revoke`: anywhere


#: The matrix: which roles may perform each action (scope is checked separately).
ALLOWED: dict[Action, frozenset[Role]] = {
    Action.REPORT: frozenset({Role.ORGANISER, Role.ADMIN}),
    Action.BROADCAST: frozenset({Role.ORGANISER, Role.ADMIN}),
    Action.INVITE_MENTOR: frozenset({Role.ORGANISER, Role.ADMIN}),
    Action.LINK_MENTEE: frozenset({Role.ORGANISER, Role.ADMIN}),
    Action.GRANT: frozenset({Role.ADMIN}),
    Action.AUDIT: frozenset({Role.ADMIN}),
    Action.MENTEES: frozenset({Role.MENTOR}),
    Action.NUDGE: frozenset({Role.MENTOR}),
    Action.REVOKE_CERTIFICATE: frozenset({Role.ADMIN}),
}
#: Actions that are scoped to a unit subtree (organisers) rather than to one's own mentees.
UNIT_SCOPED = {Action.REPORT, Action.BROADCAST, Action.INVITE_MENTOR, Action.LINK_MENTEE}


@dataclass(frozen=True)
class Grant:
    role: Role
    unit: Unit | None  # None: everywhere (admins)


@dataclass(frozen=True)
class Actor:
    """Someone acting as staff: a learner with their grants, or the command line."""

    learner_id: int | None
    grants: tuple[Grant, ...] = ()
    via: str = "chat"

    @property
    def roles(self) -> set[Role]:
        if self.via == "cli":
            return {Role.ADMIN}
        return {Role.LEARNER, *(g.role for g in self.grants)}

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def scopes(self, action: Action) -> list[Unit | None]:
        """Units whose subtree the actor may act on for ``action`` (None: everywhere)."""
        if self.is_admin:
            return [None]
        return [g.unit for g in self.grants if g.role in ALLOWED[action] and g.unit is not None]


CLI = Actor(None, (), "cli")


async def load_actor(session: AsyncSession, learner_id: int) -> Actor:
    result = await session.exec(
        select(RoleGrant, Unit)
        .join(Unit, col(Unit.id) == RoleGrant.unit_id, isouter=True)
        .where(RoleGrant.learner_id == learner_id, col(RoleGrant.revoked_at).is_(None))
        .order_by(col(RoleGrant.id))
    )
    return Actor(learner_id, tuple(Grant(Role(g.role), u) for g, u in result.all()))


def check_role(actor: Actor, action: Action) -> None:
    if not actor.roles & ALLOWED[action]:
        raise Forbidden(f"forbidden-{action.value.replace('_', '-')}")


def covers(actor: Actor, action: Action, path: str) -> bool:
    return any(s is None or units.in_subtree(s, path) for s in actor.scopes(action))


async def access_unit(
    session: AsyncSession, actor: Actor, action: Action, code: str | None = None
) -> Unit | None:
    """The unit an action applies to (None: the whole tree, admins only), if in scope."""
    check_role(actor, action)
    scopes = actor.scopes(action)
    if not code:
        return scopes[0] if scopes else None
    try:
        unit = await units.by_code(session, code)
    except NotFound:
        if actor.is_admin:
            raise
        raise Forbidden("forbidden-unit", code=code) from None
    if not covers(actor, action, unit.path):
        raise Forbidden("forbidden-unit", code=code)
    return unit


async def access_learner(
    session: AsyncSession, actor: Actor, action: Action, learner_id: int
) -> Learner:
    """A learner inside the actor's scope for ``action`` (organisers: their unit subtree).
    Nobody reaches a learner who erased their data: the row is only a figure now."""
    check_role(actor, action)
    learner = await session.get(Learner, learner_id)
    if learner is not None and learner.status == LearnerStatus.ERASED:
        raise Forbidden("forbidden-learner")
    if learner is not None and actor.is_admin:
        return learner
    if learner is not None and learner.unit_code:
        unit = (await session.exec(select(Unit).where(Unit.code == learner.unit_code))).first()
        if unit is not None and covers(actor, action, unit.path):
            return learner
    raise Forbidden("forbidden-learner")


async def access_mentee(session: AsyncSession, actor: Actor, mentee_id: int) -> Learner:
    """One of the actor's own mentees (a mentor never reaches anyone else's)."""
    check_role(actor, Action.NUDGE)
    link = (
        await session.exec(
            select(MentorLink).where(
                MentorLink.mentor_id == actor.learner_id, MentorLink.mentee_id == mentee_id
            )
        )
    ).first()
    learner = await session.get(Learner, mentee_id) if link is not None else None
    if learner is None:
        raise Forbidden("forbidden-mentee")
    return learner


async def access_audit_log(
    session: AsyncSession, actor: Actor, *, unit_id: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The most recent audit entries, for those allowed to read the log (admins, the CLI)."""
    check_role(actor, Action.AUDIT)
    return await audit.entries(session, unit_id=unit_id, limit=limit)
