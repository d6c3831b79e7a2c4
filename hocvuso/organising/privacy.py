"""What the organising side keeps about one person, for ``/mydata``, and their choices.

The export holds the person's roles, their mentors and mentees (ids and the names they already
see in chat), the nudges they sent or received (when, templated or custom; texts are never
stored), their preferences, and the actions they took as staff (from the audit log).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.storage.models import Learner
from hocvuso.storage.organising import (
    AuditEntry,
    LearnerPreference,
    MentorLink,
    Nudge,
    RoleGrant,
    Unit,
)


async def export(session: AsyncSession, learner_id: int) -> dict[str, Any]:
    grants = await session.exec(
        select(RoleGrant, Unit)
        .join(Unit, col(Unit.id) == RoleGrant.unit_id, isouter=True)
        .where(RoleGrant.learner_id == learner_id)
        .order_by(col(RoleGrant.id))
    )
    links = await session.exec(
        select(MentorLink, Learner)
        .join(
            Learner,
            or_(
                (col(MentorLink.mentor_id) == learner_id)
                & (col(Learner.id) == MentorLink.mentee_id),
                (col(MentorLink.mentee_id) == learner_id)
                & (col(Learner.id) == MentorLink.mentor_id),
            ),
        )
        .order_by(col(MentorLink.id))
    )
    nudges = await session.exec(
        select(Nudge)
        .where(or_(Nudge.mentor_id == learner_id, Nudge.mentee_id == learner_id))
        .order_by(col(Nudge.id))
    )
    actions = await session.exec(
        select(AuditEntry).where(AuditEntry.actor_id == learner_id).order_by(col(AuditEntry.id))
    )
    preference = await session.get(LearnerPreference, learner_id)
    mentors, mentees = [], []
    for link, other in links.all():
        item = {"id": other.id, "name": other.display_name, "since": link.created_at.isoformat()}
        (mentees if link.mentor_id == learner_id else mentors).append(item)
    return {
        "roles": [
            {
                "role": grant.role,
                "unit": unit.code if unit else None,
                "granted_at": grant.granted_at.isoformat(),
                "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
            }
            for grant, unit in grants.all()
        ],
        "mentors": mentors,
        "mentees": mentees,
        "nudges": [
            {
                "direction": "sent" if nudge.mentor_id == learner_id else "received",
                "sent_at": nudge.sent_at.isoformat(),
                "custom": nudge.custom,
            }
            for nudge in nudges.all()
        ],
        "preferences": {
            "nudges_muted": bool(preference and preference.nudges_muted),
            "leaderboard_opt_in": bool(preference and preference.leaderboard_opt_in),
        },
        "staff_actions": [
            {"at": e.at.isoformat(), "action": e.action, "unit_id": e.unit_id, **e.details}
            for e in actions.all()
        ],
    }
