"""Item analysis, the retention report and the certified export on PostgreSQL at scale.

Seeds a throw-away database with ``bench/report.py``'s tree and learners (100,000 in ~3,000
units, ~40% certified), moves everyone to the terms in force with a display name, gives every
learner one finished level 1 exam of 10 questions from the shipped pack's pool (answers drawn
from an ability per learner, so the indices mean something), and to ``--reviewers`` learners
10 lesson questions each with 3 reviews days apart. Then times (median and max after a warm-up):
``question_stats`` for everyone and for one delegation, ``retention`` for everyone (replayed,
then backfilled and summed from the stored predictions), and
``certified`` + its CSV and XLSX for the whole tree.

    .venv/bin/python bench/question_stats.py [--learners 100000] [--reviewers 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import time
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
from report import ADMIN, NOW, ms, seed, timed  # bench/report.py, beside this file
from sqlmodel import select

from hocvuso.config import Settings
from hocvuso.content.loader import Pack, load_pack
from hocvuso.credentials.issuer import Issuer
from hocvuso.organising import certified, question_stats, retention
from hocvuso.storage import db
from hocvuso.storage.organising import Unit

TERMS: str = Settings.model_fields["consent_version"].default
ISSUER = Issuer("https://hocvuso.example.vn", "hocvuso")


def exam_rows(
    pack: Pack, learners: int, first_exam: int, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    pool = pack.exam_questions(1)
    difficulty = {q: rng.uniform(-1.5, 1.5) for q in pool}
    exams, answers = [], []
    for learner in range(1, learners + 1):
        exam_id = first_exam + learner
        ability = rng.gauss(0, 1)
        drawn = rng.sample(pool, 10)
        at = NOW - timedelta(days=rng.uniform(1, 60))
        right = 0
        for n, q in enumerate(drawn):
            ref = pack.questions[q].question
            correct = rng.random() < 1 / (1 + 2.718 ** (difficulty[q] - ability))
            right += correct
            wrong = [i for i in range(len(ref.options)) if i != ref.correct]
            chosen = ref.correct if correct else rng.choice(wrong)
            answers.append((learner, q, "exam", chosen, correct, f"x{exam_id}-{n}", exam_id, at))
        exams.append((exam_id, learner, 1, "[]", right, 10, right >= 8, at, at))
    return exams, answers


def review_rows(pack: Pack, reviewers: int, rng: random.Random) -> list[tuple[Any, ...]]:
    questions = pack.lesson_questions(1)
    rows = []
    for learner in range(1, reviewers + 1):
        for n, q in enumerate(rng.sample(questions, min(10, len(questions)))):
            at = NOW - timedelta(days=60)
            lesson = pack.questions[q].lesson_id
            rows.append((learner, q, "lesson", 0, True, f"l{n}", lesson, None, at))
            for r in range(3):
                at += timedelta(days=rng.choice((1, 3, 7, 14)))
                good = rng.random() < 0.8
                rows.append((learner, q, "review", 0, good, f"r{n}-{r}", lesson, None, at))
    return rows


async def add_answers(url: str, pack: Pack, learners: int, reviewers: int) -> int:
    rng = random.Random(2)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "UPDATE learner SET consent_version = $1, display_name = 'Học viên ' || id, "
            "role = 'civil_servant'",
            TERMS,
        )
        first = int(await connection.fetchval("SELECT coalesce(max(id), 0) FROM exam_attempt"))
        exams, answers = exam_rows(pack, learners, first, rng)
        await connection.copy_records_to_table(
            "exam_attempt",
            columns=[
                "id",
                "learner_id",
                "level",
                "question_ids",
                "correct",
                "answered",
                "passed",
                "started_at",
                "finished_at",
            ],
            records=exams,
        )
        columns = ["learner_id", "question_id", "mode", "chosen", "correct", "prompt_nonce"]
        await connection.copy_records_to_table(
            "quiz_attempt", columns=[*columns, "exam_id", "answered_at"], records=answers
        )
        reviews = review_rows(pack, reviewers, rng)
        await connection.copy_records_to_table(
            "quiz_attempt",
            columns=[*columns, "lesson_id", "exam_id", "answered_at"],
            records=reviews,
        )
        await connection.execute("ANALYZE")
        return len(answers) + len(reviews)
    finally:
        await connection.close()


async def main(learners: int, reviewers: int, runs: int) -> None:
    name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    pack = load_pack()
    try:
        await db.upgrade_async(url)
        started = time.perf_counter()
        await seed(url, learners, 3000)
        answers = await add_answers(url, pack, learners, reviewers)
        print(
            f"seeded {learners:,} learners, {answers:,} answers in "
            f"{time.perf_counter() - started:.1f} s"
        )
        engine = db.make_engine(url)
        sessions = db.make_sessionmaker(engine)
        async with sessions() as session:
            every = (await session.exec(select(Unit))).all()
            delegation = next((u for u in every if u.path.count("/") == 4), None)

            async def items(root: Unit | None) -> list[question_stats.QuestionStats]:
                return await question_stats.question_stats(session, pack, root)

            stats, timings = await timed(runs, lambda: items(None))
            flagged = sum(1 for q in stats if q.flags)
            print(
                f"question_stats, everyone ({len(stats)} questions, {flagged} flagged): "
                f"{ms(timings)}"
            )
            if delegation is not None:
                _, timings = await timed(runs, lambda: items(delegation))
                print(f"question_stats, delegation {delegation.code}: {ms(timings)}")

            async def recall() -> retention.Retention:
                return await retention.retention(session, pack, None)

            report, timings = await timed(runs, recall)
            print(
                f"retention, everyone ({report.total.reviews:,} reviews replayed from "
                f"{reviewers * 40:,} answers): {ms(timings)}"
            )

            # The answers above were seeded without stored predictions, as if recorded before
            # migration 0012: backfill them, then the report only sums in SQL.
            started = time.perf_counter()
            after: int | None = 0
            while after is not None:
                async with sessions() as writer, writer.begin():
                    after = await retention.backfill(writer, after)
            print(
                f"retention backfill ({reviewers:,} learners): "
                f"{time.perf_counter() - started:.1f} s"
            )
            async with sessions() as fresh:

                async def summed() -> retention.Retention:
                    return await retention.retention(fresh, pack, None)

                stored, timings = await timed(runs, summed)
            same = stored.total.reviews == report.total.reviews and all(
                a.reviews == b.reviews and math.isclose(a.predicted or 0, b.predicted or 0)
                for a, b in zip(stored.total.bins, report.total.bins, strict=True)
            )
            print(
                f"retention, everyone, stored predictions ({stored.total.reviews:,} reviews "
                f"summed, same report: {same}): {ms(timings)}"
            )

            async def export() -> list[certified.Certified]:
                return await certified.certified(session, None, ISSUER, consent=TERMS)

            rows, timings = await timed(runs, export)
            print(f"certified query, whole tree ({len(rows):,} rows): {ms(timings)}")

            async def to_csv() -> str:
                return certified.to_csv(rows)

            text, timings = await timed(runs, to_csv)
            print(f"certified CSV ({len(text):,} characters): {ms(timings)}")

            async def to_xlsx() -> bytes:
                return certified.to_xlsx(rows)

            book, timings = await timed(runs, to_xlsx)
            print(f"certified XLSX ({len(book):,} B): {ms(timings)}")
        await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.learners, args.reviewers, args.runs))
