"""Campaign storage and ``deliver_due_campaign_messages(now)``: queue today's campaign messages.

Each (campaign, message, day) is one ``broadcast`` row; each learner's copy is one delivery with
the key ``campaign:<id>:<message>:<day>:<learner>``, so running the sweep every minute queues each
message once. Learners are taken per time zone: the message goes out from its hour in their
local day, until quiet hours begin.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.delivery import audience as aud
from hocvuso.delivery import payloads as a
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.delivery.quiet import is_quiet
from hocvuso.i18n import t
from hocvuso.learning import course
from hocvuso.organising import audit
from hocvuso.organising.errors import Forbidden
from hocvuso.organising.permissions import Actor
from hocvuso.scheduler.campaigns import CampaignSpec, active
from hocvuso.storage import tables
from hocvuso.storage.scheduling import (
    BroadcastKind,
    CampaignStatus,
    DeliveryKind,
)
from hocvuso.storage.types import utcnow

L = tables.LEARNER
D = tables.DELIVERY
B = tables.BROADCAST
CAMPAIGNS = tables.CAMPAIGN
P = tables.LESSON_PROGRESS
CERT = tables.CERTIFICATE
PRIORITY = 1


class CampaignError(ValueError):
    pass


# --- the organiser's commands ------------------------------------------------------------------
async def create(database: AsyncEngine, spec: CampaignSpec, *, actor: Actor) -> int:
    """Start a campaign (admins: the audience may be anyone); audited."""
    if not actor.is_admin:
        raise Forbidden("forbidden-broadcast")
    async with database.begin() as connection:
        existing = await connection.execute(
            select(CAMPAIGNS.c.id).where(CAMPAIGNS.c.slug == spec.slug)
        )
        if existing.first() is not None:
            raise CampaignError(f"a campaign {spec.slug!r} already exists")
        now = utcnow()
        result = await connection.execute(
            CAMPAIGNS.insert()
            .values(
                slug=spec.slug,
                name=spec.name,
                milestone=spec.milestone,
                spec=spec.model_dump(mode="json", by_alias=True),
                status=CampaignStatus.ACTIVE,
                created_at=now,
                updated_at=now,
            )
            .returning(CAMPAIGNS.c.id)
        )
        campaign_id = int(result.scalar_one())
        await audit.record_by(
            connection,
            actor,
            "campaign.create",
            None,
            now,
            campaign=campaign_id,
        )
        return campaign_id


async def set_status(
    database: AsyncEngine, slug: str, status: CampaignStatus, *, actor: Actor
) -> None:
    """Pause, resume or cancel a campaign; audited."""
    if not actor.is_admin:
        raise Forbidden("forbidden-broadcast")
    async with database.begin() as connection:
        found = (
            await connection.execute(
                select(CAMPAIGNS.c.id, CAMPAIGNS.c.status).where(CAMPAIGNS.c.slug == slug)
            )
        ).first()
        if found is None:
            raise CampaignError(f"no campaign {slug!r}")
        if found.status == CampaignStatus.CANCELLED:
            raise CampaignError(f"campaign {slug!r} is cancelled")
        await connection.execute(
            update(CAMPAIGNS)
            .where(CAMPAIGNS.c.slug == slug)
            .values(status=status, updated_at=utcnow())
        )
        if status == CampaignStatus.CANCELLED:  # what was queued and not sent never goes out
            ids = select(B.c.id).join(CAMPAIGNS).where(CAMPAIGNS.c.slug == slug)
            await connection.execute(
                update(D)
                .where(D.c.broadcast_id.in_(ids), D.c.state == "pending")
                .values(state="skipped")
            )
        await audit.record_by(
            connection,
            actor,
            f"campaign.{status}",
            None,
            utcnow(),
            campaign=found.id,
        )


async def listing(database: AsyncEngine) -> list[Any]:
    async with database.connect() as connection:
        sent = (
            select(func.count())
            .select_from(D.join(B, D.c.broadcast_id == B.c.id))
            .where(B.c.campaign_id == CAMPAIGNS.c.id, D.c.state == "sent")
            .scalar_subquery()
        )
        rows = await connection.execute(
            select(
                CAMPAIGNS.c.id,
                CAMPAIGNS.c.slug,
                CAMPAIGNS.c.name,
                CAMPAIGNS.c.milestone,
                CAMPAIGNS.c.status,
                sent.label("sent"),
            ).order_by(CAMPAIGNS.c.milestone)
        )
        return list(rows)


# --- the sweep ----------------------------------------------------------------------------------
async def _broadcast_id(
    connection: AsyncConnection, campaign_id: int, occurrence: str, spec: CampaignSpec, index: int
) -> int:
    await connection.execute(
        tables.insert_ignore(connection, B, "campaign_id", "occurrence").values(
            kind=BroadcastKind.CAMPAIGN,
            campaign_id=campaign_id,
            occurrence=occurrence,
            text=spec.messages[index].text["vi"],
            audience=spec.audience,
            created_at=utcnow(),
        )
    )
    found = await connection.execute(
        select(B.c.id).where(B.c.campaign_id == campaign_id, B.c.occurrence == occurrence)
    )
    return int(found.scalar_one())


async def _unit_progress(
    connection: AsyncConnection, units: set[str], level: int, consent: str
) -> dict[str, int]:
    """Percent of each unit's reachable learners certified at ``level`` or above."""
    if not units:
        return {}
    certified = exists().where(CERT.c.learner_id == L.c.id, CERT.c.level >= level)
    rows = await connection.execute(
        select(
            L.c.unit_code,
            func.count(),
            func.count().filter(certified),
        )
        .where(aud.reachable(consent), L.c.unit_code.in_(units))
        .group_by(L.c.unit_code)
    )
    return {unit: round(100 * int(done) / int(total)) for unit, total, done in rows if total}


