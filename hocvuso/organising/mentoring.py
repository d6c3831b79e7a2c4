"""Peer mentors ("hạt nhân lan tỏa"): mentee links, who is behind, nudges and their limits,
mute, and the notice to the mentor when a mentee is certified (the mentee's answers to a nudge:
:mod:`hocvuso.organising.replies`).

A mentor sees only their own mentees and only what they need: name, progress, last active day —
never answers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.delivery import outbox
from hocvuso.delivery import payloads as a
from hocvuso.i18n import t
from hocvuso.learning import course
from hocvuso.organising import audit, roles, units
from hocvuso.organising.errors import Forbidden, Invalid, LimitReached
from hocvuso.organising.forecast import Target
from hocvuso.organising.permissions import Action, Actor, access_learner, access_mentee
from hocvuso.storage.consent import consented, has_consented
from hocvuso.storage.models import Certificate, Learner, LearnerStatus, LessonProgress
from hocvuso.storage.organising import (
    LearnerPreference,
    MentorCode,
    MentorLink,
    Nudge,
    Role,
    RoleGrant,
)
from hocvuso.storage.scheduling import Delivery, DeliveryKind, DeliveryState

MENTEE_GAP = timedelta(hours=72)  # one nudge per mentee per 72 hours (from any mentor)
MENTOR_DAILY = 20  # nudges per mentor in 24 hours
CUSTOM_LIMIT = 500  # characters of a custom nudge or a reply
INACTIVE = timedelta(days=7)


class Standing(StrEnum):
    NOT_STARTED = "not_started"
    INACTIVE = "inactive"
    BEHIND = "behind"
    ON_TRACK = "on_track"
    CERTIFIED = "certified"


#: /mentees lists those who need help first.
ORDER = [Standing.NOT_STARTED, Standing.INACTIVE, Standing.BEHIND, Standing.ON_TRACK]
ORDER.append(Standing.CERTIFIED)


@dataclass(frozen=True)
class Mentee:
    id: int
    name: str
    level: int
    done: int
    lessons: int
    certified_level: int
    last_active_at: datetime | None
    standing: Standing
    #: A nudge may go now: reachable, not muted, not nudged in the last 72 hours.
    can_nudge: bool = True


# --- links --------------------------------------------------------------------------------------
async def is_mentor(session: AsyncSession, learner_id: int) -> bool:
    return bool((await session.exec(select(roles.holds(Role.MENTOR, learner_id)))).one())


def code_expires(code: MentorCode, days: int) -> datetime:
    """When a mentor's invite code stops working (``Settings.mentor_code_days`` after it was
    made)."""
    return code.created_at + timedelta(days=days)


async def mentor_code(
    session: AsyncSession, mentor_id: int, now: datetime, *, days: int
) -> MentorCode:
    """The mentor's invite code for mentees: the current one, or a new one once it expired
    (codes rotate: a link passed around stops working after ``days``)."""
    existing = await session.get(MentorCode, mentor_id)
    if existing is not None and code_expires(existing, days) > now:
        return existing
    return await do_rotate_code(session, mentor_id, now)


async def do_rotate_code(session: AsyncSession, mentor_id: int, now: datetime) -> MentorCode:
    """A new invite code for the mentor; the old one stops working at once."""
    code = await session.get(MentorCode, mentor_id)
    if code is None:
        code = MentorCode(mentor_id=mentor_id, code="", created_at=now)
    code.code = secrets.token_urlsafe(12)
    code.created_at = now
    session.add(code)
    await session.flush()
    return code


async def do_link(
    session: AsyncSession, mentor_id: int, mentee_id: int, *, by: int | None, now: datetime
) -> bool:
    """Link a mentee to a mentor (idempotent); False if they were linked already."""
    if mentor_id == mentee_id:
        raise Invalid("mentor-self")
    if not await is_mentor(session, mentor_id):
        raise Invalid("mentor-not-mentor")
    existing = await session.exec(
        select(MentorLink).where(
            MentorLink.mentor_id == mentor_id, MentorLink.mentee_id == mentee_id
        )
    )
    if existing.first() is not None:
        return False
    session.add(MentorLink(mentor_id=mentor_id, mentee_id=mentee_id, created_by=by, created_at=now))
    await session.flush()
    return True


async def mentor_of_code(
    session: AsyncSession, settings: Settings, mentee: Learner, code: str, now: datetime
) -> tuple[Learner, bool]:
    """The mentor whose invite link the person opened, and whether they are linked already;
    nothing is linked (the mentee confirms first: :func:`do_link_by_code`)."""
    found = (await session.exec(select(MentorCode).where(MentorCode.code == code))).first()
    mentor = await session.get(Learner, found.mentor_id) if found else None
    if (
        found is None
        or mentor is None
        or mentor.chat_id is None
        or mentor.status != LearnerStatus.ACTIVE
        or not has_consented(mentor, settings.consent_version)
        or not await is_mentor(session, mentor.id or 0)
    ):
        raise Invalid("mentor-code-invalid")  # also once the mentor role was revoked
    if code_expires(found, settings.mentor_code_days) <= now:
        raise Invalid("mentor-code-expired")
    if mentor.id == mentee.id:
        raise Invalid("mentor-self")
    linked = await session.exec(
        select(MentorLink.id).where(
            MentorLink.mentor_id == mentor.id, MentorLink.mentee_id == mentee.id
        )
    )
    return mentor, linked.first() is not None


async def do_link_by_code(
    session: AsyncSession, settings: Settings, mentee: Learner, code: str, now: datetime
) -> Learner:
    """The mentee confirmed the link to the mentor whose invite code this is (still valid,
    checked again at the press): returns the mentor."""
    mentor, _ = await mentor_of_code(session, settings, mentee, code, now)
    assert mentee.id is not None and mentor.id is not None
    await do_link(session, mentor.id, mentee.id, by=mentee.id, now=now)
    return mentor


async def mentors_of(session: AsyncSession, mentee_id: int) -> list[Learner]:
    """The mentee's mentors, first linked first."""
    found = await session.exec(
        select(Learner)
        .join(MentorLink, col(MentorLink.mentor_id) == Learner.id)
        .where(MentorLink.mentee_id == mentee_id)
        .order_by(col(MentorLink.created_at), col(MentorLink.id))
    )
    return list(found.all())


