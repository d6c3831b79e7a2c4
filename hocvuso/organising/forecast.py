"""When will a unit reach its target at the current pace? A pure function of the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Outlook(StrEnum):
    REACHED = "reached"  # the target is met already
    ON_TRACK = "on_track"  # reached on ``when``, by the deadline
    LATE = "late"  # "không kịp": at this pace ``when`` falls after the deadline
    NO_ACTIVITY = "no_activity"  # "không kịp": nobody certified lately, no date can be given


@dataclass(frozen=True)
class Target:
    level: int = 1
    percent: int = 100
    deadline: date = date(2026, 12, 31)
    #: The pace is the number certified in this many days before today.
    pace_days: int = 28

    def needed(self, joined: int) -> int:
        """How many of ``joined`` must be certified to meet the target."""
        return -(-joined * self.percent // 100)  # rounded up, in integers


@dataclass(frozen=True)
class Forecast:
    outlook: Outlook
    when: date | None = None

    @property
    def in_time(self) -> bool:
        return self.outlook in {Outlook.REACHED, Outlook.ON_TRACK}


def forecast(joined: int, certified: int, recent: int, target: Target, today: date) -> Forecast:
    """``recent`` learners were certified in the last ``target.pace_days`` days.

    A pace so slow that the day falls beyond the calendar (after 9999) gives ``date.max``.
    """
    missing = target.needed(joined) - certified
    if joined and missing <= 0:
        return Forecast(Outlook.REACHED)
    if recent <= 0 or not joined:
        return Forecast(Outlook.NO_ACTIVITY)
    days = -(-missing * target.pace_days // recent)  # rounded up, in integers
    try:
        when = today + timedelta(days=days)
    except OverflowError:
        when = date.max
    return Forecast(Outlook.ON_TRACK if when <= target.deadline else Outlook.LATE, when)
