"""Unit reports against the target: one set-based query per report, whatever the unit count.

For a unit (or the whole tree), one row per sub-unit — each counting its whole subtree — plus a
row for the people directly in the unit itself: learners joined, active in the last 7 days,
certified per level, % of the target and the forecast date at the current pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import audit, units
from hocvuso.organising.errors import Forbidden, StaffError
from hocvuso.organising.forecast import Forecast, Target, forecast
from hocvuso.organising.permissions import Action, Actor, access_unit, check_role
from hocvuso.storage import db, tables
from hocvuso.storage.organising import Unit

U = tables.UNIT
L = tables.LEARNER
C = tables.CERTIFICATE
LEVELS = (1, 2, 3, 4)
ACTIVE_DAYS = 7
REPORT_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    joined: int
    active: int
    #: Learners certified at levels 1, 2, 3 and 4.
    certified: tuple[int, ...]
    #: Certified at the target level in the last ``target.pace_days`` days (the pace).
    recent: int
    target: Target
    forecast: Forecast
    #: The root unit's own row: only the people directly in it, not its sub-units.
    direct: bool = False

    @property
    def at_target(self) -> int:
        return self.certified[self.target.level - 1]

    @property
    def needed(self) -> int:
        return self.target.needed(self.joined)

    @property
    def certified_percent(self) -> float | None:
        return round(100 * self.at_target / self.joined, 1) if self.joined else None

    @property
    def percent_of_target(self) -> float | None:
        """Certified at the target level as a share of the number the target asks for."""
        return round(100 * self.at_target / self.needed, 1) if self.needed else None


@dataclass(frozen=True)
class Report:
    unit_code: str | None  # None: the whole tree
    unit_name: str | None
    today: date
    target: Target
    rows: tuple[Row, ...]
    total: Row
    #: Whole-tree reports only: learners in no unit of the tree (skipped the unit step, or a
    #: code no unit has), who are in no row; None for a unit's report.
    unassigned: int | None = None


def _buckets(root: Unit | None, bucket: Any, member: Any) -> tuple[ColumnElement[bool], Any]:
    """Which units are rows, and which units' learners each row counts."""
    if root is None:
        return bucket.c.parent_id.is_(None), member.c.path.startswith(bucket.c.path)
    is_root = bucket.c.id == root.id
    rows = or_(bucket.c.parent_id == root.id, is_root)
    members = and_(
        # Only the root's subtree is matched against the rows' paths, not the whole tree.
        member.c.path.startswith(root.path),
        or_(
            and_(~is_root, member.c.path.startswith(bucket.c.path)),
            and_(is_root, member.c.id == root.id),
        ),
    )
    return rows, members


def report_query(
    root: Unit | None, target: Target, now: datetime, *, whole_tree: bool = False
) -> Select[Any]:
    """The report's rows, aggregated in the database: learners and certificates are counted per
    unit first (one pass over each table, the subtree's only), then summed per row over the
    units each row counts. ``whole_tree``: the root is the tree's single top unit, so every
    learner of a unit is in its subtree and none needs to be looked up in it."""
    bucket, member, row_unit = U.alias("bucket"), U.alias("member"), U.alias("row_unit")
    bucket_rows, belongs = _buckets(root, bucket, member)
    members = (
        select(bucket.c.id.label("bucket_id"), member.c.code.label("unit_code"))
        .select_from(bucket.join(member, belongs))
        .where(bucket_rows)
        .cte("members")
    )
    in_scope: tuple[ColumnElement[bool], ...] = ()
    if root is not None and not whole_tree:  # only the subtree's learners, not the table's
        in_scope = (L.c.unit_code.in_(select(members.c.unit_code)),)
    active_since = now - timedelta(days=ACTIVE_DAYS)
    people = (
        select(
            L.c.unit_code,
            func.count(L.c.id).label("joined"),
            func.sum(case((L.c.last_active_at >= active_since, 1), else_=0)).label("active"),
        )
        .where(*in_scope)
        .group_by(L.c.unit_code)
        .subquery("people")
    )
    # A learner holds at most one certificate per level (uq_certificate_level), so counting a
    # unit's certificates of a level counts its learners certified at that level.
    pace_since = now - timedelta(days=target.pace_days)
    certs = (
        select(
            L.c.unit_code,
            *(func.sum(case((C.c.level == n, 1), else_=0)).label(f"l{n}") for n in LEVELS),
            func.sum(
                case((and_(C.c.level == target.level, C.c.issued_at >= pace_since), 1), else_=0)
            ).label("recent"),
        )
        .select_from(C.join(L, L.c.id == C.c.learner_id))
        .where(*in_scope)
        .group_by(L.c.unit_code)
        .subquery("certs")
    )
    stats = (
        select(
            members.c.bucket_id,
            func.sum(people.c.joined).label("joined"),
            func.sum(people.c.active).label("active"),
            *(func.sum(func.coalesce(certs.c[f"l{n}"], 0)).label(f"l{n}") for n in LEVELS),
            func.sum(func.coalesce(certs.c.recent, 0)).label("recent"),
        )
        .select_from(
            members.join(people, people.c.unit_code == members.c.unit_code).outerjoin(
                certs, certs.c.unit_code == members.c.unit_code
            )
        )
        .group_by(members.c.bucket_id)
        .subquery("stats")
    )
    row_filter, _ = _buckets(root, row_unit, member)
    # The root's own row first; the whole tree has no such row (SQLAlchemy 2.1 refuses a bare 1).
    order: tuple[ColumnElement[Any], ...] = (row_unit.c.code,)
    if root is not None:
        order = (case((row_unit.c.id == root.id, 0), else_=1), row_unit.c.code)
    return (
        select(
            row_unit.c.code,
            row_unit.c.name,
            *(
                func.coalesce(stats.c[name], 0).label(name)
                for name in ("joined", "active", *(f"l{n}" for n in LEVELS), "recent")
            ),
        )
        .select_from(row_unit.outerjoin(stats, stats.c.bucket_id == row_unit.c.id))
        .where(row_filter)
        .order_by(*order)
    )