async def do_leave(
    session: AsyncSession, settings: Settings, mentee: Learner, mentor_id: int, now: datetime
) -> Learner:
    """The mentee leaves a mentor: the link goes, nudges of that mentor still waiting are not
    sent, and the mentor is told politely. Returns the mentor."""
    assert mentee.id is not None
    link = (
        await session.exec(
            select(MentorLink).where(
                MentorLink.mentor_id == mentor_id, MentorLink.mentee_id == mentee.id
            )
        )
    ).first()
    mentor = await session.get(Learner, mentor_id)
    if link is None or mentor is None:
        raise Invalid("mentor-not-linked")
    await session.delete(link)
    nudges = select(Nudge.id).where(Nudge.mentor_id == mentor_id, Nudge.mentee_id == mentee.id)
    keys = [f"nudge:{nudge_id}" for nudge_id in (await session.exec(nudges)).all()]
    for start in range(0, len(keys), 500):
        await session.exec(
            update(Delivery)
            .where(
                col(Delivery.key).in_(keys[start : start + 500]),
                col(Delivery.state) == DeliveryState.PENDING,
            )
            .values(state=DeliveryState.SKIPPED, last_error="left")
        )
    await outbox.queue_message(
        session,
        settings,
        mentor,
        key=f"mentee-left:{mentee.id}:{mentor_id}:{link.id}",  # names the mentee
        kind=DeliveryKind.MENTOR,
        text=t(mentor.language, "mentee-left", name=mentee.display_name or "—"),
        now=now,
    )
    await audit.record(session, mentee.id, "chat", "mentor.leave", None, now, mentor=mentor_id)
    await session.flush()
    return mentor


