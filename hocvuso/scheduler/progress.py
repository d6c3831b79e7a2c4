"""Live progress of organisers' broadcasts: the organiser is told at 25, 50 and 75 per cent and
when every delivery has reached a final state (sent, blocked, failed).

A plain function of "now" that the leader runs every few seconds. One grouped query counts the
deliveries of every unfinished broadcast; each notice is an ordinary delivery to the organiser
with the key ``progress:<broadcast>:<step>``, so it is queued exactly once however often the sweep
runs, even across a crash between the notice and the step being recorded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.delivery import outbox
from hocvuso.delivery import payloads as a
from hocvuso.delivery.quiet import not_before
from hocvuso.i18n import t
from hocvuso.storage import tables
from hocvuso.storage.models import LearnerStatus
from hocvuso.storage.scheduling import (
    FINAL_STATES,
    DeliveryKind,
    DeliveryState,
)

B = tables.BROADCAST
D = tables.DELIVERY
L = tables.LEARNER
STEPS = (25, 50, 75)
DONE = 100


def step_reached(done: int, total: int) -> int:
    """The progress step ``done`` of ``total`` has reached: 0, 25, 50, 75 or 100 (finished)."""
    if total <= 0 or done >= total:
        return DONE
    return max((s for s in STEPS if done * 100 >= s * total), default=0)


async def report_broadcast_progress(
    database: AsyncEngine, settings: Settings, now: datetime
) -> int:
    """Queue the progress notices that are due; returns how many were queued."""
    final = D.c.state.in_([str(s) for s in FINAL_STATES])
    counts = (
        select(
            B.c.id,
            B.c.requested_by,
            B.c.progress_reported,
            func.count(D.c.id).label("total"),
            func.coalesce(func.sum(case((final, 1), else_=0)), 0).label("done"),
            func.coalesce(func.sum(case((D.c.state == DeliveryState.SENT, 1), else_=0)), 0).label(
                "sent"
            ),
            L.c.language,
            L.c.timezone,
            L.c.status,
            L.c.chat_id,
        )
        .select_from(B.join(L, L.c.id == B.c.requested_by).outerjoin(D, D.c.broadcast_id == B.c.id))
        .where(B.c.finished_at.is_(None), B.c.requested_by.is_not(None))
        .group_by(
            B.c.id,
            B.c.requested_by,
            B.c.progress_reported,
            L.c.language,
            L.c.timezone,
            L.c.status,
            L.c.chat_id,
        )
    )
    queued = 0
    async with database.begin() as connection:
        for row in (await connection.execute(counts)).mappings().all():
            total, done, sent = int(row["total"]), int(row["done"]), int(row["sent"])
            step = step_reached(done, total)
            if step <= row["progress_reported"]:
                continue
            language = row["language"]
            if step == DONE:
                text = t(language, "broadcast-done", sent=sent, total=total, failed=total - sent)
            else:
                text = t(language, "broadcast-step", percent=step, sent=sent, total=total)
            wake = not_before(now, row["timezone"], settings)
            reachable = row["status"] == LearnerStatus.ACTIVE and row["chat_id"] is not None
            # In the organiser's quiet hours only the final notice is kept (it waits for the
            # morning); a step passed at night would be stale news by then.
            if reachable and (step == DONE or wake <= now):
                label = t(language, "broadcast-refresh")
                refresh = a.stored([a.button(label, a.BROADCAST_STATUS, "", str(row["id"]))])
                queued += await outbox.enqueue(
                    connection,
                    key=f"progress:{row['id']}:{step}",
                    kind=DeliveryKind.PROGRESS,
                    learner_id=row["requested_by"],
                    text=text,
                    buttons=[] if step == DONE else refresh,
                    not_before=wake,
                    now=now,
                )
            await connection.execute(
                update(B)
                .where(and_(B.c.id == row["id"], B.c.progress_reported < step))
                .values(progress_reported=step, finished_at=now if step == DONE else None)
            )
    return queued
