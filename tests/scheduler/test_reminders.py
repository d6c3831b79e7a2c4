"""Reminders, as a plain function of "now": chosen hour, quiet hours, time zones, pause, the daily
cap, nudges and streaks counted in the learner's local days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.scheduler.reminders import deliver_due_reminders
from tests.factories import (
    LEARNER,
    OLD_TERMS,
    TERMS,
    add_answers,
    add_cards,
    deliveries,
    insert_learner,
    plain,
    set_terms,
)

# 19:00 in Hà Nội (UTC+7) on Monday 23/11/2026.
SEVEN_PM = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EARLIER = SEVEN_PM - timedelta(days=3)


async def test_a_reminder_is_queued_from_the_chosen_local_hour_with_a_learn_button(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database, reminder_hour=19)
    await add_cards(database, learner, EARLIER, EARLIER, SEVEN_PM + timedelta(days=2))

    assert (
        await deliver_due_reminders(database, scheduler_settings, SEVEN_PM - timedelta(minutes=1))
        == 0
    )
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 1

    [reminder] = await deliveries(database, learner_id=learner)
    assert reminder.kind == "reminder" and reminder.day == "2026-11-23"
    assert "2 câu ôn tập đến hạn" in plain(reminder.text)
    assert reminder.buttons[0][0][1] == "lr::"  # starts a session like /learn
    assert reminder.buttons[1][0][1] == "sp::"  # "tạm nghỉ"


async def test_at_most_one_reminder_a_local_day_however_often_the_sweep_runs(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database, reminder_hour=19)
    await add_cards(database, learner, EARLIER)
    for minutes in range(0, 120, 7):
        await deliver_due_reminders(
            database, scheduler_settings, SEVEN_PM + timedelta(minutes=minutes)
        )
    assert len(await deliveries(database, learner_id=learner)) == 1

    await deliver_due_reminders(database, scheduler_settings, SEVEN_PM + timedelta(days=1))
    assert [d.day for d in await deliveries(database, learner_id=learner)] == [
        "2026-11-23",
        "2026-11-24",
    ]


async def test_the_daily_cap_is_configurable(database: AsyncEngine, database_url: str) -> None:
    settings = Settings(database_url=database_url, reminder_max_per_day=2, _env_file=None)  # type: ignore[call-arg]
    learner = await insert_learner(database, reminder_hour=19)
    await add_cards(database, learner, EARLIER)
    for minutes in (0, 30, 60):
        await deliver_due_reminders(database, settings, SEVEN_PM + timedelta(minutes=minutes))
    assert len(await deliveries(database, learner_id=learner)) == 2


async def test_nothing_is_sent_in_quiet_hours_even_after_downtime(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    late = await insert_learner(database, reminder_hour=20)
    await add_cards(database, late, EARLIER)
    nine_pm = SEVEN_PM + timedelta(hours=2)
    for moment in (nine_pm, nine_pm + timedelta(hours=5), SEVEN_PM - timedelta(hours=13)):  # 06:00
        assert await deliver_due_reminders(database, scheduler_settings, moment) == 0
    # The next evening the reminder comes at 20:00 as chosen.
    assert (
        await deliver_due_reminders(database, scheduler_settings, nine_pm + timedelta(hours=23))
        == 1
    )


async def test_each_learner_is_reminded_in_their_own_time_zone(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    hanoi = await insert_learner(database, reminder_hour=19)
    berlin = await insert_learner(database, reminder_hour=19, timezone="Europe/Berlin")  # UTC+1
    for learner in (hanoi, berlin):
        await add_cards(database, learner, EARLIER)

    await deliver_due_reminders(database, scheduler_settings, SEVEN_PM)
    assert [d.learner_id for d in await deliveries(database)] == [hanoi]

    await deliver_due_reminders(
        database, scheduler_settings, datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    )
    assert [d.learner_id for d in await deliveries(database)] == [hanoi, berlin]


async def test_paused_learners_get_no_reminder_until_the_pause_ends(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    paused = await insert_learner(
        database, reminder_hour=19, reminders_paused_until=SEVEN_PM + timedelta(days=2)
    )
    await add_cards(database, paused, EARLIER)
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 0
    assert (
        await deliver_due_reminders(database, scheduler_settings, SEVEN_PM + timedelta(days=1)) == 0
    )
    assert (
        await deliver_due_reminders(database, scheduler_settings, SEVEN_PM + timedelta(days=2)) == 1
    )


async def test_blocked_erased_and_chatless_learners_are_never_reminded(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    blocked = await insert_learner(database, status="blocked")
    erased = await insert_learner(database, status="erased", chat_id=None, consent_at=None)
    for learner in (blocked, erased):
        await add_cards(database, learner, EARLIER)
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 0


async def test_someone_studying_right_now_is_not_interrupted(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database, last_active_at=SEVEN_PM - timedelta(minutes=10))
    await add_cards(database, learner, EARLIER)
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 0
    assert (
        await deliver_due_reminders(database, scheduler_settings, SEVEN_PM + timedelta(hours=1))
        == 1
    )


async def test_with_nothing_due_a_learner_who_studied_today_is_left_alone(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    await add_answers(database, learner, SEVEN_PM - timedelta(hours=10))  # 09:00 local today
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 0


async def test_with_nothing_due_idle_learners_are_nudged_every_other_day(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    for day in range(5):
        await deliver_due_reminders(database, scheduler_settings, SEVEN_PM + timedelta(days=day))
    reminders = await deliveries(database, learner_id=learner)
    assert [r.day for r in reminders] == ["2026-11-23", "2026-11-25", "2026-11-27"]
    assert "Đã đến giờ học" in plain(reminders[0].text)


async def test_streak_is_counted_in_the_learners_local_days(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    # 23:30 in Hà Nội on the three days before (16:30 UTC): three local days, one streak.
    late_evenings = [SEVEN_PM - timedelta(days=n, hours=-4, minutes=-30) for n in (1, 2, 3)]
    await add_answers(database, learner, *late_evenings)
    await add_cards(database, learner, EARLIER)
    await deliver_due_reminders(database, scheduler_settings, SEVEN_PM)
    [reminder] = await deliveries(database, learner_id=learner)
    assert "1 câu ôn tập đến hạn · chuỗi 3 ngày" in plain(reminder.text)


async def test_a_learner_in_english_gets_the_reminder_in_english(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database, language="en")
    await add_cards(database, learner, EARLIER, EARLIER, EARLIER)
    await deliver_due_reminders(database, scheduler_settings, SEVEN_PM)
    [reminder] = await deliveries(database, learner_id=learner)
    assert "3 review questions due" in plain(reminder.text)
    assert reminder.buttons[0][0][0] == "▶️ Learn now"


async def test_the_pause_ending_is_respected_after_resume(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database, reminders_paused_until=SEVEN_PM + timedelta(days=9))
    await add_cards(database, learner, EARLIER)
    async with database.begin() as connection:
        await connection.execute(
            update(LEARNER).where(LEARNER.c.id == learner).values(reminders_paused_until=None)
        )
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 1


async def test_no_reminder_for_a_learner_who_declined_the_updated_terms_until_they_accept(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database, reminder_hour=19, consent_version=OLD_TERMS)
    await add_cards(database, learner, EARLIER)
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 0
    assert await deliveries(database, learner_id=learner) == []

    await set_terms(database, learner, TERMS)
    assert await deliver_due_reminders(database, scheduler_settings, SEVEN_PM) == 1
    assert [d.kind for d in await deliveries(database, learner_id=learner)] == ["reminder"]