async def do_link_by_organiser(
    session: AsyncSession, actor: Actor, mentor_id: int, mentee_id: int, now: datetime
) -> bool:
    """An organiser pairs two people of their subtree (admins: anyone)."""
    await access_learner(session, actor, Action.LINK_MENTEE, mentor_id)
    mentee = await access_learner(session, actor, Action.LINK_MENTEE, mentee_id)
    linked = await do_link(session, mentor_id, mentee_id, by=actor.learner_id, now=now)
    unit = (await units.of_codes(session, [mentee.unit_code or ""])).get(mentee.unit_code or "")
    await audit.record_by(
        session,
        actor,
        "mentor.link",
        unit.id if unit else None,
        now,
        mentor=mentor_id,
        mentee=mentee_id,
    )
    return linked


# --- who is behind ------------------------------------------------------------------------------
def standing(
    *,
    now: datetime,
    joined_at: datetime,
    last_active_at: datetime | None,
    started: bool,
    certified: bool,
    ratio: float,
    deadline: datetime,
) -> Standing:
    if certified:
        return Standing.CERTIFIED
    if not started:
        return Standing.NOT_STARTED
    if last_active_at is None or now - last_active_at >= INACTIVE:
        return Standing.INACTIVE
    span = (deadline - joined_at).total_seconds()
    expected = 1.0 if span <= 0 else min(1.0, (now - joined_at).total_seconds() / span)
    return Standing.BEHIND if ratio < expected else Standing.ON_TRACK


class Standable(Protocol):
    """What :func:`learner_standing` reads of a learner (a ``Learner`` or a Core row)."""

    level: int
    role: str | None
    created_at: datetime
    last_active_at: datetime | None


def learner_standing(
    pack: Pack,
    target: Target,
    now: datetime,
    learner: Standable,
    *,
    finished: int,
    started: bool,
    certified_level: int,
    lessons: int | None = None,
) -> Standing:
    """:func:`standing` of a learner from their figures: lessons ``finished`` at their current
    level, whether they ``started`` any lesson, their highest certified level (``lessons``: the
    length of their path, if the caller has it). /mentees and the dashboard's mentors page use
    it, so "behind" means the same everywhere."""
    if lessons is None:
        lessons = len(course.path(pack, learner.level, learner.role or "other"))
    ratio = 1.0 if learner.level > target.level else (finished / lessons if lessons else 1.0)
    return standing(
        now=now,
        joined_at=learner.created_at,
        last_active_at=learner.last_active_at,
        started=started or certified_level > 0,
        certified=certified_level >= target.level,
        ratio=ratio,
        deadline=datetime.combine(target.deadline, datetime.max.time(), now.tzinfo),
    )


#: Standings of learners who need a hand (the dashboard's "lagging").
LAGGING = (Standing.NOT_STARTED, Standing.INACTIVE, Standing.BEHIND)


async def mentees(
    session: AsyncSession,
    actor: Actor,
    pack: Pack,
    target: Target,
    now: datetime,
    *,
    consent: str,
) -> list[Mentee]:
    """The actor's own mentees, those who need help first (one query for all of them).

    Only mentees who agreed to the terms ``consent`` (the current ones) are listed: someone who
    declined the updated terms, or has not answered them yet, is not shown at all (a nameless
    line would still point at one person of a handful, and the mentor could do nothing with it).
    """
    if Role.MENTOR not in actor.roles:
        raise Forbidden("forbidden-mentees")
    mine = select(MentorLink.mentee_id).where(MentorLink.mentor_id == actor.learner_id)
    done = (
        select(LessonProgress.learner_id, LessonProgress.level, func.count().label("done"))
        .where(
            col(LessonProgress.status).in_(("done", "placed_out")),
            col(LessonProgress.learner_id).in_(mine),
        )
        .group_by(col(LessonProgress.learner_id), col(LessonProgress.level))
        .subquery()
    )
    started = select(func.count()).where(LessonProgress.learner_id == Learner.id)
    best = select(func.max(Certificate.level)).where(Certificate.learner_id == Learner.id)
    muted = select(LearnerPreference.nudges_muted).where(LearnerPreference.learner_id == Learner.id)
    nudged = select(func.count()).where(
        Nudge.mentee_id == Learner.id, Nudge.sent_at > now - MENTEE_GAP
    )
    # sqlmodel's select() is typed for at most four columns; this one has six.
    result = await session.exec(
        select(  # type: ignore[call-overload]
            Learner,
            func.coalesce(done.c.done, 0),
            started.scalar_subquery(),
            best.scalar_subquery(),
            muted.scalar_subquery(),
            nudged.scalar_subquery(),
        )
        .join(MentorLink, col(MentorLink.mentee_id) == Learner.id)
        .join(
            done,
            and_(done.c.learner_id == Learner.id, done.c.level == Learner.level),
            isouter=True,
        )
        .where(
            MentorLink.mentor_id == actor.learner_id,
            col(Learner.chat_id).is_not(None),
            consented(consent),
        )
    )
    found = []
    for learner, finished, progress_rows, top, is_muted, recent_nudges in result.all():
        lessons = len(course.path(pack, learner.level, learner.role or "other"))
        certified_level = int(top or 0)
        found.append(
            Mentee(
                id=learner.id,
                name=learner.display_name or "—",
                level=learner.level,
                done=min(int(finished), lessons),
                lessons=lessons,
                certified_level=certified_level,
                last_active_at=learner.last_active_at,
                standing=learner_standing(
                    pack,
                    target,
                    now,
                    learner,
                    finished=int(finished),
                    started=bool(progress_rows),
                    certified_level=certified_level,
                    lessons=lessons,
                ),
                can_nudge=learner.status == LearnerStatus.ACTIVE
                and not is_muted
                and not recent_nudges,
            )
        )
    found.sort(key=lambda m: (ORDER.index(m.standing), m.name))
    return found


