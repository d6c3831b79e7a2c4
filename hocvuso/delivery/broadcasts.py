"""Organiser announcements: one broadcast row, one delivery per learner in the audience.

The deliveries are queued with one ``INSERT … SELECT`` (keys ``broadcast:<id>:<learner>``), so an
announcement to 100,000 people is queued in one statement, and queueing it again adds nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hocvuso.delivery import audience as aud
from hocvuso.delivery import payloads as a
from hocvuso.delivery.queue import DeliveryQueue, insert_ignore
from hocvuso.i18n import t
from hocvuso.storage import tables
from hocvuso.storage.scheduling import BroadcastKind, DeliveryKind
from hocvuso.storage.types import utcnow

L = tables.LEARNER
D = tables.DELIVERY
B = tables.BROADCAST
PRIORITY = 2
TEXT_LIMIT = 4096


class BroadcastError(ValueError):
    pass


@dataclass(frozen=True)
class Created:
    broadcast_id: int
    queued: int


class Options(TypedDict, total=False):
    #: The terms now in force (``Settings.consent_version``): only those who agreed are reached.
    consent: Required[str]
    #: Add a "Học ngay" button that starts a session.
    learn_button: bool
    #: The language of the button's label.
    language: str
    #: The organiser who asked for it (None: the command line).
    requested_by: int | None


async def announce(
    database: AsyncEngine,
    text: str,
    audience: dict[str, Any] | None = None,
    **options: Unpack[Options],
) -> Created:
    """Queue ``text`` (Telegram HTML) for everyone in ``audience``, in a transaction of its own."""
    async with database.begin() as connection:
        return await announce_on(connection, text, audience, **options)


async def announce_on(
    connection: AsyncConnection,
    text: str,
    audience: dict[str, Any] | None = None,
    *,
    consent: str,
    learn_button: bool = True,
    language: str = "vi",
    requested_by: int | None = None,
) -> Created:
    """:func:`announce` inside the caller's transaction (an organiser's /broadcast in chat)."""
    if not text.strip() or len(text) > TEXT_LIMIT:
        raise BroadcastError(f"the text must have 1-{TEXT_LIMIT} characters")
    audience = aud.validate(audience or {})
    now = utcnow()
    buttons = a.stored([a.button(t(language, "reminder-learn"), a.LEARN)]) if learn_button else []
    broadcast_id = (
        await connection.execute(
            B.insert()
            .values(
                kind=BroadcastKind.ANNOUNCEMENT,
                text=text,
                audience=audience,
                created_at=now,
                requested_by=requested_by,
                progress_reported=0,
            )
            .returning(B.c.id)
        )
    ).scalar_one()
    key = literal(f"broadcast:{broadcast_id}:") + cast(L.c.id, String)
    columns = [
        "key",
        "kind",
        "broadcast_id",
        "learner_id",
        "bot_id",
        "priority",
        "text",
        "buttons",
        "state",
        "attempts",
        "not_before",
        "created_at",
    ]
    source = select(
        key,
        literal(str(DeliveryKind.ANNOUNCEMENT)),
        literal(broadcast_id),
        L.c.id,
        L.c.bot_id,
        literal(PRIORITY),
        literal(text),
        literal(buttons, D.c.buttons.type),
        literal("pending"),
        literal(0),
        literal(now, D.c.not_before.type),
        literal(now, D.c.created_at.type),
    ).where(aud.where(audience, consent))
    result = await connection.execute(insert_ignore(connection).from_select(columns, source))
    return Created(int(broadcast_id), int(result.rowcount or 0))


async def audience_size(
    connection: AsyncConnection, audience: dict[str, Any], *, consent: str
) -> int:
    found = await connection.execute(
        select(func.count()).select_from(L).where(aud.where(aud.validate(audience), consent))
    )
    return int(found.scalar_one())


async def total(database: AsyncEngine, broadcast_id: int) -> int:
    async with database.connect() as connection:
        found = await connection.execute(
            select(func.count()).where(D.c.broadcast_id == broadcast_id)
        )
        return int(found.scalar_one())


async def exists(database: AsyncEngine, broadcast_id: int) -> bool:
    async with database.connect() as connection:
        found = await connection.execute(select(B.c.id).where(B.c.id == broadcast_id))
        return found.first() is not None


def queue(database: AsyncEngine) -> DeliveryQueue:
    return DeliveryQueue(database)
