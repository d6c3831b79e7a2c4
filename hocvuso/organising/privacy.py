"""What the organising side keeps about one person, for ``/mydata``, and their choices.

The export holds the person's roles, their mentors and mentees (ids and the names they already
see in chat), the nudges they sent or received (when, templated or custom; texts are never
stored), their preferences, and the actions they took as staff (from the audit log).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import mentoring
from hocvuso.storage.models import (
    Certificate,
    ExamAttempt,
    Learner,
    LearnerStatus,
    LessonProgress,
    ProcessedUpdate,
    QuizAttempt,
    ReviewCard,
)
from hocvuso.storage.organising import (
    AuditEntry,
    LearnerPreference,
    MentorLink,
    Nudge,
    RoleGrant,
    Unit,
)
from hocvuso.storage.scheduling import Delivery


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
        .where(or_(col(Nudge.mentor_id) == learner_id, col(Nudge.mentee_id) == learner_id))
        .order_by(col(Nudge.id))
    )
    actions = await session.exec(
        select(AuditEntry).where(AuditEntry.actor_id == learner_id).order_by(col(AuditEntry.id))
    )
    preference = await session.get(LearnerPreference, learner_id)
    mentors: list[dict[str, Any]] = []
    mentees: list[dict[str, Any]] = []
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


# --- the person's rights (Law on Personal Data Protection 91/2025/QH15) -----------------------
def _rows(items: list[SQLModel], drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in item.model_dump(mode="json").items() if k not in drop} for item in items
    ]


async def export_person(session: AsyncSession, learner: Learner, now: datetime) -> dict[str, Any]:
    """Everything kept about the person (``/mydata``)."""
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "learner": learner.model_dump(mode="json", exclude={"state"}),
    }
    for name, model in (
        ("lesson_progress", LessonProgress),
        ("quiz_attempts", QuizAttempt),
        ("review_cards", ReviewCard),
        ("exams", ExamAttempt),
        ("certificates", Certificate),
    ):
        result = await session.exec(select(model).where(model.learner_id == learner.id))
        data[name] = _rows(list(result.all()), drop=("learner_id",))
    data["organising"] = await export(session, learner.id or 0)
    return data


async def do_erase(session: AsyncSession, learner: Learner, now: datetime) -> None:
    """Erase personal data (``/forget``). Kept, unlinkable to the person: answers, progress,
    certificates (anonymous aggregates for the unit's figures)."""
    learner_id = learner.id or 0
    for table, column in (
        (ReviewCard, ReviewCard.learner_id),
        (ProcessedUpdate, ProcessedUpdate.learner_id),
        # Queued reminders and campaign messages are messages to the person: they go too.
        (Delivery, Delivery.learner_id),
    ):
        await session.exec(delete(table).where(col(column) == learner_id))
    # Mentor links, nudges and preferences go; roles are revoked.
    await mentoring.forget(session, learner_id, now)
    learner.chat_id = None
    learner.display_name = None
    learner.state = {}
    learner.status = LearnerStatus.ERASED
    learner.erased_at = now
    learner.consent_at = None