async def _finished(connection: AsyncConnection, learner_ids: list[int]) -> dict[int, set[str]]:
    finished: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(learner_ids), 1000):
        rows = await connection.execute(
            select(P.c.learner_id, P.c.lesson_id).where(
                P.c.learner_id.in_(learner_ids[start : start + 1000]),
                P.c.status.in_(("done", "placed_out")),
            )
        )
        for learner_id, lesson_id in rows:
            finished[learner_id].add(lesson_id)
    return finished


async def deliver_due_campaign_messages(
    database: AsyncEngine, settings: Settings, pack: Pack | None, now: datetime
) -> int:
    """Queue the campaign messages due at ``now``; returns how many were queued. Idempotent."""
    rows: list[dict[str, Any]] = []
    consent = settings.consent_version
    async with database.begin() as connection:
        zones = [
            z
            for (z,) in await connection.execute(
                select(L.c.timezone).distinct().where(aud.reachable(consent))
            )
        ]
        for campaign_id, spec in await active(connection):
            for zone in zones:
                local = now.astimezone(ZoneInfo(zone))
                if is_quiet(local.hour, settings):
                    continue
                day = local.date()
                for index in spec.occurrences(day):
                    if spec.hour_of(spec.messages[index]) > local.hour:
                        continue
                    occurrence = f"{index}:{day.isoformat()}"
                    broadcast_id = await _broadcast_id(
                        connection, campaign_id, occurrence, spec, index
                    )
                    rows += await _render(
                        connection, spec, campaign_id, broadcast_id, index, zone, now, pack, consent
                    )
    return await DeliveryQueue(database, clock=lambda: now).enqueue(rows)


async def _render(
    connection: AsyncConnection,
    spec: CampaignSpec,
    campaign_id: int,
    broadcast_id: int,
    index: int,
    zone: str,
    now: datetime,
    pack: Pack | None,
    consent: str,
) -> list[dict[str, Any]]:
    day = now.astimezone(ZoneInfo(zone)).date()
    queued = exists().where(
        D.c.learner_id == L.c.id,
        D.c.kind == DeliveryKind.CAMPAIGN,
        D.c.day == day.isoformat(),
        D.c.broadcast_id == broadcast_id,
    )
    learners = (
        await connection.execute(
            select(L.c.id, L.c.language, L.c.level, L.c.role, L.c.unit_code).where(
                aud.where(spec.audience, consent),
                L.c.timezone == zone,
                (L.c.reminders_paused_until.is_(None)) | (L.c.reminders_paused_until <= now),
                ~queued,
            )
        )
    ).all()
    if not learners:
        return []
    units = {r.unit_code for r in learners if r.unit_code}
    unit_progress = await _unit_progress(connection, units, spec.target.level, consent)
    finished = await _finished(connection, [r.id for r in learners]) if pack else {}
    message = spec.messages[index]
    rows = []
    for learner in learners:
        mine = 0
        if pack is not None:
            progress = course.path_progress(
                pack, learner.level, learner.role or "other", finished.get(learner.id, set())
            )
            mine = round(100 * progress.ratio)
        values = {
            "days_left": max(0, (spec.milestone - day).days),
            "milestone": spec.milestone.strftime("%d/%m/%Y"),
            "name": spec.name,
            "target_level": spec.target.level,
            "level": learner.level,
            "my_progress": mine,
            "unit_progress": unit_progress.get(learner.unit_code or "", 0),
        }
        buttons = a.stored([a.button(t(learner.language, "campaign-learn"), a.LEARN)])
        rows.append(
            {
                "key": f"campaign:{campaign_id}:{index}:{day.isoformat()}:{learner.id}",
                "kind": DeliveryKind.CAMPAIGN,
                "broadcast_id": broadcast_id,
                "learner_id": learner.id,
                "priority": PRIORITY,
                "day": day.isoformat(),
                "text": spec.render(index, learner.language, values),
                "buttons": buttons if message.button else [],
            }
        )
    return rows
