"""Quiet hours: no reminder, campaign message, nudge or notice reaches anyone in their night.

One rule for every sender (reminders, campaigns, person-to-person messages, broadcast progress),
in the recipient's own time zone (``HOCVUSO_QUIET_HOURS_START``/``_END``, default 21–07).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hocvuso.config import Settings


def is_quiet(hour: int, settings: Settings) -> bool:
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


def not_before(now: datetime, timezone: str, settings: Settings) -> datetime:
    """``now``, or the end of the recipient's quiet hours if they are in them."""
    local = now.astimezone(ZoneInfo(timezone))
    if not is_quiet(local.hour, settings):
        return now
    wake = local.replace(hour=settings.quiet_hours_end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(now.tzinfo)
