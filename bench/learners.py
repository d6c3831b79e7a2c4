"""Reply time of the bot under 50 learners in parallel (issue: learner loop end to end).

Starts the fake Bot API server and the real ``hocvuso run`` process on a throw-away database,
plays 50 newcomers through onboarding and two lessons at the same time, and prints the median
and 99th-percentile time from a learner's action to the bot having answered it.

    python bench/learners.py [--learners 50] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocvuso.content.loader import load_pack
from hocvuso.storage import db
from tests.e2e.harness import BotProcess, Learner, percentile, short_session
from tests.fakes.telegram_api import FakeTelegram

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def main(learners: int, database: str) -> None:
    pack = load_pack()
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-"))
    pg_name = None
    if database == "postgresql":
        pg_name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{pg_name}"')
        await admin.close()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
        await db.upgrade_async(url)
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        async with FakeTelegram() as fake:
            bot = BotProcess(fake, url, workdir, HOCVUSO_LOG_LEVEL="WARNING")
            await bot.start()
            people = [
                Learner(fake, fake.user(9000 + i, f"Học viên {i}"), pack) for i in range(learners)
            ]
            started = time.monotonic()
            await asyncio.gather(*(short_session(p) for p in people))
            elapsed = time.monotonic() - started
            await bot.stop()
        timings = [t for p in people for t in p.timings]
        errors = sum(p.saw_error() for p in people)
        print(f"database                 {database}")
        print(f"learners in parallel     {learners}")
        print(
            f"actions                  {len(timings)} in {elapsed:.1f} s "
            f"({len(timings) / elapsed:.0f} actions/s)"
        )
        print(f"reply time median        {statistics.median(timings) * 1000:.0f} ms")
        print(f"reply time p99           {percentile(timings, 99) * 1000:.0f} ms")
        print(f"reply time max           {max(timings) * 1000:.0f} ms")
        print(f"error replies            {errors}")
        print(f"refused Bot API calls    {len(fake.invalid_requests)}")
    finally:
        if pg_name:
            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    args = parser.parse_args()
    asyncio.run(main(args.learners, args.database))
