"""What the dashboard's questions, retention and audit pages show (issue 13).

The figures are those of ``hocvuso report questions`` and ``hocvuso report retention``: the same
functions (:func:`hocvuso.organising.question_stats.question_stats`,
:func:`hocvuso.organising.retention.retention`) on the person's scope, so the page, its files
and the command line agree. Scope is the dashboard's: a unit outside the person's grants answers
exactly like a unit that does not exist. Every view and download is audited
(``dashboard.view`` / ``dashboard.export`` with ``page``).

Item analysis takes seconds at national scale (bench/question_stats.py), so its result is kept
per (scope, level) for :data:`CACHE_TTL` in the process (:class:`StatsCache`); the page says
when it was computed. The audit log page is for admins only (the right of ``Action.AUDIT``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.organising import audit
from hocvuso.organising import question_stats as qs
from hocvuso.organising import retention as ret
from hocvuso.organising.caching import TimedCache
from hocvuso.organising.dashboard import unit_in_scope
from hocvuso.organising.errors import Invalid
from hocvuso.organising.permissions import Action, Actor, check_role
from hocvuso.storage import tables
from hocvuso.storage.organising import Unit

#: Item analysis of a (scope, level) is reused this long.
CACHE_TTL = timedelta(minutes=5)
#: Audit entries per page, and at most this many in a downloaded file.
AUDIT_PAGE = 50
AUDIT_FILE_MAX = 100_000

L = tables.LEARNER
RG = SQLModel.metadata.tables["role_grant"]  # tables names no ROLE_GRANT (yet)
U = tables.UNIT


# --- questions ------------------------------------------------------------------------------
CacheKey = tuple[int, int]


class StatsCache(TimedCache[CacheKey, tuple[qs.QuestionStats, ...]]):
    """Item analysis per (scope unit id, level), for :data:`CACHE_TTL`, in this process."""

    def __init__(self, ttl: timedelta = CACHE_TTL, size: int = 256) -> None:
        super().__init__(ttl, size)


@dataclass(frozen=True)
class QuestionsPage:
    unit: Unit | None  # None: everyone (admins)
    level: int | None
    stats: tuple[qs.QuestionStats, ...]
    #: When the figures were computed (now, or up to CACHE_TTL ago).
    computed_at: datetime


def _check_level(level: int | None) -> None:
    if level is not None and not 1 <= level <= 4:
        raise Invalid("export-level")


async def access_questions_page(
    session: AsyncSession,
    actor: Actor,
    pack: Pack,
    code: str | None,
    now: datetime,
    *,
    level: int | None = None,
    export: str | None = None,
    cache: StatsCache | None = None,
) -> QuestionsPage:
    """Item analysis of the finished level exams of the learners in the person's scope (or in
    ``code``'s subtree within it): ``report questions``'s figures and right."""
    _check_level(level)
    unit = await unit_in_scope(session, actor, code)
    key = (unit.id or 0 if unit else 0, level or 0)
    hit = cache.get(key, now) if cache is not None else None
    if hit is None:
        stats = tuple(await qs.question_stats(session, pack, unit, level=level))
        computed_at = now
        if cache is not None:
            cache.put(key, now, stats)
    else:
        computed_at, stats = hit
    details: dict[str, Any] = {"questions": len(stats)}
    if level is not None:
        details["level"] = level
    await _audit(session, actor, "questions", unit, now, export, **details)
    return QuestionsPage(unit, level, stats, computed_at)


# --- retention ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetentionPage:
    unit: Unit | None
    report: ret.Retention


async def access_retention_page(
    session: AsyncSession,
    actor: Actor,
    pack: Pack,
    code: str | None,
    now: datetime,
    *,
    export: str | None = None,
) -> RetentionPage:
    """FSRS-predicted against measured recall in the person's scope: ``report retention``'s
    figures and right."""
    unit = await unit_in_scope(session, actor, code)
    report = await ret.retention(session, pack, unit)
    await _audit(session, actor, "retention", unit, now, export, reviews=report.total.reviews)
    return RetentionPage(unit, report)


# --- the audit log --------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: int | None = None
    since: datetime | None = None  # from (inclusive)
    until: datetime | None = None  # to (exclusive)


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    actor_id: int | None
    #: The actor's name (None: the command line, or a person since erased).
    actor_name: str | None
    #: The roles the actor holds now (organiser, admin, …).
    roles: tuple[str, ...]
    via: str
    action: str
    unit_code: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    lines: tuple[AuditLine, ...]
    page: int
    has_next: bool


async def access_audit_page(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    where: AuditFilter,
    *,
    page: int = 1,
    export: str | None = None,
) -> AuditPage:
    """The audit log, newest first, filtered; admins only (Forbidden otherwise). A page of
    :data:`AUDIT_PAGE` entries, or with ``export`` every entry that matches (up to
    :data:`AUDIT_FILE_MAX`). Reading it is audited too."""
    check_role(actor, Action.AUDIT)
    page = max(page, 1)
    size = AUDIT_FILE_MAX if export else AUDIT_PAGE
    found = await audit.entries(
        session,
        limit=size + 1,
        offset=0 if export else (page - 1) * AUDIT_PAGE,
        action=where.action,
        actor_id=where.actor_id,
        since=where.since,
        until=where.until,
    )
    has_next = len(found) > size
    lines = await _lines(session, found[:size])
    details: dict[str, Any] = {"entries": len(lines)}
    if where.action:
        details["filter_action"] = where.action
    if where.actor_id is not None:
        details["filter_actor"] = where.actor_id
    await _audit(session, actor, "audit", None, now, export, **details)
    return AuditPage(tuple(lines), page, has_next)


async def _lines(session: AsyncSession, found: list[Any]) -> list[AuditLine]:
    connection = await session.connection()
    actors = {e.actor_id for e in found if e.actor_id is not None}
    unit_ids = {e.unit_id for e in found if e.unit_id is not None}
    names: dict[int, str | None] = {}
    roles: dict[int, set[str]] = {}
    codes: dict[int, str] = {}
    if actors:
        rows = await connection.execute(select(L.c.id, L.c.display_name).where(L.c.id.in_(actors)))
        names = {int(r.id): r.display_name for r in rows}
        grants = await connection.execute(
            select(RG.c.learner_id, RG.c.role).where(
                RG.c.learner_id.in_(actors), RG.c.revoked_at.is_(None)
            )
        )
        for r in grants:
            roles.setdefault(int(r.learner_id), set()).add(str(r.role))
    if unit_ids:
        rows = await connection.execute(select(U.c.id, U.c.code).where(U.c.id.in_(unit_ids)))
        codes = {int(r.id): str(r.code) for r in rows}
    return [
        AuditLine(
            id=int(e.id),
            at=e.at,
            actor_id=e.actor_id,
            actor_name=names.get(e.actor_id) if e.actor_id is not None else None,
            roles=tuple(sorted(roles.get(e.actor_id, ()))) if e.actor_id is not None else (),
            via=e.via,
            action=e.action,
            unit_code=codes.get(e.unit_id) if e.unit_id is not None else None,
            details=dict(e.details or {}),
        )
        for e in found
    ]


async def _audit(
    session: AsyncSession,
    actor: Actor,
    page: str,
    unit: Unit | None,
    now: datetime,
    export: str | None,
    **details: Any,
) -> None:
    action = audit.DASHBOARD_EXPORT if export else audit.DASHBOARD_VIEW
    extra = {"format": export} if export else {}
    await audit.record_by(
        session, actor, action, unit.id if unit else None, now, page=page, **extra, **details
    )


__all__ = [
    "AUDIT_PAGE",
    "CACHE_TTL",
    "AuditFilter",
    "AuditLine",
    "AuditPage",
    "QuestionsPage",
    "RetentionPage",
    "StatsCache",
    "access_audit_page",
    "access_questions_page",
    "access_retention_page",
]
