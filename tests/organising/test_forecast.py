"""The forecast: a pure function of joined, certified, the recent pace, the target and today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hocvuso.organising.forecast import Forecast, Outlook, Target, forecast

TODAY = date(2026, 11, 23)
TARGET = Target(level=1, percent=100, deadline=date(2026, 12, 31), pace_days=28)


def test_a_unit_at_its_target_has_reached_it_and_gives_no_date() -> None:
    assert forecast(20, 20, 0, TARGET, TODAY) == Forecast(Outlook.REACHED)
    assert forecast(20, 20, 0, TARGET, TODAY).in_time


def test_the_target_percent_is_rounded_up_to_whole_people() -> None:
    """75% of 7 learners is 5.25: 6 people are needed, 5 are not enough."""
    target = Target(percent=75)

    assert forecast(7, 6, 0, target, TODAY).outlook == Outlook.REACHED
    assert forecast(7, 5, 0, target, TODAY).outlook == Outlook.NO_ACTIVITY
    assert target.needed(7) == 6 and target.needed(8) == 6 and target.needed(9) == 7


def test_reached_stays_reached_after_the_deadline() -> None:
    assert forecast(10, 10, 0, TARGET, date(2027, 3, 1)) == Forecast(Outlook.REACHED)


def test_on_track_gives_the_day_the_missing_are_certified_at_the_current_pace() -> None:
    """10 missing, 14 certified in the last 28 days (one every 2 days): 20 days from today."""
    result = forecast(20, 10, 14, TARGET, TODAY)

    assert result == Forecast(Outlook.ON_TRACK, date(2026, 12, 13))
    assert result.in_time


def test_a_part_day_counts_as_a_whole_day() -> None:
    """1 missing at 3 per 28 days takes 9⅓ days: the 10th day."""
    assert forecast(10, 9, 3, TARGET, TODAY) == Forecast(Outlook.ON_TRACK, date(2026, 12, 3))


def test_reaching_the_target_on_the_deadline_itself_is_in_time() -> None:
    """38 days to 31/12: 19 missing at 14 per 28 days is 38 days; 20 missing is 40."""
    assert forecast(40, 21, 14, TARGET, TODAY) == Forecast(Outlook.ON_TRACK, date(2026, 12, 31))
    assert forecast(40, 20, 14, TARGET, TODAY) == Forecast(Outlook.LATE, date(2027, 1, 2))


def test_late_gives_the_day_after_the_deadline_that_the_pace_would_reach() -> None:
    """90 missing at 7 per 28 days: 360 days, far past the deadline."""
    result = forecast(100, 10, 7, TARGET, TODAY)

    assert result == Forecast(Outlook.LATE, TODAY + timedelta(days=360))
    assert not result.in_time


def test_past_the_deadline_and_short_of_the_target_is_late() -> None:
    """5 missing at 5 per 28 days, counted from 10/01/2027: 07/02/2027."""
    result = forecast(10, 5, 5, TARGET, date(2027, 1, 10))

    assert result == Forecast(Outlook.LATE, date(2027, 2, 7))


def test_nobody_certified_within_the_pace_means_no_activity_and_no_date() -> None:
    result = forecast(50, 30, 0, TARGET, TODAY)

    assert result == Forecast(Outlook.NO_ACTIVITY, None)
    assert not result.in_time


@pytest.mark.parametrize("recent", [0, 3])
def test_a_unit_nobody_joined_has_no_activity_not_reached(recent: int) -> None:
    """Zero learners: the target is not "met" by nobody, and no date can be given."""
    assert forecast(0, 0, recent, TARGET, TODAY) == Forecast(Outlook.NO_ACTIVITY, None)


def test_the_pace_window_sets_the_speed() -> None:
    """The same 7 recent certificates over 7 days instead of 28 are four times the pace."""
    weekly = Target(deadline=TARGET.deadline, pace_days=7)

    assert forecast(20, 10, 7, weekly, TODAY) == Forecast(Outlook.ON_TRACK, date(2026, 12, 3))
    assert forecast(20, 10, 7, TARGET, TODAY) == Forecast(Outlook.LATE, date(2027, 1, 2))


def test_a_pace_too_slow_for_the_calendar_is_late_on_the_last_day_not_an_error() -> None:
    """500,000 missing at 1 per 28 days is 14 million days: after the year 9999."""
    result = forecast(1_000_000, 500_000, 1, TARGET, TODAY)

    assert result == Forecast(Outlook.LATE, date.max)


# --- properties -----------------------------------------------------------------------------------
@st.composite
def figures(draw: st.DrawFn) -> tuple[int, int, int, Target, date]:
    joined = draw(st.integers(0, 100_000))
    target = Target(
        level=draw(st.integers(1, 4)),
        percent=draw(st.integers(1, 100)),
        deadline=draw(st.dates(date(2026, 1, 1), date(2028, 12, 31))),
        pace_days=draw(st.integers(1, 90)),
    )
    # Often right at the target or one short of it, where the outlook turns.
    needed = min(joined, -(-joined * target.percent // 100))
    near = st.sampled_from(sorted({max(0, needed - 1), needed}))
    certified = draw(st.integers(0, joined) | near)
    recent = draw(st.integers(0, certified))
    today = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    return joined, certified, recent, target, today


@given(figures(), st.integers(1, 1000))
def test_more_recent_certificates_never_make_the_date_later(
    case: tuple[int, int, int, Target, date], more: int
) -> None:
    joined, certified, recent, target, today = case
    before = forecast(joined, certified, recent, target, today)
    after = forecast(joined, certified, recent + more, target, today)

    assert after.outlook == before.outlook or (before.outlook, after.outlook) in {
        (Outlook.NO_ACTIVITY, Outlook.ON_TRACK),
        (Outlook.NO_ACTIVITY, Outlook.LATE),
        (Outlook.LATE, Outlook.ON_TRACK),
    }
    if before.when is not None:
        assert after.when is not None and after.when <= before.when


@given(figures())
def test_the_date_is_the_first_day_the_pace_reaches_the_target(
    case: tuple[int, int, int, Target, date],
) -> None:
    """At ``recent`` per ``pace_days``, the count reaches the target on ``when`` and not before."""
    joined, certified, recent, target, today = case
    result = forecast(joined, certified, recent, target, today)
    needed = -(-joined * target.percent // 100)

    if joined and certified >= needed:
        assert result == Forecast(Outlook.REACHED)
    elif not joined or not recent:
        assert result == Forecast(Outlook.NO_ACTIVITY)
    else:
        assert result.when is not None
        days = (result.when - today).days
        # certified + recent × days / pace_days ≥ needed, in integers; not so the day before.
        assert certified * target.pace_days + recent * (days - 1) < needed * target.pace_days
        if result.when != date.max:  # the last day of the calendar: reached then or later
            assert certified * target.pace_days + recent * days >= needed * target.pace_days
        on_time = result.when <= target.deadline
        assert result.outlook == (Outlook.ON_TRACK if on_time else Outlook.LATE)
        assert result.in_time == on_time


@given(figures(), st.integers(1, 1000))
def test_more_certified_never_makes_the_outlook_worse(
    case: tuple[int, int, int, Target, date], more: int
) -> None:
    joined, certified, recent, target, today = case
    joined += more
    rank = {Outlook.NO_ACTIVITY: 0, Outlook.LATE: 1, Outlook.ON_TRACK: 2, Outlook.REACHED: 3}
    before = forecast(joined, certified, recent, target, today)
    after = forecast(joined, certified + more, recent, target, today)

    assert rank[after.outlook] >= rank[before.outlook]
    if before.when is not None and after.when is not None:
        assert after.when <= before.when
