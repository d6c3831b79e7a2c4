"""Person-to-person messages (nudges, replies, notices to mentors) through the delivery queue.

Queued inside the caller's transaction, so they go out only if the action commits; never in the
recipient's quiet hours (they wait until the quiet hours end in the recipient's time zone).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.delivery.queue import insert_ignore
from hocvuso.delivery.quiet import not_before
from hocvuso.storage import tables
from hocvuso.storage.consent import has_consented
from hocvuso.storage.models import Learner, LearnerStatus
from hocvuso.storage.scheduling import DeliveryKind, DeliveryState

PRIORITY = 0
L = tables.LEARNER
ButtonRows = list[list[list[str]]]


def reachable(recipient: Learner, settings: Settings) -> bool:
    """A message may be queued for this person: active, with a chat, agreed to the current
    terms (the sender checks again when it sends)."""
    return (
        recipient.status == LearnerStatus.ACTIVE
        and recipient.chat_id is not None
        and has_consented(recipient, settings.consent_version)
    )


async def queue_message(
    session: AsyncSession,
    settings: Settings,
    recipient: Learner,
    *,
    key: str,
    kind: DeliveryKind,
    text: str,
    buttons: ButtonRows | None = None,
    now: datetime,
) -> bool:
    """Queue one message; False when the recipient cannot be reached (blocked, erased, or not
    agreed to the current terms)."""
    if not reachable(recipient, settings):
        return False
    await session.flush()
    assert recipient.id is not None
    await enqueue(
        await session.connection(),
        key=key,
        kind=kind,
        learner_id=recipient.id,
        text=text,
        buttons=buttons,
        not_before=not_before(now, recipient.timezone, settings),
        now=now,
    )
    return True


async def enqueue(
    connection: AsyncConnection,
    *,
    key: str,
    kind: DeliveryKind,
    learner_id: int,
    text: str,
    buttons: ButtonRows | None,
    not_before: datetime,
    now: datetime,
) -> int:
    """One delivery row (idempotent by ``key``); 1 if it was queued, 0 if it already was."""
    result = await connection.execute(
        insert_ignore(connection).values(
            key=key,
            kind=str(kind),
            learner_id=learner_id,
            bot_id=select(L.c.bot_id).where(L.c.id == learner_id).scalar_subquery(),
            priority=PRIORITY,
            text=text,
            buttons=buttons or [],
            state=DeliveryState.PENDING,
            attempts=0,
            not_before=not_before,
            created_at=now,
        )
    )
    return int(result.rowcount or 0)
