"""The mentee's reply path: a mentee answers a nudge, and the answer goes to the mentor who sent
it (their own mentor, still linked), at most :data:`REPLY_LIMIT` times per nudge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.delivery import outbox
from hocvuso.i18n import t
from hocvuso.organising import mentoring
from hocvuso.organising.errors import Forbidden, Invalid, LimitReached
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import MentorLink, Nudge
from hocvuso.storage.scheduling import Delivery, DeliveryKind

REPLY_LIMIT = 3  # answers a mentee may send through one nudge


async def check_reply(session: AsyncSession, mentee: Learner, nudge_id: int) -> Learner:
    """The mentor a mentee may answer through this nudge (their own, still linked)."""
    nudge = await session.get(Nudge, nudge_id)
    if nudge is None or nudge.mentee_id != mentee.id:
        raise Forbidden("forbidden-reply")
    link = await session.exec(
        select(MentorLink).where(
            MentorLink.mentor_id == nudge.mentor_id, MentorLink.mentee_id == mentee.id
        )
    )
    mentor = await session.get(Learner, nudge.mentor_id)
    if (
        link.first() is None
        or mentor is None
        or not await mentoring.is_mentor(session, nudge.mentor_id)
    ):
        raise Forbidden("forbidden-reply")
    return mentor


async def do_reply(
    session: AsyncSession,
    settings: Settings,
    mentee: Learner,
    nudge_id: int,
    text: str,
    now: datetime,
) -> Learner:
    """Forward the mentee's answer to the mentor who nudged them."""
    if not 1 <= len(text.strip()) <= mentoring.CUSTOM_LIMIT:
        raise Invalid("nudge-bad-length", limit=mentoring.CUSTOM_LIMIT)
    mentor = await check_reply(session, mentee, nudge_id)
    prefix = f"reply:{mentee.id}:{nudge_id}:"
    earlier = await session.exec(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.learner_id == mentor.id,  # ix_delivery_learner_kind_day narrows to the mentor
            Delivery.kind == DeliveryKind.MENTOR,
            col(Delivery.key).startswith(prefix),
        )
    )
    replies = int(earlier.one())
    if replies >= REPLY_LIMIT:
        raise LimitReached("reply-limit", limit=REPLY_LIMIT)
    delivered = await outbox.queue_message(
        session,
        settings,
        mentor,
        key=f"{prefix}{replies + 1}",
        kind=DeliveryKind.MENTOR,
        text=t(mentor.language, "nudge-reply", name=mentee.display_name or "—", text=text.strip()),
        now=now,
    )
    if not delivered:
        raise Invalid("reply-unreachable")
    return mentor
