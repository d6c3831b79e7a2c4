"""xAPI statements/s sent to a real LRS (ralph, file-system backend), against a yardstick.

1. Yardstick: a bare ``httpx`` loop POSTing the same statements to the same LRS in batches of
   ``--batch`` (no database, no bookkeeping): what the LRS itself takes.
2. hocvuso: the same number of statements written to the outbox (a throw-away SQLite file, or
   PostgreSQL with ``--postgres URL``), then ``XapiSender.sweep()`` until every one is sent:
   claim, POST, mark sent.

The goal is the sender within a small factor of the yardstick (the LRS, not our bookkeeping,
is what binds). ralph checks the basic-auth password with bcrypt on every request, so larger
batches matter more than anything on our side.

    .venv/bin/python bench/xapi.py [--statements 2000] [--batch 50] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocvuso.content.loader import load_pack
from hocvuso.delivery.xapi import LrsClient, XapiSender
from hocvuso.learning import xapi
from hocvuso.storage import db
from tests.factories import insert_learner
from tests.lrs import PASSWORD, USER, Lrs

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def statements(count: int, tag: str) -> list[xapi.Statement]:
    pack = load_pack()
    writer = xapi.Writer(f"http://127.0.0.1:8000/bench-{tag}", b"bench-key")
    question_id = next(q for q, ref in pack.questions.items() if ref.lesson_id)
    ref = pack.questions[question_id]
    return [
        writer.answered(
            pack,
            1,
            question_id,
            mode="lesson",
            chosen=0,
            correct=ref.question.correct == 0,
            nonce=f"{tag}-{n}",
            lesson_id=ref.lesson_id,
            exam_level=None,
            now=NOW,
        )
        for n in range(count)
    ]


async def yardstick(lrs: Lrs, batch: list[xapi.Statement], size: int) -> float:
    headers = {"X-Experience-API-Version": "1.0.3"}
    async with httpx.AsyncClient(auth=(USER, PASSWORD), headers=headers, timeout=60) as client:
        start = time.perf_counter()
        for i in range(0, len(batch), size):
            answer = await client.post(
                lrs.endpoint + "/statements", json=[s.body for s in batch[i : i + size]]
            )
            answer.raise_for_status()
        return time.perf_counter() - start


async def ours(lrs: Lrs, batch: list[xapi.Statement], size: int, url: str) -> float:
    engine = db.make_engine(url)
    try:
        learner_id = await insert_learner(engine)
        sessions = db.make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            await xapi.write(session, batch, learner_id)
        sender = XapiSender(engine, LrsClient(lrs.endpoint, USER, PASSWORD, timeout=60), batch=size)
        start = time.perf_counter()
        sent = 0
        while sent < len(batch):
            swept = await sender.sweep()
            assert not swept.errors, swept.errors
            sent += swept.sent
        elapsed = time.perf_counter() - start
        await sender.close()
        return elapsed
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--postgres", help="A PostgreSQL URL (a database of its own).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hocvuso-xapi-bench-") as work:
        # Each run gets an empty LRS: ralph's file backend reads its whole file to find the
        # ids already stored, so a second run on the same file would be slower for that alone.
        url = args.postgres or f"sqlite:///{Path(work) / 'bench.sqlite3'}"
        await db.upgrade_async(url)
        times = {}
        for name in ("bare", "mine"):
            lrs = Lrs(Path(work) / name)
            lrs.start()
            try:
                batch = statements(args.statements, uuid.uuid4().hex)
                if name == "bare":
                    times[name] = await yardstick(lrs, batch, args.batch)
                else:
                    times[name] = await ours(lrs, batch, args.batch, url)
            finally:
                lrs.stop()
    bare, mine = times["bare"], times["mine"]
    n = args.statements
    print(f"{n} statements in batches of {args.batch} to ralph (fs backend)")
    print(f"  bare httpx POST loop: {n / bare:8.0f} statements/s ({bare:.2f} s)")
    print(f"  hocvuso outbox sender: {n / mine:7.0f} statements/s ({mine:.2f} s)")
    print(f"  sender / yardstick: {bare / mine:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