# --- nudges -------------------------------------------------------------------------------------
async def preference(session: AsyncSession, learner_id: int) -> LearnerPreference:
    existing = await session.get(LearnerPreference, learner_id)
    return existing or LearnerPreference(learner_id=learner_id)


async def check_nudge(
    session: AsyncSession, actor: Actor, mentee_id: int, now: datetime, *, consent: str
) -> Learner:
    """The mentee, if a nudge may go to them now; otherwise a :class:`LimitReached`."""
    mentee = await access_mentee(session, actor, mentee_id)
    if not has_consented(mentee, consent):  # not named: the mentor's list no longer shows them
        raise LimitReached("nudge-no-consent")
    if mentee.status != LearnerStatus.ACTIVE or mentee.chat_id is None:
        raise LimitReached("nudge-unreachable", name=mentee.display_name or "—")
    if (await preference(session, mentee_id)).nudges_muted:
        raise LimitReached("nudge-muted", name=mentee.display_name or "—")
    last = await session.exec(
        select(func.max(Nudge.sent_at)).where(
            Nudge.mentee_id == mentee_id, Nudge.sent_at > now - MENTEE_GAP
        )
    )
    previous = last.one()
    if previous is not None:
        raise LimitReached("nudge-too-soon", name=mentee.display_name or "—", hours=72)
    today = await session.exec(
        select(func.count())
        .select_from(Nudge)
        .where(Nudge.mentor_id == actor.learner_id, Nudge.sent_at > now - timedelta(hours=24))
    )
    if today.one() >= MENTOR_DAILY:
        raise LimitReached("nudge-daily-limit", limit=MENTOR_DAILY)
    return mentee


async def do_nudge(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    mentor: Learner,
    mentee_id: int,
    custom: str | None,
    now: datetime,
) -> Learner:
    """Send a friendly templated nudge, or a short custom one, naming the mentor."""
    if custom is not None and not 1 <= len(custom.strip()) <= CUSTOM_LIMIT:
        raise Invalid("nudge-bad-length", limit=CUSTOM_LIMIT)
    mentee = await check_nudge(session, actor, mentee_id, now, consent=settings.consent_version)
    assert mentor.id is not None
    nudge = Nudge(mentor_id=mentor.id, mentee_id=mentee_id, custom=custom is not None, sent_at=now)
    session.add(nudge)
    await session.flush()
    lang = mentee.language
    mentor_name = mentor.display_name or "—"
    if custom is None:
        text = t(lang, "nudge-template", mentor=mentor_name, name=mentee.display_name or "")
    else:
        text = t(lang, "nudge-custom", mentor=mentor_name, text=custom.strip())
    buttons = a.stored(
        [a.button(t(lang, "reminder-learn"), a.LEARN)],
        [a.button(t(lang, "nudge-reply-button"), a.MENTEE_REPLY, "", str(nudge.id))],
        [a.button(t(lang, "nudge-mute-button"), a.MUTE, "", "1")],
    )
    await outbox.queue_message(
        session,
        settings,
        mentee,
        key=f"nudge:{nudge.id}",
        kind=DeliveryKind.NUDGE,
        text=text,
        buttons=buttons,
        now=now,
    )
    return mentee


