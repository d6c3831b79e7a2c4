"""Retention: what is kept after use is blanked, then deleted, on the schedule of
``docs/privacy.md`` (the periods are the ``HOCVUSO_RETENTION_*`` settings).

A plain function of "now" that the scheduler's leader runs every hour. Each step works in
batches of :data:`BATCH` rows, one short transaction each, so a backlog of a million rows never
becomes one huge transaction (nor a long lock on the delivery queue):

- the text and buttons of a delivery in a final state are blanked ``retention_text_hours`` after
  it was queued (dead and unknown ones, which an organiser may queue again, after
  ``retention_failed_text_days``); finished deliveries are deleted after
  ``retention_delivery_days``;
- the text of an organiser's announcement is blanked once none of its deliveries is waiting and
  it is ``retention_text_hours`` old; the announcement is deleted after
  ``retention_delivery_days`` (campaign messages come from the campaign's file: they stay, and
  keep a campaign from sending one day's message twice);
- a processed update whose replies were delivered is forgotten after ``retention_update_hours``
  (Telegram redelivers an update for at most 24 hours), one whose replies were never confirmed
  after ``retention_unsent_update_days``;
- role invitations expired (or used) ``retention_delivery_days`` ago are deleted;
- xAPI statements the LRS accepted are deleted ``retention_xapi_days`` after it did.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, and_, delete, exists, or_, select, tuple_, update
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import Delete, Update

from hocvuso.config import Settings
from hocvuso.storage import tables
from hocvuso.storage.scheduling import FINAL_STATES, BroadcastKind, DeliveryState
from hocvuso.storage.xapi import XapiState

D = tables.DELIVERY
B = tables.BROADCAST
P = tables.PROCESSED_UPDATE
I = tables.ROLE_INVITE  # noqa: E741 - the table's initial, as D, B and P
X = tables.XAPI_STATEMENT
#: Rows per transaction.
BATCH = 1000
#: Final states whose row can be sent again on an organiser's decision (``requeue``).
RETRYABLE = (DeliveryState.DEAD, DeliveryState.UNKNOWN)
#: Blanked texts (the columns are NOT NULL). ``text <> ''`` is written as SQL, not bound, so that
#: PostgreSQL can use the partial index ``ix_delivery_text_kept`` in every plan.
KEPT = sql_text("delivery.text <> ''")


@dataclass(frozen=True)
class Swept:
    texts_blanked: int = 0
    deliveries_deleted: int = 0
    announcements_blanked: int = 0
    announcements_deleted: int = 0
    updates_deleted: int = 0
    invites_deleted: int = 0
    statements_deleted: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


async def _in_batches(
    database: AsyncEngine, table: Table, where: ColumnElement[bool], *, blank: bool = False
) -> int:
    """Blank (``blank``) or delete the rows of ``table`` matching ``where``, BATCH at a time."""
    # Every table here has the key ``id`` but processed_update (bot_id, update_id).
    key = [table.c.id] if "id" in table.c else [table.c.bot_id, table.c.update_id]
    done = 0
    while True:
        async with database.begin() as connection:
            chosen = select(*key).where(where).limit(BATCH)
            target = (key[0] if len(key) == 1 else tuple_(*key)).in_(chosen)
            statement: Update | Delete = (
                update(table).where(target).values(_blanks(table))
                if blank
                else delete(table).where(target)
            )
            count = (await connection.execute(statement)).rowcount or 0
        done += count
        if count < BATCH:
            return done


def _blanks(table: Table) -> dict[str, object]:
    return {"text": "", "buttons": []} if table is D else {"text": ""}


async def sweep(database: AsyncEngine, settings: Settings, now: datetime) -> Swept:
    """Blank and delete what has outlived its purpose; returns how many rows of each kind."""
    final = D.c.state.in_([str(s) for s in FINAL_STATES if s not in RETRYABLE])
    retryable = D.c.state.in_([str(s) for s in RETRYABLE])
    text_before = now - timedelta(hours=settings.retention_text_hours)
    failed_before = now - timedelta(days=settings.retention_failed_text_days)
    keep_before = now - timedelta(days=settings.retention_delivery_days)
    texts = await _in_batches(
        database,
        D,
        and_(
            KEPT,
            or_(
                and_(D.c.created_at < text_before, final),
                and_(D.c.created_at < failed_before, retryable),
            ),
        ),
        blank=True,
    )
    every_final = D.c.state.in_([str(s) for s in FINAL_STATES])
    deleted = await _in_batches(database, D, and_(every_final, D.c.created_at < keep_before))
    waiting = exists().where(D.c.broadcast_id == B.c.id, ~every_final)
    announcement = B.c.kind == BroadcastKind.ANNOUNCEMENT
    blanked = await _in_batches(
        database,
        B,
        and_(announcement, B.c.text != "", B.c.created_at < text_before, ~waiting),
        blank=True,
    )
    announcements = await _in_batches(
        database, B, and_(announcement, B.c.created_at < keep_before, ~waiting)
    )
    delivered = and_(
        P.c.delivered_at.is_not(None),
        P.c.processed_at < now - timedelta(hours=settings.retention_update_hours),
    )
    unsent = P.c.processed_at < now - timedelta(days=settings.retention_unsent_update_days)
    updates = await _in_batches(database, P, or_(delivered, unsent))
    invites = await _in_batches(database, I, I.c.expires_at < keep_before)
    statements = await _in_batches(
        database,
        X,
        and_(
            X.c.state == XapiState.SENT,
            X.c.sent_at < now - timedelta(days=settings.retention_xapi_days),
        ),
    )
    return Swept(texts, deleted, blanked, announcements, updates, invites, statements)
