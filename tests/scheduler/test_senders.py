"""Without Redis one process at a time sends a bot's queue: the sender lease in the database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.scheduler.senders import HOST, SenderLease
from hocvuso.storage.tables import SENDER_LEASE
from tests.factories import Clock


async def test_one_process_holds_the_lease_and_another_takes_over_when_it_goes_silent(
    database: AsyncEngine,
) -> None:
    clock = Clock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    bot = SenderLease(database, 42, ttl=10, command="run", clock=clock)
    cli = SenderLease(database, 42, ttl=10, command="broadcast", clock=clock)
    assert await bot.acquire()
    assert not await cli.acquire()
    holder = await cli.current()
    assert holder is not None and holder.command == "run" and "hocvuso run" in holder.label
    clock.advance(seconds=9)
    assert await bot.acquire()  # renewed
    clock.advance(seconds=9)
    assert not await cli.acquire()
    clock.advance(seconds=11)  # the bot stopped renewing (hung, or its host is gone)
    assert await cli.current() is None
    assert await cli.acquire()
    assert not await bot.acquire()  # and it does not send again until the other stops
    await cli.release()
    assert await bot.acquire()


async def test_each_bot_has_its_own_lease(database: AsyncEngine) -> None:
    assert await SenderLease(database, 1).acquire()
    assert await SenderLease(database, 2).acquire()


async def test_a_crashed_sender_of_this_machine_is_replaced_at_once(database: AsyncEngine) -> None:
    crashed = SenderLease(database, 7)
    assert await crashed.acquire()
    async with database.begin() as connection:  # its process no longer exists
        await connection.execute(update(SENDER_LEASE).values(holder=f"{HOST}:999999999:dead"))
    assert await SenderLease(database, 7).acquire()


async def test_the_holder_renews_while_sending_and_releases_when_it_stops(
    database: AsyncEngine,
) -> None:
    lease = SenderLease(database, 9, ttl=1.5)
    other = SenderLease(database, 9, ttl=1.5)
    stop = asyncio.Event()
    assert await lease.acquire()
    async with lease.held(stop) as done:
        await asyncio.sleep(0)
        assert not done.is_set()
        assert not await other.acquire()
        stop.set()
        await asyncio.wait_for(done.wait(), 5)
    assert await other.acquire()  # released at once
