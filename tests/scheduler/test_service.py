"""The scheduler keeps waking up when the SQLite database is locked at one of its wake-ups (the
bot writing at that moment), and runs its jobs again once the lock is gone."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from pathlib import Path

import pytest

from hocvuso.config import Settings
from hocvuso.scheduler import service
from hocvuso.storage import db

#: Longer than a busy timeout of SQLite's default (5 s) would wait for the lock.
LOCK_HELD = 6.0
#: The job runs again within this long once the lock is released.
BOUND = 3.0


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "hocvuso.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    return path


async def test_a_locked_database_at_a_wake_up_does_not_stop_the_scheduler(
    sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sqlite_file
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    monkeypatch.setattr(service, "PROGRESS_SECONDS", 1)  # a wake-up every second
    runs: list[float] = []
    ran = asyncio.Event()

    async def record(_self: service.SchedulerService, name: str) -> None:
        if name == "progress":
            runs.append(time.monotonic())
            ran.set()

    monkeypatch.setattr(service.SchedulerService, "run_job", record)
    database = db.make_engine(url)
    scheduler = service.SchedulerService(database, settings, None)
    await scheduler.start()
    # The bot's writer: another connection holds the write lock across several wake-ups.
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        await asyncio.wait_for(ran.wait(), timeout=10)  # the first run, at start
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE learner SET last_active_at = last_active_at")
        await asyncio.sleep(LOCK_HELD)
        writer.execute("COMMIT")
        ran.clear()
        try:
            await asyncio.wait_for(ran.wait(), timeout=BOUND)
        except TimeoutError:
            pytest.fail("the scheduler stopped waking up")
        # Nor was the event loop (and with it every learner's reply) held while the lock was.
        gaps = [b - a for a, b in itertools.pairwise(runs)]
        assert max(gaps) < 2.5
    finally:
        writer.close()
        await scheduler.stop()
        await database.dispose()
