"""``/leaderboard``: completion per unit among the learner's sibling units, and the names of
those certified in the learner's own unit who chose to be shown (nobody else is named)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import mentoring, reports, units
from hocvuso.organising.forecast import Target
from hocvuso.storage.consent import consented
from hocvuso.storage.models import Certificate, Learner
from hocvuso.storage.organising import LearnerPreference, Unit

ROWS = 10
NAMES = 20


@dataclass(frozen=True)
class Leaderboard:
    level: int
    own_code: str
    ranked: list[reports.Row]
    names: list[str]
    #: Whether the learner themself chose to be named.
    shown: bool


async def leaderboard(
    session: AsyncSession, learner: Learner, target: Target, now: datetime, *, consent: str
) -> Leaderboard | None:
    """None for a learner who belongs to no unit."""
    if not learner.unit_code:
        return None
    mine = await units.by_code(session, learner.unit_code)
    parent = await session.get(Unit, mine.parent_id) if mine.parent_id else None
    report = await reports.unit_report(session, parent, target, now)
    ranked = sorted(
        (r for r in report.rows if r.joined and r.code != (parent.code if parent else None)),
        key=lambda r: (-(r.certified_percent or 0), r.code),
    )
    names = await opted_in(session, mine.code, report.target.level, consent=consent)
    shown = (await mentoring.preference(session, learner.id or 0)).leaderboard_opt_in
    return Leaderboard(report.target.level, mine.code, ranked[:ROWS], names, shown)


async def opted_in(session: AsyncSession, unit_code: str, level: int, *, consent: str) -> list[str]:
    """Display names of the unit's certified learners who opted in (and agreed to the terms
    ``consent``, the current ones), first certified first."""
    result = await session.exec(
        select(Learner.display_name)
        .join(LearnerPreference, col(LearnerPreference.learner_id) == Learner.id)
        .join(Certificate, col(Certificate.learner_id) == Learner.id)
        .where(
            Learner.unit_code == unit_code,
            col(LearnerPreference.leaderboard_opt_in),
            Certificate.level == level,
            col(Learner.display_name).is_not(None),
            consented(consent),
        )
        .order_by(col(Certificate.issued_at))
        .limit(NAMES)
    )
    return [name for name in result.all() if name]
