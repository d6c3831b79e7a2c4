"""What is kept about one person, for ``/mydata`` and ``/forget``.

The export holds the person's learner row (with drafts in ``state``), their learning record,
the messages queued to them and those they wrote to others (mentee replies, custom nudges) or
that name them, while the retention sweep keeps their texts, the announcements they asked for,
replies not yet confirmed delivered, and from the organising side their roles, invitations,
mentor code, mentors and mentees (ids and the names they already see in chat), nudges sent or
received, preferences, the actions they took as staff and the audit entries about them.
Every table is classified in :mod:`hocvuso.organising.personal_data`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, update
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
    DashboardLogin,
    DashboardSession,
    LearnerPreference,
    MentorCode,
    MentorLink,
    Nudge,
    RoleGrant,
    RoleInvite,
    Unit,
)
from hocvuso.storage.scheduling import Broadcast, Delivery
from hocvuso.storage.xapi import XapiStatement


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
def _rows(items: Sequence[SQLModel], drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in item.model_dump(mode="json").items() if k not in drop} for item in items
    ]


def _from_person(learner_id: int, nudge_ids: Sequence[int]) -> ColumnElement[bool]:
    """Deliveries to others that the person wrote or that name them (the key conventions of
    :func:`hocvuso.organising.mentoring.forget`)."""
    key = col(Delivery.key)
    return or_(
        *(key.like(f"{prefix}:{learner_id}:%") for prefix in mentoring.NAMING_KEYS),
        key.in_([f"nudge:{nudge_id}" for nudge_id in nudge_ids]),
    )


#: Audit details that name the subject of an action (the person acted upon).
AUDIT_SUBJECTS = ("learner", "mentor", "mentee")


async def _messages(session: AsyncSession, learner_id: int) -> dict[str, Any]:
    to_me = await session.exec(
        select(Delivery).where(Delivery.learner_id == learner_id).order_by(col(Delivery.id))
    )
    nudge_ids = (await session.exec(select(Nudge.id).where(Nudge.mentor_id == learner_id))).all()
    from_me = await session.exec(
        select(Delivery)
        .where(_from_person(learner_id, [n for n in nudge_ids if n is not None]))
        .order_by(col(Delivery.id))
    )
    return {
        "to_me": _rows(to_me.all(), drop=("learner_id",)),
        # To mentors, mentees or organisers: what was sent, not to whom.
        "from_me": [
            {k: row[k] for k in ("kind", "text", "state", "created_at", "sent_at")}
            for row in _rows(from_me.all())
        ],
    }


async def _organising_extra(session: AsyncSession, learner_id: int) -> dict[str, Any]:
    invites = await session.exec(
        select(RoleInvite)
        .where(
            or_(
                col(RoleInvite.created_by) == learner_id,
                col(RoleInvite.invitee_id) == learner_id,
                col(RoleInvite.used_by) == learner_id,
            )
        )
        .order_by(col(RoleInvite.id))
    )
    code = await session.get(MentorCode, learner_id)
    subject = or_(*(AuditEntry.details[name].as_integer() == learner_id for name in AUDIT_SUBJECTS))
    about_me = await session.exec(select(AuditEntry).where(subject).order_by(col(AuditEntry.id)))
    links = await session.exec(
        select(DashboardLogin)
        .where(DashboardLogin.learner_id == learner_id)
        .order_by(col(DashboardLogin.id))
    )
    signed_in = await session.exec(
        select(DashboardSession)
        .where(DashboardSession.learner_id == learner_id)
        .order_by(col(DashboardSession.created_at))
    )
    return {
        # Sign-in links and sessions of the dashboard: when, never the hashes or secrets.
        "dashboard_links": _rows(links.all(), drop=("id", "token_hash", "learner_id")),
        "dashboard_sessions": _rows(signed_in.all(), drop=("id_hash", "csrf_secret", "learner_id")),
        "invites": _rows(invites.all(), drop=("token",)),
        "mentor_code": code.model_dump(mode="json", exclude={"mentor_id"}) if code else None,
        "audit_about_me": _rows(about_me.all()),
    }


async def export_person(session: AsyncSession, learner: Learner, now: datetime) -> dict[str, Any]:
    """Everything kept about the person (``/mydata``); the tables are listed in
    :mod:`hocvuso.organising.personal_data`."""
    learner_id = learner.id or 0
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        # ``state`` holds their place in the conversation and drafts they have not sent yet.
        "learner": learner.model_dump(mode="json"),
    }
    for name, model in (
        ("lesson_progress", LessonProgress),
        ("quiz_attempts", QuizAttempt),
        ("review_cards", ReviewCard),
        ("exams", ExamAttempt),
        ("certificates", Certificate),
        # The records for the LRS (sent, waiting or refused), as the LRS receives them.
        ("xapi_statements", XapiStatement),
    ):
        result = await session.exec(select(model).where(model.learner_id == learner_id))
        data[name] = _rows(list(result.all()), drop=("learner_id",))
    data["messages"] = await _messages(session, learner_id)
    requested = await session.exec(
        select(Broadcast).where(Broadcast.requested_by == learner_id).order_by(col(Broadcast.id))
    )
    data["broadcasts_requested"] = _rows(requested.all(), drop=("requested_by",))
    # Replies to their last messages, until Telegram confirms they were delivered.
    waiting = await session.exec(
        select(ProcessedUpdate).where(ProcessedUpdate.learner_id == learner_id)
    )
    data["replies_waiting"] = _rows(waiting.all(), drop=("learner_id",))
    data["organising"] = await export(session, learner_id) | await _organising_extra(
        session, learner_id
    )
    return data


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


async def _coarsen(session: AsyncSession, learner_id: int) -> None:
    """Kept answers, progress and exams keep only the day they happened."""
    for model, columns in (
        (QuizAttempt, ("answered_at",)),
        (LessonProgress, ("started_at", "completed_at")),
        (ExamAttempt, ("started_at", "finished_at")),
    ):
        found = await session.exec(select(model).where(model.learner_id == learner_id))
        for row in found.all():
            for name in columns:
                moment = getattr(row, name)
                if moment is not None:
                    setattr(row, name, _day(moment))
            session.add(row)


#: Why a certificate was revoked by ``/forget`` (``Certificate.revoked_reason``).
ERASED_REASON = "erased at the holder's request (/forget)"


async def _revoke_certificates(session: AsyncSession, learner_id: int, now: datetime) -> None:
    """Revoked: the printed code stays findable and its check page says only "revoked"; the
    signed credential (it names the person) goes, its bit in the status list is set, and only
    level and day stay (the unit's figures)."""
    found = await session.exec(select(Certificate).where(Certificate.learner_id == learner_id))
    for certificate in found.all():
        certificate.score = 0
        certificate.total = 0
        certificate.issued_at = _day(certificate.issued_at)
        certificate.credential = None
        if certificate.revoked_at is None:
            certificate.revoked_at = _day(now)
        certificate.revoked_reason = ERASED_REASON
        session.add(certificate)


async def do_erase(session: AsyncSession, learner: Learner, now: datetime) -> None:
    """Erase personal data (``/forget``). Kept, unlinkable to the person: answers, progress,
    exams and revoked certificates with their times coarsened to the day, the unit and level
    (anonymous aggregates for the unit's figures); see :mod:`hocvuso.organising.personal_data`."""
    learner_id = learner.id or 0
    for table, column in (
        (ReviewCard, ReviewCard.learner_id),
        (ProcessedUpdate, ProcessedUpdate.learner_id),
        (DashboardLogin, DashboardLogin.learner_id),
        (DashboardSession, DashboardSession.learner_id),
        # Queued reminders and campaign messages are messages to the person: they go too.
        (Delivery, Delivery.learner_id),
        # Statements for the LRS: those waiting are never sent.
        (XapiStatement, XapiStatement.learner_id),
    ):
        await session.exec(delete(table).where(col(column) == learner_id))
    if learner.chat_id is not None:  # updates of theirs from before they were a learner
        await session.exec(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.chat_id) == learner.chat_id)
        )
    # Mentor links, nudges, codes, preferences and messages naming them go; roles are revoked.
    await mentoring.forget(session, learner_id, now)
    # Then the grants themselves, and invitations they made, received or used.
    await session.exec(delete(RoleGrant).where(col(RoleGrant.learner_id) == learner_id))
    await session.exec(
        delete(RoleInvite).where(
            or_(
                col(RoleInvite.created_by) == learner_id,
                col(RoleInvite.invitee_id) == learner_id,
                col(RoleInvite.used_by) == learner_id,
            )
        )
    )
    # Others' rows keep no pointer to them as the author.
    for model, column in (
        (RoleGrant, RoleGrant.granted_by),
        (MentorLink, MentorLink.created_by),
        (Broadcast, Broadcast.requested_by),
    ):
        await session.exec(update(model).where(col(column) == learner_id).values({column: None}))
    await _revoke_certificates(session, learner_id, now)
    await _coarsen(session, learner_id)
    defaults = Learner.model_fields
    learner.chat_id = None
    learner.display_name = None
    learner.role = None
    learner.language = defaults["language"].default
    learner.timezone = defaults["timezone"].default
    learner.reminder_hour = defaults["reminder_hour"].default
    learner.state = {}
    learner.status = LearnerStatus.ERASED
    learner.created_at = _day(learner.created_at).replace(day=1)
    learner.last_active_at = None
    learner.reminders_paused_until = None
    learner.erased_at = _day(now)
    learner.consent_at = None
    learner.consent_version = None
