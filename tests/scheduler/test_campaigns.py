"""Campaigns: the schedule placed relative to the milestone, the example files, and the sweep that
queues each message once, in each learner's local day, filled in with their progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.organising.permissions import CLI
from hocvuso.scheduler import campaign_sweep, campaigns
from hocvuso.scheduler.campaigns import CampaignSpec, parse_offset
from hocvuso.scheduler.reminders import deliver_due_reminders
from hocvuso.storage.scheduling import CampaignStatus
from tests.factories import OLD_TERMS, TERMS, deliveries, insert_learner, plain, set_terms

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "campaigns"
MESSAGES = [
    {"at": "30 days before", "text": "Còn {days_left} ngày đến {milestone}."},
    {"every": "monday", "from": "60 days before", "text": "Thứ Hai: còn {days_left} ngày."},
    {"at": "on the day", "text": "Hôm nay là hạn."},
    {"at": "3 days after", "text": "Cảm ơn.", "button": False},
]


def spec(**changes: object) -> CampaignSpec:
    data: dict[str, object] = {
        "slug": "ky-nang-so-2026",
        "name": "100% đạt chuẩn kỹ năng số",
        "milestone": "2026-12-31",
        "messages": MESSAGES,
        **changes,
    }
    return CampaignSpec.model_validate(data)


def test_offsets_are_read_relative_to_the_milestone() -> None:
    assert parse_offset("30 days before") == -30
    assert parse_offset("on the day") == 0
    assert parse_offset("3 days after") == 3
    assert parse_offset("2 weeks before") == -14
    with pytest.raises(ValueError, match="N days before"):
        parse_offset("next tuesday")


def test_messages_are_placed_like_rapidpro_campaign_events() -> None:
    schedule = spec().schedule()
    assert (date(2026, 12, 1), 0) in schedule  # 30 days before 31/12
    assert (date(2026, 12, 31), 2) in schedule  # on the day
    assert (date(2027, 1, 3), 3) in schedule  # 3 days after
    mondays = [day for day, index in schedule if index == 1]
    # 60 days before is Sunday 1/11/2026: every Monday from then until the milestone.
    assert mondays[0] == date(2026, 11, 2) and mondays[-1] == date(2026, 12, 28)
    assert all(day.weekday() == 0 for day in mondays) and len(mondays) == 9


def test_the_peak_runs_from_its_offset_to_the_milestone() -> None:
    campaign = spec(peak="14 days before")
    assert not campaign.in_peak(date(2026, 12, 16))
    assert campaign.in_peak(date(2026, 12, 17)) and campaign.in_peak(date(2026, 12, 31))
    assert not campaign.in_peak(date(2027, 1, 1))


def test_a_campaign_file_with_mistakes_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="unknown fields"):
        spec(messages=[{"at": "on the day", "text": "Còn {days_lft} ngày"}])
    with pytest.raises(ValidationError, match="'every' needs 'from'"):
        spec(messages=[{"every": "monday", "text": "x"}])
    with pytest.raises(ValidationError, match="unknown roles"):
        spec(audience={"roles": ["minister"]})


@pytest.mark.parametrize("name", ["ky-nang-so-2026.yaml", "quoc-hoi-80-nam.yaml"])
def test_the_example_campaigns_are_valid(name: str) -> None:
    campaign = campaigns.load(EXAMPLES / name)
    assert campaign.schedule()


def test_the_national_assembly_example_lands_on_the_anniversary() -> None:
    campaign = campaigns.load(EXAMPLES / "quoc-hoi-80-nam.yaml")
    assert campaign.milestone == date(2026, 1, 6)  # first general election: 6/1/1946
    assert (date(2026, 1, 6), 1) in campaign.schedule()


# --- the sweep (on SQLite and PostgreSQL) -------------------------------------------------------
# 09:00 in Hà Nội on Tuesday 1/12/2026, the day of "30 days before".
NINE_AM = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


async def test_a_campaign_message_is_queued_once_from_its_hour_in_local_time(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    learner = await insert_learner(database, unit_code="HN-01")
    berlin = await insert_learner(database, unit_code="HN-01", timezone="Europe/Berlin")
    await campaign_sweep.create(database, spec(), actor=CLI)

    early = NINE_AM - timedelta(minutes=1)
    assert (
        await campaign_sweep.deliver_due_campaign_messages(
            database, scheduler_settings, pack, early
        )
        == 0
    )
    for minutes in (0, 1, 30, 300):
        await campaign_sweep.deliver_due_campaign_messages(
            database, scheduler_settings, pack, NINE_AM + timedelta(minutes=minutes)
        )
    [message] = await deliveries(database, kind="campaign")
    assert message.learner_id == learner
    assert plain(message.text) == "Còn 30 ngày đến 31/12/2026."
    assert message.buttons[0][0][1] == "lr::"

    # 09:00 in Berlin is 08:00 UTC the same day.
    await campaign_sweep.deliver_due_campaign_messages(
        database, scheduler_settings, pack, datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    )
    assert [d.learner_id for d in await deliveries(database, kind="campaign")] == [learner, berlin]


async def test_a_missed_day_is_not_replayed_and_quiet_hours_hold(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    await insert_learner(database)
    await campaign_sweep.create(database, spec(), actor=CLI)
    for moment in (NINE_AM + timedelta(hours=12), NINE_AM + timedelta(days=1)):  # 21:00; next day
        assert (
            await campaign_sweep.deliver_due_campaign_messages(
                database, scheduler_settings, pack, moment
            )
            == 0
        )


async def test_templates_fill_in_the_learners_and_the_units_progress(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    await insert_learner(database, unit_code="HN-01", language="en")
    text = {
        "vi": "x",
        "en": "{name}: {days_left} days, level {level}, me {my_progress}%, unit {unit_progress}%",
    }
    await campaign_sweep.create(
        database, spec(messages=[{"at": "30 days before", "text": text}]), actor=CLI
    )
    await campaign_sweep.deliver_due_campaign_messages(database, scheduler_settings, pack, NINE_AM)
    [message] = await deliveries(database, kind="campaign")
    assert message.text == "100% đạt chuẩn kỹ năng số: 30 days, level 1, me 0%, unit 0%"


async def test_the_audience_limits_who_gets_campaign_messages(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    deputy = await insert_learner(database, role="deputy", unit_code="QH-01")
    await insert_learner(database, role="deputy", unit_code="HN-01")
    await insert_learner(database, role="council", unit_code="QH-02")
    await campaign_sweep.create(
        database, spec(audience={"roles": ["deputy"], "units": ["QH-*"]}), actor=CLI
    )
    await campaign_sweep.deliver_due_campaign_messages(database, scheduler_settings, pack, NINE_AM)
    assert [d.learner_id for d in await deliveries(database, kind="campaign")] == [deputy]


async def test_a_campaign_for_a_unit_tree_reaches_every_unit_below_it(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    from hocvuso.storage import db
    from tests.factories import add_units

    await add_units(
        db.make_sessionmaker(database),
        ("TINH", "Tỉnh", None),
        ("TINH-HDND", "HĐND tỉnh", "TINH"),
        ("XA-01", "HĐND xã Một", "TINH-HDND"),
        ("KHAC", "Tỉnh khác", None),
    )
    reached = {
        await insert_learner(database, unit_code="TINH"),
        await insert_learner(database, unit_code="XA-01"),
    }
    await insert_learner(database, unit_code="KHAC")
    await insert_learner(database, unit_code=None)
    await campaign_sweep.create(database, spec(audience={"trees": ["TINH"]}), actor=CLI)
    await campaign_sweep.deliver_due_campaign_messages(database, scheduler_settings, pack, NINE_AM)
    assert {d.learner_id for d in await deliveries(database, kind="campaign")} == reached


async def test_paused_and_cancelled_campaigns_send_nothing(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    await insert_learner(database)
    await campaign_sweep.create(database, spec(), actor=CLI)
    await campaign_sweep.set_status(database, "ky-nang-so-2026", CampaignStatus.PAUSED, actor=CLI)
    assert (
        await campaign_sweep.deliver_due_campaign_messages(
            database, scheduler_settings, pack, NINE_AM
        )
        == 0
    )
    await campaign_sweep.set_status(database, "ky-nang-so-2026", CampaignStatus.ACTIVE, actor=CLI)
    assert (
        await campaign_sweep.deliver_due_campaign_messages(
            database, scheduler_settings, pack, NINE_AM
        )
        == 1
    )
    await campaign_sweep.set_status(
        database, "ky-nang-so-2026", CampaignStatus.CANCELLED, actor=CLI
    )
    assert [d.state for d in await deliveries(database, kind="campaign")] == ["skipped"]
    with pytest.raises(campaign_sweep.CampaignError, match="cancelled"):
        await campaign_sweep.set_status(
            database, "ky-nang-so-2026", CampaignStatus.ACTIVE, actor=CLI
        )


async def test_creating_the_same_campaign_twice_is_refused(database: AsyncEngine) -> None:
    await campaign_sweep.create(database, spec(), actor=CLI)
    with pytest.raises(campaign_sweep.CampaignError, match="already exists"):
        await campaign_sweep.create(database, spec(), actor=CLI)


async def test_during_the_peak_idle_learners_are_nudged_daily(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    inside = await insert_learner(database, role="deputy")
    outside = await insert_learner(database, role="council")
    await campaign_sweep.create(
        database, spec(peak="14 days before", audience={"roles": ["deputy"]}), actor=CLI
    )
    seven_pm = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)  # in the peak
    for day in range(3):
        await deliver_due_reminders(database, scheduler_settings, seven_pm + timedelta(days=day))
    assert len(await deliveries(database, learner_id=inside)) == 3
    assert len(await deliveries(database, learner_id=outside)) == 2


async def test_no_campaign_message_for_a_learner_who_declined_the_updated_terms_until_they_accept(
    database: AsyncEngine, scheduler_settings: Settings, pack: Pack
) -> None:
    agreed = await insert_learner(database, unit_code="HN-01")
    declined = await insert_learner(database, unit_code="HN-01", consent_version=OLD_TERMS)
    await campaign_sweep.create(database, spec(), actor=CLI)
    await campaign_sweep.deliver_due_campaign_messages(database, scheduler_settings, pack, NINE_AM)
    assert [d.learner_id for d in await deliveries(database, kind="campaign")] == [agreed]

    await set_terms(database, declined, TERMS)
    await campaign_sweep.deliver_due_campaign_messages(
        database, scheduler_settings, pack, NINE_AM + timedelta(minutes=5)
    )
    assert {d.learner_id for d in await deliveries(database, kind="campaign")} == {
        agreed,
        declined,
    }
