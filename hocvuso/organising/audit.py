"""The audit log: every organiser and admin action, with who, what, when and which scope.

Details hold ids and counts only — never names, chat ids or message texts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.storage.organising import AuditEntry

# The dashboard's actions (hocvuso.organising.dashboard): sign-in, every page view and export.
DASHBOARD_LINK = "dashboard.link"  # a one-time sign-in link was sent in the chat
DASHBOARD_LOGIN = "dashboard.login"  # the link opened a session
DASHBOARD_LOGOUT = "dashboard.logout"
DASHBOARD_VIEW = "dashboard.view"  # details: page (overview | unit)
DASHBOARD_EXPORT = "dashboard.export"  # details: page, format (csv | xlsx)


async def record(
    executor: AsyncSession | AsyncConnection,
    actor_id: int | None,
    via: str,
    action: str,
    unit_id: int | None,
    at: datetime,
    **details: Any,
) -> None:
    """Append one entry, in the caller's transaction (an ORM session or a plain connection)."""
    connection = executor if isinstance(executor, AsyncConnection) else await executor.connection()
    await connection.execute(
        insert(AuditEntry).values(
            at=at, actor_id=actor_id, via=via, action=action, unit_id=unit_id, details=details
        )
    )


class Who(Protocol):
    """Who acts (an :class:`~hocvuso.organising.permissions.Actor`): their id and front."""

    @property
    def learner_id(self) -> int | None: ...

    @property
    def via(self) -> str: ...


async def record_by(
    executor: AsyncSession | AsyncConnection,
    actor: Who,
    action: str,
    unit_id: int | None,
    at: datetime,
    **details: Any,
) -> None:
    """:func:`record` for an actor: their id and the front they came through."""
    await record(executor, actor.learner_id, actor.via, action, unit_id, at, **details)


async def entries(
    session: AsyncSession,
    *,
    unit_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """Entries newest first, filtered (an action, an actor, ``since <= at < until``) and paged
    (``offset`` entries skipped, at most ``limit``)."""
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)
    if unit_id is not None:
        query = query.where(AuditEntry.unit_id == unit_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if until is not None:
        query = query.where(col(AuditEntry.at) < until)
    return list((await session.exec(query)).all())
