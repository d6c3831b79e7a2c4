"""Person-to-person messages (nudges, replies, notices to mentors) through the delivery queue.

Queued inside the caller's transaction, so they go out only if the action commits; never in the
recipient's quiet hours (they wait until the quiet hours end in the recipient's time zone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.scheduler.queue import insert_ignore
from hocvuso.storage.models import Learner, LearnerStatus
from hocvuso.storage.scheduling import DeliveryKind, DeliveryState

PRIORITY = 0
ButtonRows = list[list[list[str]]]


def is_quiet(hour: int, settings: Settings) -> bool:
    """Same rule as the reminders (kept here: the scheduler imports the learning core)."""
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    return (hour >= start or hour < end) if start > end else start <= hour < end


def not_before(now: datetime, timezone: str, settings: Settings) -> datetime:
    """``now``, or the end of the recipient's quiet hours if they are in them."""
    local = now.astimezone(ZoneInfo(timezone))
    if not is_quiet(local.hour, settings):
        return now
    wake = local.replace(hour=settings.quiet_hours_end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(now.tzinfo)


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
    """Queue one message; False when the recipient cannot be reached (blocked, erased)."""
    if recipient.status != LearnerStatus.ACTIVE or recipient.chat_id is None:
        return False
    await session.flush()
    connection = await session.connection()
    await connection.execute(
        insert_ignore(connection).values(
            key=key,
            kind=str(kind),
            learner_id=recipient.id,
            priority=PRIORITY,
            text=text,
            buttons=buttons or [],
            state=DeliveryState.PENDING,
            attempts=0,
            not_before=not_before(now, recipient.timezone, settings),
            created_at=now,
        )
    )
    return True
