"""The audit log: every organiser and admin action, with who, what, when and which scope.

Details hold ids and counts only — never names, chat ids or message texts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.storage.organising import AuditEntry

if TYPE_CHECKING:
    from hocvuso.organising.permissions import Actor


async def record(
    session: AsyncSession,
    actor_id: int | None,
    via: str,
    action: str,
    unit_id: int | None,
    at: datetime,
    **details: Any,
) -> None:
    session.add(
        AuditEntry(
            at=at, actor_id=actor_id, via=via, action=action, unit_id=unit_id, details=details
        )
    )
    await session.flush()


async def entries(
    session: AsyncSession, *, unit_id: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if unit_id is not None:
        query = query.where(AuditEntry.unit_id == unit_id)
    return list((await session.exec(query)).all())


async def read(
    session: AsyncSession, actor: Actor, *, unit_id: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The most recent entries, for those allowed to read the log (admins, the command line)."""
    from hocvuso.organising.permissions import Action, check_role  # it imports units → audit

    check_role(actor, Action.AUDIT)
    return await entries(session, unit_id=unit_id, limit=limit)
