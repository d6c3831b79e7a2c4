"""Retention (issue 11, item 5): texts of finished messages are blanked, finished messages and
announcements deleted, answered updates and old invitations forgotten, by the scheduler's
hourly job, in batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.delivery import retention
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.scheduler.service import RETENTION_SECONDS, SchedulerService
from hocvuso.storage.scheduling import DeliveryState
from tests.factories import deliveries, insert_delivery, insert_learner, insert_rows, rows_of

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HEALTH = "Chị Lan nằm viện tuần này"


async def test_texts_of_finished_messages_are_blanked_a_day_after_and_the_rows_deleted_later(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    day_old = NOW - timedelta(hours=25)
    sent = await insert_delivery(database, learner, state="sent", created_at=day_old)
    blocked = await insert_delivery(database, learner, state="blocked", created_at=day_old)
    fresh = await insert_delivery(database, learner, state="sent", created_at=NOW)
    waiting = await insert_delivery(database, learner, state="pending", created_at=day_old)
    dead = await insert_delivery(database, learner, state="dead", created_at=day_old)
    old = await insert_delivery(
        database, learner, state="sent", created_at=NOW - timedelta(days=91)
    )
    old_pending = await insert_delivery(
        database, learner, state="pending", created_at=NOW - timedelta(days=91)
    )

    swept = await retention.sweep(database, scheduler_settings, NOW)

    rows = {d.id: d for d in await deliveries(database)}
    assert (rows[sent].text, rows[sent].buttons) == ("", [])
    assert rows[blocked].text == ""
    # Not yet a day old, not yet sent, or a dead letter an organiser may still queue again.
    assert rows[fresh].text == rows[waiting].text == rows[dead].text == HEALTH
    assert rows[fresh].buttons == [[["Học ngay", "lr::"]]]
    assert old not in rows and old_pending in rows
    assert (swept.texts_blanked, swept.deliveries_deleted) == (3, 1)  # blanked, then deleted

    swept = await retention.sweep(database, scheduler_settings, NOW + timedelta(days=7))
    rows = {d.id: d for d in await deliveries(database)}
    assert rows[dead].text == "" and rows[fresh].text == ""
    assert rows[waiting].text == HEALTH  # still waiting to go out


async def test_a_blanked_dead_letter_is_not_queued_again_empty(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    old = await insert_delivery(database, learner, state="dead", created_at=NOW - timedelta(days=8))
    recent = await insert_delivery(database, learner, state="dead", created_at=NOW)
    await retention.sweep(database, scheduler_settings, NOW)
    assert await DeliveryQueue(database).requeue(None, [DeliveryState.DEAD]) == 1
    states = {d.id: d.state for d in await deliveries(database)}
    assert states == {old: "dead", recent: "pending"}


async def test_the_periods_are_settings(database: AsyncEngine, database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        retention_text_hours=1,
        retention_delivery_days=2,
        _env_file=None,  # type: ignore[call-arg]
    )
    learner = await insert_learner(database)
    blanked = await insert_delivery(
        database, learner, state="sent", created_at=NOW - timedelta(hours=2)
    )
    gone = await insert_delivery(
        database, learner, state="skipped", created_at=NOW - timedelta(days=3)
    )
    await retention.sweep(database, settings, NOW)
    rows = {d.id: d for d in await deliveries(database)}
    assert rows[blanked].text == "" and gone not in rows


async def test_a_backlog_is_swept_in_batches_of_short_transactions(
    database: AsyncEngine, scheduler_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 3)
    learner = await insert_learner(database)
    for _ in range(10):
        await insert_delivery(database, learner, state="sent", created_at=NOW - timedelta(days=2))
    swept = await retention.sweep(database, scheduler_settings, NOW)
    assert swept.texts_blanked == 10
    assert {d.text for d in await deliveries(database)} == {""}


async def test_announcement_texts_are_blanked_once_sent_and_deleted_later_campaigns_stay(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    day_old, months_old = NOW - timedelta(days=2), NOW - timedelta(days=100)
    await insert_rows(
        database,
        "campaign",
        {
            "id": 1,
            "slug": "c",
            "name": "C",
            "milestone": NOW.date(),
            "spec": {},
            "status": "active",
            "created_at": months_old,
            "updated_at": months_old,
        },
    )
    announcement = {"kind": "announcement", "audience": {}, "progress_reported": 0}
    await insert_rows(
        database,
        "broadcast",
        {**announcement, "id": 1, "text": HEALTH, "created_at": day_old},  # all sent
        {**announcement, "id": 2, "text": HEALTH, "created_at": day_old},  # one still waiting
        {**announcement, "id": 3, "text": HEALTH, "created_at": months_old},
        {
            **announcement,
            "id": 4,
            "text": "Thi",
            "created_at": months_old,
            "kind": "campaign",
            "campaign_id": 1,
            "occurrence": "0:2026-08-01",
        },
    )
    await insert_delivery(database, learner, broadcast_id=1, state="sent", created_at=day_old)
    await insert_delivery(database, learner, broadcast_id=2, state="pending", created_at=day_old)

    await retention.sweep(database, scheduler_settings, NOW)

    kept = {b.id: b.text for b in await rows_of(database, "broadcast")}
    assert kept == {1: "", 2: HEALTH, 4: "Thi"}


async def test_answered_updates_are_forgotten_after_48_hours_unanswered_after_a_week(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    replies = [{"text": "Bản xuất dữ liệu của anh/chị"}]

    def update(update_id: int, hours: int, delivered: bool) -> dict[str, object]:
        at = NOW - timedelta(hours=hours)
        return {
            "bot_id": 7,
            "update_id": update_id,
            "learner_id": None,
            "replies": replies,
            "processed_at": at,
            "delivered_at": at if delivered else None,
        }

    await insert_rows(
        database,
        "processed_update",
        update(1, 49, True),
        update(2, 47, True),
        update(3, 49, False),  # replies never confirmed: kept for a redelivery
        update(4, 24 * 7 + 1, False),
    )
    swept = await retention.sweep(database, scheduler_settings, NOW)
    assert [r.update_id for r in await rows_of(database, "processed_update")] == [2, 3]
    assert swept.updates_deleted == 2


async def test_role_invitations_are_deleted_long_after_they_expired(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    invite = {"role": "mentor", "unit_id": None, "created_at": NOW - timedelta(days=200)}
    await insert_rows(
        database,
        "role_invite",
        {**invite, "token": "old", "expires_at": NOW - timedelta(days=91), "used_by": 5},
        {**invite, "token": "recent", "expires_at": NOW - timedelta(days=10), "used_by": None},
    )
    await retention.sweep(database, scheduler_settings, NOW)
    assert [r.token for r in await rows_of(database, "role_invite")] == ["recent"]


async def test_the_scheduler_runs_the_sweep_every_hour(
    database: AsyncEngine, scheduler_settings: Settings
) -> None:
    learner = await insert_learner(database)
    sent = await insert_delivery(
        database, learner, state="sent", created_at=datetime.now(UTC) - timedelta(days=2)
    )
    service = SchedulerService(database, scheduler_settings, None)
    service._add_jobs()
    job = service.scheduler.get_job("sweep:retention")
    assert job is not None and job.trigger.interval == timedelta(seconds=RETENTION_SECONDS)
    assert RETENTION_SECONDS == 3600
    await insert_rows(
        database,
        "dashboard_login",
        {
            "token_hash": "a" * 64,
            "learner_id": learner,
            "created_at": datetime.now(UTC) - timedelta(days=3),
            "expires_at": datetime.now(UTC) - timedelta(days=3),
        },
    )
    await service.run_job("retention")
    [row] = await deliveries(database, id=sent)
    assert row.text == ""
    # Dashboard sign-in links that ended over a day ago go with the same hourly sweep.
    assert await rows_of(database, "dashboard_login") == []
