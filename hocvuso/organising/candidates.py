"""Suggested mentors: certified learners of an organiser's subtree who are not mentors yet.

The suggestion is automatic (``/report`` counts them, ``/mentor_candidates`` lists them); the
organiser presses "Mời" and the candidate receives a personal invitation through the delivery
queue, with one button to accept. The invitation is a one-time role invite bound to that person
(nobody else can accept it) that expires like any other; the organiser is told of the acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.delivery import outbox
from hocvuso.delivery import payloads as a
from hocvuso.i18n import t
from hocvuso.organising import audit, invites, roles, units
from hocvuso.organising.errors import Forbidden, Invalid, LimitReached
from hocvuso.organising.permissions import (
    Action,
    Actor,
    access_learner,
    access_unit,
    check_role,
)
from hocvuso.storage.consent import consented, has_consented
from hocvuso.storage.models import Certificate, Learner, LearnerStatus
from hocvuso.storage.organising import Role, RoleGrant, RoleInvite, Unit
from hocvuso.storage.scheduling import DeliveryKind

LIST_LIMIT = 10


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    unit_name: str
    certified_at: datetime


def _candidate_filter(scope: Unit | None, consent: str) -> list[ColumnElement[bool]]:
    conditions = [
        col(Learner.status) == LearnerStatus.ACTIVE,
        col(Learner.chat_id).is_not(None),
        col(Certificate.level) == roles.MENTOR_LEVEL,
        ~roles.holds(Role.MENTOR),
        consented(consent),  # only those who agreed to terms that say organisers see this
    ]
    if scope is not None:
        conditions.append(units.subtree(scope))
    return conditions


async def count(session: AsyncSession, scope: Unit | None, *, consent: str) -> int:
    found = await session.exec(
        select(func.count())
        .select_from(Learner)
        .join(Certificate, col(Certificate.learner_id) == Learner.id)
        .join(Unit, col(Unit.code) == Learner.unit_code)
        .where(*_candidate_filter(scope, consent))
    )
    return int(found.one())


async def listing(
    session: AsyncSession,
    actor: Actor,
    scope: Unit | None,
    limit: int = LIST_LIMIT,
    *,
    consent: str,
) -> list[Candidate]:
    """The most recently certified candidates first (they remember the course best)."""
    check_role(actor, Action.INVITE_MENTOR)
    result = await session.exec(
        select(Learner, Unit, Certificate.issued_at)
        .join(Certificate, col(Certificate.learner_id) == Learner.id)
        .join(Unit, col(Unit.code) == Learner.unit_code)
        .where(*_candidate_filter(scope, consent))
        .order_by(col(Certificate.issued_at).desc(), col(Learner.id))
        .limit(limit)
    )
    return [
        Candidate(learner.id or 0, learner.display_name or "—", unit.name, issued)
        for learner, unit, issued in result.all()
    ]


async def access_candidates(
    session: AsyncSession, actor: Actor, code: str | None, now: datetime, *, consent: str
) -> tuple[list[Candidate], int]:
    """The suggested mentors of a unit in scope and how many there are in all; audited."""
    unit = await access_unit(session, actor, Action.INVITE_MENTOR, code or None)
    found = await listing(session, actor, unit, consent=consent)
    await audit.record_by(
        session,
        actor,
        "mentor.candidates",
        unit.id if unit else None,
        now,
        shown=len(found),
    )
    total = await count(session, unit, consent=consent) if found else 0
    return found, total


async def do_invite(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    organiser: Learner,
    candidate_id: int,
    now: datetime,
) -> tuple[Learner, RoleInvite, bool]:
    """Send the candidate a personal, one-time invitation to become a mentor of their unit.

    Returns the candidate, the invitation and whether it is a new one: pressing "Mời" again
    while an invitation to that person is open reuses it (nothing is sent twice), and an
    organiser holds at most ``Settings.mentor_invites_open`` open invitations at a time."""
    candidate = await access_learner(session, actor, Action.INVITE_MENTOR, candidate_id)
    if not has_consented(candidate, settings.consent_version):
        raise Forbidden("forbidden-learner")  # not yet agreed to terms that allow this
    unit = await units.by_code(session, candidate.unit_code or "")
    await roles.check_grantable(session, candidate, Role.MENTOR, unit)
    existing = await _open_invitation(session, candidate_id, unit, now)
    if existing is not None:
        return candidate, existing, False
    if await _open_invitations(session, actor, now) >= settings.mentor_invites_open:
        raise LimitReached("mentor-invites-capped", limit=settings.mentor_invites_open)
    invite = await invites.create_role_invite(
        session, actor, Role.MENTOR, unit, now, invitee_id=candidate_id
    )
    lang = candidate.language
    text = t(
        lang,
        "mentor-invitation",
        organiser=organiser.display_name or "—",
        unit=unit.name,
        until=invite.expires_at.astimezone(ZoneInfo(candidate.timezone)).strftime("%d/%m/%Y"),
    )
    queued = await outbox.queue_message(
        session,
        settings,
        candidate,
        key=f"mentor-invite:{organiser.id}:{invite.id}",  # names the organiser
        kind=DeliveryKind.MENTOR,
        text=text,
        buttons=a.stored(
            [a.button(t(lang, "mentor-invitation-accept"), a.ACCEPT_ROLE, "", invite.token)]
        ),
        now=now,
    )
    if not queued:
        raise Invalid("reply-unreachable")
    return candidate, invite, True


def _open(now: datetime) -> list[ColumnElement[bool]]:
    """Personal mentor invitations neither used nor expired."""
    return [
        col(RoleInvite.role) == Role.MENTOR,
        col(RoleInvite.invitee_id).is_not(None),
        col(RoleInvite.used_at).is_(None),
        col(RoleInvite.expires_at) > now,
    ]


async def _open_invitation(
    session: AsyncSession, candidate_id: int, unit: Unit, now: datetime
) -> RoleInvite | None:
    found = await session.exec(
        select(RoleInvite)
        .where(*_open(now), RoleInvite.invitee_id == candidate_id, RoleInvite.unit_id == unit.id)
        .order_by(col(RoleInvite.id).desc())
    )
    return found.first()


async def _open_invitations(session: AsyncSession, actor: Actor, now: datetime) -> int:
    found = await session.exec(
        select(func.count())
        .select_from(RoleInvite)
        .where(*_open(now), RoleInvite.created_by == actor.learner_id)
    )
    return int(found.one())


async def do_accept(
    session: AsyncSession, settings: Settings, learner: Learner, token: str, now: datetime
) -> tuple[RoleGrant, Unit | None]:
    """The candidate pressed "accept": the role is theirs, and the organiser is told."""
    grant, unit = await invites.do_accept_role_invite(session, learner, token, now)
    invite = (await session.exec(select(RoleInvite).where(RoleInvite.token == token))).one()
    inviter = await session.get(Learner, invite.created_by) if invite.created_by else None
    if inviter is not None:
        await outbox.queue_message(
            session,
            settings,
            inviter,
            key=f"mentor-accepted:{learner.id}:{invite.id}",  # names the new mentor
            kind=DeliveryKind.MENTOR,
            text=t(
                inviter.language,
                "mentor-invitation-accepted",
                name=learner.display_name or "—",
                unit=unit.name if unit else "—",
            ),
            now=now,
        )
    await audit.record(
        session, learner.id, "chat", "role.accept", invite.unit_id, now, invite=invite.id
    )
    return grant, unit
