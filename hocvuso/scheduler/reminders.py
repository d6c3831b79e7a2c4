"""Spaced reminders: ``deliver_due_reminders(now)`` queues today's reminders, set-based.

A learner is reminded from their chosen hour (local time) until quiet hours start, at most
``reminder_max_per_day`` times a local day, never while reminders are paused ("tạm nghỉ"), never
while they are studying (active in the last hour), and only when there is a reason:

- reviews are due (FSRS cards with ``due <= now``), or
- they have not studied today and were last nudged ``reminder_nudge_days`` or more days ago
  (every day while a campaign they belong to is in its peak period).

The whole selection is one query (correlated sub-queries on the ``review_card(learner_id, due)``,
``quiz_attempt(learner_id, answered_at)`` and ``delivery(learner_id, kind, day)`` indexes), never a
scan of the review cards; streaks are one grouped query per time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hocvuso.config import Settings
from hocvuso.delivery import audience
from hocvuso.delivery import payloads as a
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.delivery.quiet import is_quiet
from hocvuso.i18n import t
from hocvuso.learning import records
from hocvuso.scheduler import campaigns
from hocvuso.storage import tables
from hocvuso.storage.scheduling import DeliveryKind

L = tables.LEARNER
C = tables.REVIEW_CARD
Q = tables.QUIZ_ATTEMPT
D = tables.DELIVERY
STREAK_WINDOW_DAYS = 100
#: Someone active this recently is studying: no reminder now.
STUDYING = timedelta(hours=1)
PRIORITY = 0


@dataclass(frozen=True)
class Candidate:
    learner_id: int
    language: str
    timezone: str
    due: int
    sent_today: int
    last_answer: datetime | None
    last_reminder_day: str | None


async def due_candidates(
    connection: AsyncConnection, settings: Settings, now: datetime
) -> list[Candidate]:
    """Learners whose chosen hour has come today (not quiet, not capped, not paused)."""
    zones = await connection.execute(
        select(L.c.timezone).distinct().where(audience.reachable(settings.consent_version))
    )
    open_zones: dict[str, datetime] = {}
    for (zone,) in zones:
        local = now.astimezone(ZoneInfo(zone))
        if not is_quiet(local.hour, settings):
            open_zones[zone] = local
    if not open_zones:
        return []
    today = case(
        *((L.c.timezone == z, local.date().isoformat()) for z, local in open_zones.items())
    )
    hour_has_come = or_(
        *(
            and_(L.c.timezone == z, L.c.reminder_hour <= local.hour)
            for z, local in open_zones.items()
        )
    )
    sent_today = (
        select(func.count())
        .where(D.c.learner_id == L.c.id, D.c.kind == DeliveryKind.REMINDER, D.c.day == today)
        .scalar_subquery()
    )
    due = select(func.count()).where(C.c.learner_id == L.c.id, C.c.due <= now).scalar_subquery()
    last_answer = (
        select(func.max(Q.c.answered_at)).where(Q.c.learner_id == L.c.id).scalar_subquery()
    )
    last_reminder = (
        select(func.max(D.c.day))
        .where(D.c.learner_id == L.c.id, D.c.kind == DeliveryKind.REMINDER)
        .scalar_subquery()
    )
    rows = await connection.execute(
        select(
            L.c.id,
            L.c.language,
            L.c.timezone,
            due.label("due"),
            sent_today.label("sent_today"),
            last_answer.label("last_answer"),
            last_reminder.label("last_reminder_day"),
        ).where(
            audience.reachable(settings.consent_version),
            hour_has_come,
            or_(L.c.reminders_paused_until.is_(None), L.c.reminders_paused_until <= now),
            or_(L.c.last_active_at.is_(None), L.c.last_active_at < now - STUDYING),
            sent_today < settings.reminder_max_per_day,
        )
    )
    return [
        Candidate(
            row.id,
            row.language,
            row.timezone,
            int(row.due),
            int(row.sent_today),
            row.last_answer,
            row.last_reminder_day,
        )
        for row in rows
    ]


def wants_reminder(candidate: Candidate, now: datetime, nudge_days: int) -> bool:
    if candidate.due > 0:
        return True
    zone = ZoneInfo(candidate.timezone)
    today = now.astimezone(zone).date()
    if candidate.last_answer is not None and candidate.last_answer.astimezone(zone).date() == today:
        return False  # studied today, nothing due
    if candidate.last_reminder_day is None:
        return True
    return (today - date.fromisoformat(candidate.last_reminder_day)).days >= nudge_days


async def study_days(
    connection: AsyncConnection, learner_ids: list[int], zone: str, now: datetime
) -> dict[int, set[date]]:
    """Local study days of these learners (one grouped query; day numbers in the zone)."""
    offset = int((now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta()).total_seconds())
    day: ColumnElement[Any]
    if connection.dialect.name == "postgresql":
        day = func.floor((func.extract("epoch", Q.c.answered_at) + offset) / 86400)
    else:
        day = (cast(func.strftime("%s", Q.c.answered_at), Integer) + literal(offset)) / 86400
    days: dict[int, set[date]] = defaultdict(set)
    since = now - timedelta(days=STREAK_WINDOW_DAYS)
    epoch = date(1970, 1, 1)
    for start in range(0, len(learner_ids), 1000):
        chunk = learner_ids[start : start + 1000]
        rows = await connection.execute(
            select(Q.c.learner_id, day.label("day"))
            .where(Q.c.learner_id.in_(chunk), Q.c.answered_at >= since)
            .group_by(Q.c.learner_id, day)
        )
        for learner_id, number in rows:
            days[learner_id].add(epoch + timedelta(days=int(number)))
    return days


def reminder_text(language: str, due: int, streak: int) -> str:
    if due > 0:
        return t(language, "reminder-due", due=due, streak=streak)
    return t(language, "reminder-nudge", streak=streak)


def reminder_buttons(language: str) -> list[list[list[str]]]:
    return a.stored(
        [a.button(t(language, "reminder-learn"), a.LEARN)],
        [a.button(t(language, "reminder-pause"), a.SET_PAUSE)],
    )


async def deliver_due_reminders(database: AsyncEngine, settings: Settings, now: datetime) -> int:
    """Queue the reminders due at ``now``; returns how many were queued. Idempotent."""
    async with database.connect() as connection:
        candidates = await due_candidates(connection, settings, now)
        if not candidates:
            return 0
        peak = await campaigns.learners_in_peak(
            connection,
            now,
            [c.learner_id for c in candidates],
            settings.timezone,
            consent=settings.consent_version,
        )
        chosen = [
            c
            for c in candidates
            if wants_reminder(c, now, 1 if c.learner_id in peak else settings.reminder_nudge_days)
        ]
        by_zone: dict[str, list[int]] = defaultdict(list)
        for c in chosen:
            by_zone[c.timezone].append(c.learner_id)
        days: dict[int, set[date]] = {}
        for zone, ids in by_zone.items():
            days.update(await study_days(connection, ids, zone, now))
    rows = []
    for c in chosen:
        today = now.astimezone(ZoneInfo(c.timezone)).date()
        streak = records.streak_of(days.get(c.learner_id, set()), today)
        rows.append(
            {
                "key": f"reminder:{c.learner_id}:{today.isoformat()}:{c.sent_today}",
                "kind": DeliveryKind.REMINDER,
                "learner_id": c.learner_id,
                "priority": PRIORITY,
                "day": today.isoformat(),
                "text": reminder_text(c.language, c.due, streak),
                "buttons": reminder_buttons(c.language),
            }
        )
    return await DeliveryQueue(database, clock=lambda: now).enqueue(rows)