def _row(
    code: str,
    name: str,
    figures: dict[str, int],
    target: Target,
    today: date,
    *,
    direct: bool = False,
) -> Row:
    certified = tuple(int(figures[f"l{n}"]) for n in LEVELS)
    joined, recent = int(figures["joined"]), int(figures["recent"])
    return Row(
        code=code,
        name=name,
        joined=joined,
        active=int(figures["active"]),
        certified=certified,
        recent=recent,
        target=target,
        forecast=forecast(joined, certified[target.level - 1], recent, target, today),
        direct=direct,
    )


async def unit_report(
    session: AsyncSession, root: Unit | None, target: Target, now: datetime
) -> Report:
    connection = await session.connection()
    whole_tree = root is None
    if root is None:
        # A tree with a single top unit (the shipped sample: Quốc hội) reports its parts.
        tops = (await connection.execute(select(U).where(U.c.parent_id.is_(None)).limit(2))).all()
        if len(tops) == 1:
            root = Unit.model_validate(tops[0]._mapping)
    async with db.planned_for_values(connection):
        result = await connection.execute(report_query(root, target, now, whole_tree=whole_tree))
    today = now.astimezone(REPORT_ZONE).date()
    names = ("joined", "active", *(f"l{n}" for n in LEVELS), "recent")
    rows = []
    totals = dict.fromkeys(names, 0)
    for record in result.mappings():
        figures = {name: int(record[name]) for name in names}
        direct = root is not None and record["code"] == root.code
        rows.append(_row(record["code"], record["name"], figures, target, today, direct=direct))
        for name in names:
            totals[name] += figures[name]
    total = _row(root.code if root else "*", "Tổng cộng", totals, target, today)
    unassigned = None
    if whole_tree:
        # Every unit of the tree is in exactly one row (a top unit's subtree, or the single top's
        # sub-units' subtrees and itself), so the learners in no row are all the others: those
        # with no unit code or a code no unit has. Counting them so spares a second pass.
        everyone = await connection.execute(select(func.count()).select_from(L))
        unassigned = int(everyone.scalar_one()) - total.joined
    return Report(
        root.code if root else None,
        root.name if root else None,
        today,
        target,
        tuple(rows),
        total,
        unassigned,
    )


async def access_report(
    session: AsyncSession,
    actor: Actor,
    code: str | None,
    target: Target,
    now: datetime,
    *,
    export: str | None = None,
) -> tuple[Unit | None, Report]:
    """The report of a unit in the actor's scope (no code: their first scope, or the whole tree
    for admins); audited as a view, or as an export in the given format."""
    unit = await access_unit(session, actor, Action.REPORT, code or None)
    return unit, await _audited_report(session, actor, unit, target, now, export)


async def access_report_of(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    target: Target,
    now: datetime,
    *,
    export: str | None = None,
) -> Report:
    """:func:`access_report` by unit id (0: the whole tree); a guessed id names no unit."""
    unit = None
    if unit_id:
        try:
            found = await units.by_id(session, unit_id)
            unit = await access_unit(session, actor, Action.REPORT, found.code)
        except StaffError:  # a guessed id: refused without naming the unit behind it
            raise Forbidden("forbidden-report") from None
    else:
        check_role(actor, Action.REPORT)
        if not actor.is_admin:
            raise Forbidden("forbidden-report")
    return await _audited_report(session, actor, unit, target, now, export)


async def _audited_report(
    session: AsyncSession,
    actor: Actor,
    unit: Unit | None,
    target: Target,
    now: datetime,
    export: str | None,
) -> Report:
    report = await unit_report(session, unit, target, now)
    await audit.record_by(
        session,
        actor,
        "report.export" if export else "report.view",
        unit.id if unit else None,
        now,
        **({"format": export} if export else {}),
    )
    return report
