"""Campaigns: the active ones, and who is in a campaign's peak today.

The definition (YAML, validation, the schedule relative to the milestone) is
:mod:`hocvuso.delivery.campaign_spec`; its names are re-exported here.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hocvuso.delivery import audience as aud
from hocvuso.delivery.campaign_spec import (
    FIELDS,
    WEEKDAYS,
    CampaignSpec,
    Message,
    Target,
    load,
    parse_offset,
    spec_of,
)
from hocvuso.storage import tables
from hocvuso.storage.scheduling import CampaignStatus

L = tables.LEARNER
CAMPAIGNS = tables.CAMPAIGN

__all__ = [
    "FIELDS",
    "WEEKDAYS",
    "CampaignSpec",
    "Message",
    "Target",
    "active",
    "learners_in_peak",
    "load",
    "parse_offset",
    "spec_of",
]


async def active(connection: AsyncConnection) -> list[tuple[int, CampaignSpec]]:
    rows = await connection.execute(
        select(CAMPAIGNS.c.id, CAMPAIGNS.c.spec).where(CAMPAIGNS.c.status == CampaignStatus.ACTIVE)
    )
    return [(row.id, spec_of(row.spec)) for row in rows]


async def learners_in_peak(
    connection: AsyncConnection,
    now: datetime,
    learner_ids: list[int],
    zone: str | None = None,
    *,
    consent: str,
) -> set[int]:
    """Which of these learners belong to a campaign that is in its peak today."""
    found: set[int] = set()
    for _, spec in await active(connection):
        today = now.astimezone(ZoneInfo(zone or "Asia/Ho_Chi_Minh")).date()
        if not spec.in_peak(today):
            continue
        for start in range(0, len(learner_ids), 1000):
            rows = await connection.execute(
                select(L.c.id).where(
                    aud.where(spec.audience, consent), L.c.id.in_(learner_ids[start : start + 1000])
                )
            )
            found.update(row.id for row in rows)
    return found
