"""Organisers' announcements as use cases: who may send to whom, and the audit of each step.

The fronts (chat, command line, the coming web pages) call these and only render the result,
so every broadcast is checked and audited the same way whichever front it came from. The
fan-out itself (one delivery per learner, paced) is :mod:`hocvuso.delivery.broadcasts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.delivery import broadcasts
from hocvuso.delivery.queue import DeliveryQueue, state_counts
from hocvuso.i18n import Markup, escape
from hocvuso.organising import audit, units
from hocvuso.organising.errors import Forbidden
from hocvuso.organising.permissions import Action, Actor, access_unit, check_role
from hocvuso.storage.organising import AuditEntry, Unit
from hocvuso.storage.scheduling import Broadcast, DeliveryState

#: Room the chat's preview needs around the text (its header, the count and the unit's name).
PREVIEW_ROOM = 200
#: The longest broadcast the chat takes, as sent (Telegram HTML): the preview of it must fit
#: in one Telegram message too.
CHAT_TEXT_LIMIT = broadcasts.TEXT_LIMIT - PREVIEW_ROOM


def message_text(typed: str) -> Markup:
    """What an organiser's typed announcement is sent as (Telegram HTML: their text literally,
    escaped once). The chat's preview shows exactly this, and :func:`do_broadcast` queues it."""
    return escape(typed.strip())


def tree_audience(unit: Unit | None) -> dict[str, list[Any]]:
    """Everyone in a unit's subtree (None: everyone)."""
    return {"trees": [unit.code]} if unit is not None else {}


async def access_scope(session: AsyncSession, actor: Actor, unit_id: int | None) -> Unit | None:
    """The unit an organiser broadcasts to, checked again at each step (a role may be revoked)."""
    if unit_id is None:
        check_role(actor, Action.BROADCAST)
        if not actor.is_admin:
            raise Forbidden("forbidden-broadcast")
        return None
    unit = await units.by_id(session, unit_id)
    return await access_unit(session, actor, Action.BROADCAST, unit.code)


async def check_audience(
    session: AsyncSession, actor: Actor, audience: dict[str, Any]
) -> Unit | None:
    """Organisers reach their own subtrees only; other audiences (roles, levels) are admins'.
    The audience's first unit (None: no unit, admins only)."""
    check_role(actor, Action.BROADCAST)
    trees: list[str] = list(audience.get("trees") or [])
    if not actor.is_admin and (not trees or set(audience) != {"trees"}):
        raise Forbidden("forbidden-broadcast")
    found = [await access_unit(session, actor, Action.BROADCAST, code) for code in trees]
    return found[0] if found else None


async def do_broadcast(
    session: AsyncSession,
    actor: Actor,
    text: str,
    audience: dict[str, Any],
    now: datetime,
    *,
    consent: str,
    language: str = "vi",
    learn_button: bool = True,
    request: str | None = None,
) -> broadcasts.Created:
    """Queue ``text`` (Telegram HTML) for the audience, in the caller's transaction; audited.

    ``request``: the front's one-time key of this request (the dashboard's preview), kept in
    the audit entry so that the same request sent twice finds the broadcast it made
    (:func:`sent_for`)."""
    unit = await check_audience(session, actor, audience)
    created = await broadcasts.announce_on(
        await session.connection(),
        text,
        audience,
        consent=consent,
        learn_button=learn_button,
        language=language,
        requested_by=actor.learner_id,
    )
    await audit.record_by(
        session,
        actor,
        "broadcast.send",
        unit.id if unit else None,
        now,
        broadcast=created.broadcast_id,
        queued=created.queued,
        **({"request": request} if request else {}),
    )
    return created


async def sent_for(
    session: AsyncSession, actor: Actor, request: str, since: datetime
) -> int | None:
    """The broadcast :func:`do_broadcast` made for ``request`` (by this actor, since
    ``since``), if any."""
    found = await session.exec(
        select(AuditEntry.details).where(
            AuditEntry.actor_id == actor.learner_id,
            AuditEntry.action == "broadcast.send",
            col(AuditEntry.at) >= since,
        )
    )
    for details in found.all():
        if details.get("request") == request:
            return int(details["broadcast"])
    return None


async def access_progress(
    session: AsyncSession,
    actor: Actor,
    broadcast_id: int,
    now: datetime,
    *,
    audited: bool = True,
) -> dict[str, int]:
    """Delivery counts by state of one broadcast the actor may see; audited as a view (a front
    that audits the view itself, e.g. the dashboard's page, passes ``audited=False``)."""
    broadcast = await session.get(Broadcast, broadcast_id)
    trees: list[str] = (broadcast.audience.get("trees") or []) if broadcast else []
    if broadcast is None or (not trees and not actor.is_admin):
        raise Forbidden("forbidden-broadcast")
    try:
        for code in trees:
            await access_unit(session, actor, Action.BROADCAST, code)
    except Forbidden:  # another unit's broadcast: refused like an unknown one, naming nothing
        raise Forbidden("forbidden-broadcast") from None
    counts = await state_counts(await session.connection(), broadcast_id)
    if not audited:
        return counts
    unit = (await units.of_codes(session, trees[:1])).get(trees[0]) if trees else None
    await audit.record_by(
        session,
        actor,
        "broadcast.status",
        unit.id if unit else None,
        now,
        broadcast=broadcast_id,
    )
    return counts


async def do_resume(database: AsyncEngine, actor: Actor, broadcast_id: int, now: datetime) -> None:
    """An admin goes on sending a broadcast after a stop (the sending itself is the worker's)."""
    if not actor.is_admin:
        raise Forbidden("forbidden-broadcast")
    if not await broadcasts.exists(database, broadcast_id):
        raise broadcasts.BroadcastError(f"no broadcast {broadcast_id}")
    async with database.begin() as connection:
        await audit.record_by(
            connection,
            actor,
            "broadcast.resume",
            None,
            now,
            broadcast=broadcast_id,
        )


async def do_requeue(
    database: AsyncEngine,
    actor: Actor,
    broadcast_id: int | None,
    states: Sequence[DeliveryState],
    now: datetime,
) -> int:
    """Send dead letters again, on an admin's decision; audited with the count."""
    if not actor.is_admin:
        raise Forbidden("forbidden-broadcast")
    count = await DeliveryQueue(database).requeue(broadcast_id, states)
    async with database.begin() as connection:
        await audit.record_by(
            connection,
            actor,
            "broadcast.requeue",
            None,
            now,
            broadcast=broadcast_id,
            states=[str(s) for s in states],
            count=count,
        )
    return count
