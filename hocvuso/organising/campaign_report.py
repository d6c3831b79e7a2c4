"""How a campaign went, within an organiser's scope: each message of its schedule against the
milestone, whether it went out, its reach, and the change in activity after it.

Definitions (docs/dashboard.md, "Campaigns"):

- A message *occurrence* is one (day, message) of :meth:`CampaignSpec.schedule`; it is *sent*
  once the sweep made its ``broadcast`` row (``occurrence = "<index>:<day>"``).
- *Audience*: the scope's learners with a delivery of that broadcast (before it went out: the
  scope's learners the campaign's audience reaches now). *Reached*: those whose delivery is
  ``sent``. Reach = reached / audience.
- *Activity change*: ``T`` is the moment the first copy in the scope was sent. Of the reached
  learners, *before* counts those who answered at least one question in ``[T - N days, T)``,
  *after* those who did in ``[T, T + N days)`` (N = :data:`WINDOW_DAYS` unless asked). The
  change is ``after - before`` learners and ``(after - before) / reached`` in percentage points.
  While ``T + N days`` is still ahead the after-window is incomplete (flagged).

One set-based query per message counts the whole audience at once (no per-learner loop), so the
scheduler or the command line can call :func:`message_reports` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.delivery import audience as aud
from hocvuso.delivery.campaign_spec import CampaignSpec, spec_of
from hocvuso.organising import audit, units
from hocvuso.organising.dashboard import unit_in_scope
from hocvuso.organising.errors import NotFound
from hocvuso.organising.permissions import Actor
from hocvuso.organising.reports import REPORT_ZONE
from hocvuso.storage import tables
from hocvuso.storage.organising import Unit
from hocvuso.storage.scheduling import DeliveryState

#: Days before and after a message compared for the activity change.
WINDOW_DAYS = 3
MAX_WINDOW_DAYS = 30

L = tables.LEARNER
U = tables.UNIT
D = tables.DELIVERY
B = tables.BROADCAST
CAMPAIGNS = tables.CAMPAIGN
QA = tables.QUIZ_ATTEMPT


@dataclass(frozen=True)
class Activity:
    """Reached learners active before and after a message (see the module's definition)."""

    reached: int
    before: int
    after: int
    #: The after-window has not ended yet.
    incomplete: bool

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def before_percent(self) -> float | None:
        return 100 * self.before / self.reached if self.reached else None

    @property
    def after_percent(self) -> float | None:
        return 100 * self.after / self.reached if self.reached else None

    @property
    def change_points(self) -> float | None:
        return 100 * self.change / self.reached if self.reached else None


@dataclass(frozen=True)
class MessageReport:
    index: int
    day: date
    #: The planned send time (the campaign's hour on that day, Vietnam time).
    planned_at: datetime
    #: The message's Vietnamese text (the template, not any learner's copy).
    text: str
    sent: bool
    audience: int
    reached: int
    first_sent_at: datetime | None
    activity: Activity | None

    @property
    def reach(self) -> float | None:
        return self.reached / self.audience if self.audience else None


@dataclass(frozen=True)
class CampaignSummary:
    id: int
    slug: str
    name: str
    milestone: date
    status: str
    messages: int
    sent_messages: int
    #: Of the scope: learners the audience reaches now, and copies sent so far.
    audience: int
    delivered: int


@dataclass(frozen=True)
class CampaignReport:
    summary: CampaignSummary
    spec: CampaignSpec
    window_days: int
    messages: tuple[MessageReport, ...]
    today: date


async def _summaries(
    connection: AsyncConnection, scope: Unit | None, consent: str, campaign_id: int | None = None
) -> list[tuple[CampaignSummary, CampaignSpec]]:
    query = select(
        CAMPAIGNS.c.id,
        CAMPAIGNS.c.slug,
        CAMPAIGNS.c.name,
        CAMPAIGNS.c.milestone,
        CAMPAIGNS.c.status,
        CAMPAIGNS.c.spec,
    ).order_by(CAMPAIGNS.c.milestone, CAMPAIGNS.c.id)
    if campaign_id is not None:
        query = query.where(CAMPAIGNS.c.id == campaign_id)
    in_scope = units.learners_in(scope)
    found = []
    for row in (await connection.execute(query)).all():
        spec = spec_of(row.spec)
        audience = await connection.execute(
            select(func.count()).select_from(L).where(aud.where(spec.audience, consent), in_scope)
        )
        copies = await connection.execute(
            select(
                func.count(),
                func.count().filter(D.c.state == DeliveryState.SENT),
                func.count(func.distinct(B.c.id)),
            )
            .select_from(D.join(B, D.c.broadcast_id == B.c.id).join(L, L.c.id == D.c.learner_id))
            .where(B.c.campaign_id == row.id, in_scope)
        )
        queued, delivered, broadcasts = copies.one()
        reaches = int(audience.scalar_one())
        if scope is not None and not reaches and not queued:
            continue  # nothing of this campaign concerns the scope
        found.append(
            (
                CampaignSummary(
                    id=int(row.id),
                    slug=row.slug,
                    name=row.name,
                    milestone=row.milestone,
                    status=row.status,
                    messages=len(spec.schedule()),
                    sent_messages=int(broadcasts),
                    audience=reaches,
                    delivered=int(delivered),
                ),
                spec,
            )
        )
    return found


async def access_campaigns(
    session: AsyncSession,
    actor: Actor,
    code: str | None,
    now: datetime,
    *,
    consent: str,
    export: str | None = None,
) -> tuple[Unit | None, list[CampaignSummary]]:
    """The campaigns that concern the person's scope (or ``code`` in it); audited as a view, or
    with ``export`` (csv | xlsx) as a download."""
    scope = await unit_in_scope(session, actor, code)
    connection = await session.connection()
    found = [summary for summary, _ in await _summaries(connection, scope, consent)]
    await audit.record_by(
        session,
        actor,
        audit.DASHBOARD_EXPORT if export else audit.DASHBOARD_VIEW,
        scope.id if scope else None,
        now,
        page="campaigns",
        **({"format": export} if export else {}),
    )
    return scope, found


async def access_campaign(
    session: AsyncSession,
    actor: Actor,
    campaign_id: int,
    code: str | None,
    now: datetime,
    *,
    consent: str,
    window_days: int = WINDOW_DAYS,
    export: str | None = None,
) -> tuple[Unit | None, CampaignReport]:
    """One campaign's messages within the scope; a campaign that does not concern the scope is
    the same 404 as one that does not exist. Audited: a page view, or with ``export`` (csv |
    xlsx) a download."""
    scope = await unit_in_scope(session, actor, code)
    connection = await session.connection()
    found = await _summaries(connection, scope, consent, campaign_id)
    if not found:
        raise NotFound("dash-campaign-none")
    summary, spec = found[0]
    window = max(1, min(MAX_WINDOW_DAYS, window_days))
    messages = await message_reports(
        connection, summary.id, spec, scope, now, consent=consent, window_days=window
    )
    await audit.record_by(
        session,
        actor,
        audit.DASHBOARD_EXPORT if export else audit.DASHBOARD_VIEW,
        scope.id if scope else None,
        now,
        page="campaigns",
        campaign=summary.id,
        **({"format": export} if export else {}),
    )
    report = CampaignReport(
        summary, spec, window, tuple(messages), now.astimezone(REPORT_ZONE).date()
    )
    return scope, report


async def message_reports(
    connection: AsyncConnection,
    campaign_id: int,
    spec: CampaignSpec,
    scope: Unit | None,
    now: datetime,
    *,
    consent: str,
    window_days: int = WINDOW_DAYS,
) -> list[MessageReport]:
    """Every message of the campaign's schedule with its figures in the scope (no permission
    check: the caller has made it)."""
    in_scope = units.learners_in(scope)
    broadcasts = {
        row.occurrence: int(row.id)
        for row in await connection.execute(
            select(B.c.id, B.c.occurrence).where(B.c.campaign_id == campaign_id)
        )
    }
    planned_audience: int | None = None
    window = timedelta(days=window_days)
    found = []
    for day, index in spec.schedule():
        message = spec.messages[index]
        planned_at = datetime.combine(day, time(spec.hour_of(message)), REPORT_ZONE)
        broadcast_id = broadcasts.get(f"{index}:{day.isoformat()}")
        text = message.text["vi"]
        if broadcast_id is None:
            if planned_audience is None:
                result = await connection.execute(
                    select(func.count())
                    .select_from(L)
                    .where(aud.where(spec.audience, consent), in_scope)
                )
                planned_audience = int(result.scalar_one())
            found.append(
                MessageReport(index, day, planned_at, text, False, planned_audience, 0, None, None)
            )
            continue
        copies = (
            D.c.broadcast_id == broadcast_id,
            L.c.id == D.c.learner_id,
            in_scope,
        )
        sent = D.c.state == DeliveryState.SENT
        totals = (
            await connection.execute(
                select(
                    func.count(),
                    func.count().filter(sent),
                    func.min(D.c.sent_at).filter(sent),
                )
                .select_from(D.join(L, L.c.id == D.c.learner_id))
                .where(*copies)
            )
        ).one()
        audience, reached, first = int(totals[0]), int(totals[1]), totals[2]
        first_sent = _aware(first) if first is not None else None
        activity = None
        if first_sent is not None:
            activity = await _activity(connection, copies, first_sent, window, now)
        found.append(
            MessageReport(
                index, day, planned_at, text, True, audience, reached, first_sent, activity
            )
        )
    return found


async def report_of(
    connection: AsyncConnection,
    slug: str,
    now: datetime,
    *,
    consent: str,
    window_days: int = WINDOW_DAYS,
) -> tuple[CampaignSummary, list[MessageReport]]:
    """A campaign's messages over everyone (the command line: ``hocvuso campaign report``);
    NotFound for an unknown slug."""
    found = await connection.execute(select(CAMPAIGNS.c.id).where(CAMPAIGNS.c.slug == slug))
    campaign_id = found.scalar_one_or_none()
    if campaign_id is None:
        raise NotFound("dash-campaign-none")
    summary, spec = (await _summaries(connection, None, consent, int(campaign_id)))[0]
    window = max(1, min(MAX_WINDOW_DAYS, window_days))
    messages = await message_reports(
        connection, summary.id, spec, None, now, consent=consent, window_days=window
    )
    return summary, messages


def _aware(value: datetime | str) -> datetime:
    """An aggregate's datetime as aware UTC (SQLite hands back naive values or text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _answered(start: datetime, end: datetime) -> ColumnElement[bool]:
    return exists().where(
        QA.c.learner_id == D.c.learner_id, QA.c.answered_at >= start, QA.c.answered_at < end
    )


async def _activity(
    connection: AsyncConnection,
    copies: tuple[Any, ...],
    at: datetime,
    window: timedelta,
    now: datetime,
) -> Activity:
    """One query over the message's reached learners: active before and after ``at``."""
    row = (
        await connection.execute(
            select(
                func.count(),
                func.count().filter(_answered(at - window, at)),
                func.count().filter(_answered(at, at + window)),
            )
            .select_from(D.join(L, L.c.id == D.c.learner_id))
            .where(*copies, D.c.state == DeliveryState.SENT)
        )
    ).one()
    return Activity(int(row[0]), int(row[1]), int(row[2]), incomplete=at + window > now)


__all__ = [
    "WINDOW_DAYS",
    "Activity",
    "CampaignReport",
    "CampaignSummary",
    "MessageReport",
    "access_campaign",
    "access_campaigns",
    "message_reports",
    "report_of",
]
