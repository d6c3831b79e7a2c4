"""Process start to first getUpdates: how long a restart leaves learners waiting.

Starts the fake Bot API server (tests/fakes), then, several times each:

- the yardstick: a bare aiogram 3 bot (an echo handler, ``Dispatcher.start_polling``);
- ``hocvuso run`` on SQLite (the embedded default, which migrates itself);
- ``hocvuso run`` on PostgreSQL (a throw-away database, migrated once beforehand).

Each start is timed from spawning the process to the fake receiving its first getUpdates (the
goal: median ≤ 1.5 s), and to the bot's first reply to a learner whose ``/start`` arrived
while it was down (what a learner waits through after a crash or a deploy). The first start
of hocvuso on a store is reported on its own ("first start": it creates the SQLite file and
the caches in the data directory); the restarts after it are what the medians are made of.

    .venv/bin/python bench/startup.py [--starts 7] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocvuso.storage import db
from tests.fakes.telegram_api import FakeTelegram

PG_ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
GOAL = 1.5
_chats = itertools.count(5000)  # a new learner for every start

#: The yardstick: the smallest aiogram 3 bot that answers every message, started the usual way.
BARE_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dp = Dispatcher()

@dp.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "?")

async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["API"]))
    bot = Bot(os.environ["TOKEN"], session=session)
    await dp.start_polling(bot, handle_signals=True)

asyncio.run(main())
"""


async def _time_start(
    fake: FakeTelegram, argv: list[str], env: dict[str, str], log: Path
) -> tuple[float, float]:
    """Seconds from spawning ``argv`` to the fake's next getUpdates, and to the first reply to
    a learner who wrote while the process was down (their ``/start`` waits in the queue, as
    after a crash); the process is then stopped (SIGTERM, SIGKILL after 15 s)."""
    learner = fake.user(next(_chats), "Học viên")
    await learner.send_text("/start")
    before = fake.method_counts["getUpdates"]
    with log.open("ab") as out:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=log.parent, env=env, stdout=out, stderr=out
        )
    try:
        await fake.wait_until(
            lambda: fake.method_counts["getUpdates"] > before or process.returncode is not None,
            timeout=60,
        )
        polled = time.monotonic() - started
        await fake.wait_until(lambda: learner.messages or process.returncode is not None, 60)
        replied = time.monotonic() - started
        if process.returncode is not None:
            tail = log.read_bytes()[-3000:].decode(errors="replace")  # noqa: ASYNC240
            raise SystemExit(f"{argv[-1]} exited at start:\n{tail}")
        return polled, replied
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


def _hocvuso_env(fake: FakeTelegram, url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOCVUSO_TELEGRAM_TOKEN": fake.token,
        "HOCVUSO_TELEGRAM_API_URL": fake.base_url,
        "HOCVUSO_DATABASE_URL": url,
        "HOCVUSO_DATA_DIR": str(workdir / "data"),
        "HOCVUSO_LOG_LEVEL": "WARNING",
    }


def _line(label: str, times: list[float], note: str = "") -> None:
    median = statistics.median(times)
    print(
        f"{label:<34} median {median:5.2f} s   min {min(times):5.2f}   max {max(times):5.2f}"
        f"   ({len(times)} starts){note}"
    )


async def _bare(fake: FakeTelegram, starts: int, workdir: Path) -> float:
    env = {**os.environ, "API": fake.base_url, "TOKEN": fake.token}
    argv = [sys.executable, "-c", BARE_BOT]
    runs = [await _time_start(fake, argv, env, workdir / "bare.log") for _ in range(starts)]
    _line("bare aiogram bot: first getUpdates", [p for p, _ in runs])
    _line("bare aiogram bot: first reply", [r for _, r in runs])
    return statistics.median(p for p, _ in runs)


async def _hocvuso(
    fake: FakeTelegram, name: str, url: str, starts: int, workdir: Path, yardstick: float
) -> float:
    env = _hocvuso_env(fake, url, workdir)
    argv = [sys.executable, "-m", "hocvuso.cli", "run"]
    log = workdir / f"{name}.log"
    first, first_reply = await _time_start(fake, argv, env, log)
    runs = [await _time_start(fake, argv, env, log) for _ in range(starts)]
    print(
        f"{'hocvuso ' + name + ', first start':<34} getUpdates {first:5.2f} s, "
        f"reply {first_reply:5.2f} s"
    )
    median = statistics.median(p for p, _ in runs)
    verdict = "meets" if median <= GOAL else "misses"
    _line(
        f"hocvuso {name}: first getUpdates",
        [p for p, _ in runs],
        f"   {median / yardstick:4.2f}× the bare bot; {verdict} the {GOAL} s goal",
    )
    _line(f"hocvuso {name}: first reply", [r for _, r in runs])
    return median


async def main(starts: int, databases: list[str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-startup-"))
    print(f"process start to first getUpdates; this machine: {os.cpu_count()} cores")
    async with FakeTelegram() as fake:
        yardstick = await _bare(fake, starts, workdir)
        if "sqlite" in databases:
            sqlite_dir = workdir / "sqlite"
            sqlite_dir.mkdir()
            url = f"sqlite:///{sqlite_dir / 'hocvuso.sqlite3'}"
            await _hocvuso(fake, "SQLite", url, starts, sqlite_dir, yardstick)
        if "postgresql" in databases:
            name = f"hocvuso_startup_{uuid.uuid4().hex[:8]}"
            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            pg_dir = workdir / "postgresql"
            pg_dir.mkdir()
            try:
                await db.upgrade_async(url)
                await _hocvuso(fake, "PostgreSQL", url, starts, pg_dir, yardstick)
            finally:
                admin = await asyncpg.connect(PG_ADMIN)
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()
    print(f"logs: {workdir}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    chosen = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    asyncio.run(main(args.starts, chosen))