async def set_muted(session: AsyncSession, learner_id: int, muted: bool, now: datetime) -> None:
    """Mute (or allow again) nudges; muting also stops nudges still waiting in the queue (for
    example those held back by the quiet hours)."""
    pref = await preference(session, learner_id)
    pref.nudges_muted = muted
    pref.updated_at = now
    session.add(pref)
    await session.flush()
    if muted:
        await session.exec(
            update(Delivery)
            .where(
                col(Delivery.learner_id) == learner_id,
                col(Delivery.kind) == DeliveryKind.NUDGE,
                col(Delivery.state) == DeliveryState.PENDING,
            )
            .values(state=DeliveryState.SKIPPED, last_error="muted")
        )


async def set_leaderboard(
    session: AsyncSession, learner_id: int, shown: bool, now: datetime
) -> None:
    pref = await preference(session, learner_id)
    pref.leaderboard_opt_in = shown
    pref.updated_at = now
    session.add(pref)
    await session.flush()


# --- certificates -------------------------------------------------------------------------------
async def on_certificate(
    session: AsyncSession, settings: Settings, learner: Learner, level: int, now: datetime
) -> int:
    """Tell each of the learner's mentors; returns how many were told."""
    result = await session.exec(
        select(Learner)
        .join(MentorLink, col(MentorLink.mentor_id) == Learner.id)
        .where(MentorLink.mentee_id == learner.id, roles.holds(Role.MENTOR))
    )
    told = 0
    for mentor in result.all():
        told += await outbox.queue_message(
            session,
            settings,
            mentor,
            key=f"certified:{learner.id}:{level}:{mentor.id}",
            kind=DeliveryKind.MENTOR,
            text=t(
                mentor.language, "mentee-certified", name=learner.display_name or "—", level=level
            ),
            now=now,
        )
    return told


# --- erasure ------------------------------------------------------------------------------------
#: Kinds of messages to others that name a person first: their keys start with
#: ``<kind>:<id of the person named>:`` (erased with the person, exported in their /mydata).
NAMING_KEYS = ("reply", "certified", "mentor-invite", "mentor-accepted", "paired", "mentee-left")


async def forget(session: AsyncSession, learner_id: int, now: datetime) -> None:
    """/forget: links, nudges, codes and preferences go; roles are revoked.

    Messages to others that name this person go too, queued or sent: the nudges they sent as a
    mentor, their replies and the notice of their certificate as a mentee, invitations they sent
    or accepted, pairings naming them. Such keys start with ``<kind>:<id of the person named>:``.
    (Messages *to* them are the caller's: :func:`hocvuso.organising.privacy.do_erase` removes them.)
    """
    key = col(Delivery.key)
    await session.exec(
        delete(Delivery).where(
            col(Delivery.kind) == DeliveryKind.MENTOR,
            or_(*(key.like(f"{prefix}:{learner_id}:%") for prefix in NAMING_KEYS)),
        )
    )
    sent = await session.exec(select(Nudge.id).where(Nudge.mentor_id == learner_id))
    nudge_keys = [f"nudge:{nudge_id}" for nudge_id in sent.all()]
    for start in range(0, len(nudge_keys), 500):
        await session.exec(delete(Delivery).where(key.in_(nudge_keys[start : start + 500])))
    for model, column in (
        (MentorLink, MentorLink.mentor_id),
        (MentorLink, MentorLink.mentee_id),
        (Nudge, Nudge.mentor_id),
        (Nudge, Nudge.mentee_id),
        (MentorCode, MentorCode.mentor_id),
        (LearnerPreference, LearnerPreference.learner_id),
    ):
        await session.exec(delete(model).where(col(column) == learner_id))
    await session.exec(
        update(RoleGrant)
        .where(col(RoleGrant.learner_id) == learner_id, col(RoleGrant.revoked_at).is_(None))
        .values(revoked_at=now)
    )
