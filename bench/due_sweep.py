"""Reminder sweep over one million review cards in PostgreSQL (goal: under one second).

Seeds a throw-away database with 20,000 learners × 50 review cards (COPY), a third of the cards
due, some answers, then times the sweep's selection (one set-based query) at the worst moment:
every learner's reminder hour at once. Also prints the full ``deliver_due_reminders`` (selection,
streaks and queueing every reminder) and the query plan.

    .venv/bin/python bench/due_sweep.py [--learners 20000] [--cards 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy import text

from hocvuso.config import Settings
from hocvuso.scheduler.reminders import deliver_due_reminders, due_candidates
from hocvuso.storage import db

ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 19:00 in Hà Nội


async def seed(url: str, learners: int, cards: int) -> None:
    connection = await asyncpg.connect(url)
    rng = random.Random(1)
    consent = NOW - timedelta(days=60)
    try:
        await connection.copy_records_to_table(
            "learner",
            columns=[
                "id",
                "platform",
                "chat_id",
                "language",
                "timezone",
                "reminder_hour",
                "consent_at",
                "consent_version",
                "status",
                "level",
                "placement_done",
                "state",
                "created_at",
            ],
            records=[
                (
                    i,
                    "telegram",
                    10_000_000 + i,
                    "vi",
                    "Asia/Ho_Chi_Minh",
                    19,
                    consent,
                    Settings.model_fields["consent_version"].default,
                    "active",
                    1,
                    True,
                    "{}",
                    consent,
                )
                for i in range(1, learners + 1)
            ],
        )
        await connection.execute("SELECT setval('learner_id_seq', $1)", learners)
        records = []
        for learner in range(1, learners + 1):
            for card in range(cards):
                due = NOW + timedelta(hours=rng.uniform(-24 * 20, 24 * 40))
                records.append((learner, f"q{card}", 2, due, 3, 0))
        await connection.copy_records_to_table(
            "review_card",
            columns=["learner_id", "question_id", "state", "due", "reps", "lapses"],
            records=records,
        )
        answers = [
            (learner, "q0", "review", 0, True, f"n{learner}-{day}", NOW - timedelta(days=day))
            for learner in range(1, learners + 1, 3)
            for day in range(1, 6)
        ]
        await connection.copy_records_to_table(
            "quiz_attempt",
            columns=[
                "learner_id",
                "question_id",
                "mode",
                "chosen",
                "correct",
                "prompt_nonce",
                "answered_at",
            ],
            records=answers,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def main(learners: int, cards: int) -> None:
    name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        await db.upgrade_async(url)
        started = time.perf_counter()
        await seed(url, learners, cards)
        print(f"seeded {learners * cards:,} review cards in {time.perf_counter() - started:.1f} s")
        settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
        database = db.make_engine(url)
        async with database.connect() as connection:
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                found = await due_candidates(connection, settings, NOW)
                timings.append(time.perf_counter() - started)
            print(
                f"sweep selection: {len(found):,} learners to remind (all at their hour), "
                f"best {min(timings) * 1000:.0f} ms, median {sorted(timings)[2] * 1000:.0f} ms "
                "(goal < 1000 ms)"
            )
            plan = await connection.execute(
                text(
                    "EXPLAIN SELECT count(*) FROM review_card WHERE learner_id = 1 AND due <= now()"
                )
            )
            print("per-learner due count plan:", " / ".join(r[0].strip() for r in plan))
        started = time.perf_counter()
        queued = await deliver_due_reminders(database, settings, NOW)
        print(
            f"full sweep (selection, streaks, {queued:,} reminders queued): "
            f"{time.perf_counter() - started:.2f} s"
        )
        started = time.perf_counter()
        again = await deliver_due_reminders(database, settings, NOW + timedelta(minutes=1))
        print(
            f"next minute's sweep (nobody left to remind: {again}): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        await database.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--cards", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.learners, args.cards))
