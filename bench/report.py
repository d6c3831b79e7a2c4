"""Unit report over 100,000 learners in 3,000 units in PostgreSQL (goal: under two seconds).

Seeds a throw-away database (COPY) with the National Assembly tree of
``examples/units/quoc-hoi.yaml`` (Quốc hội → its bodies and the 34 delegations), a provincial
People's Council under each delegation and communes' People's Councils under those, ~3,000 units
in all; 100,000 learners spread unevenly over them (a few with no unit), active over the last
60 days; ~40% certified at level 1 and fewer at levels 2–4 (each certificate with its exam),
issued over the last 90 days. Then times ``unit_report`` (median and max of several runs after
a warm-up) for the whole tree, Quốc hội itself, one delegation, its People's Council (the unit
with the most rows) and one commune, and the CSV and XLSX exports of the biggest reports.

    .venv/bin/python bench/report.py [--learners 100000] [--units 3000] [--runs 5] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlmodel import select

from hocvuso.config import Settings
from hocvuso.organising import candidates, exports, reports, units
from hocvuso.organising.forecast import Target
from hocvuso.storage import db
from hocvuso.storage.organising import Unit

ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội
TREE = Path(__file__).resolve().parents[1] / "examples" / "units" / "quoc-hoi.yaml"
TARGET = Target()  # level 1, 100%, by 31/12/2026, pace over 28 days
#: The terms the seeded learners are counted against (none has agreed to them: a lower bound).
CONSENT = Settings.model_fields["consent_version"].default
T = TypeVar("T")


def build_tree(total: int, rng: random.Random) -> tuple[list[tuple[Any, ...]], dict[str, str]]:
    """Unit rows (id, code, name, parent_id, path, invite_code, created_at) and each unit's kind."""
    specs = units.load_file(TREE)
    delegations = [s for s in specs if s.parent == "QH-DB"]
    communes = max(0, total - len(specs) - len(delegations))
    # Uneven: big cities have several times the communes of small provinces.
    weights = [rng.lognormvariate(0, 0.5) for _ in delegations]
    shares = [communes * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[
        : communes - sum(counts)
    ]:
        counts[i] += 1
    rows: list[tuple[Any, ...]] = []
    ids: dict[str, int] = {}
    paths: dict[str, str] = {}
    kinds: dict[str, str] = {}
    invites: set[str] = set()

    def add(code: str, name: str, parent: str | None, kind: str) -> None:
        unit_id = len(rows) + 1
        ids[code] = unit_id
        paths[code] = f"{paths[parent] if parent else '/'}{unit_id}/"
        kinds[code] = kind
        invite = units.new_invite_code()
        while invite in invites:
            invite = units.new_invite_code()
        invites.add(invite)
        created = NOW - timedelta(days=120, minutes=unit_id)
        rows.append(
            (unit_id, code, name, ids[parent] if parent else None, paths[code], invite, created)
        )

    for spec in specs:  # parents come before their children in the file
        add(spec.code, spec.name, spec.parent, "delegation" if spec.parent == "QH-DB" else "body")
    for spec, count in zip(delegations, counts, strict=True):
        province = spec.name.removeprefix("Đoàn đại biểu Quốc hội ")
        suffix = spec.code.removeprefix("DB-")
        council = f"HDND-{suffix}"
        add(council, f"Hội đồng nhân dân {province}", spec.code, "council")
        for n in range(1, count + 1):
            kind = "phường" if n % 4 == 0 else "xã"
            add(f"X-{suffix}-{n:03d}", f"HĐND {kind} số {n}, {province}", council, "commune")
    return rows, kinds


async def seed(url: str, learner_count: int, unit_count: int) -> dict[str, Any]:
    rng = random.Random(1)
    unit_rows, kinds = build_tree(unit_count, rng)
    # Where people are: mostly communes (unevenly), some directly in councils, delegations and
    # national bodies, 1% who have not joined a unit yet.
    kind_weight = {"commune": 1.0, "council": 4.0, "delegation": 2.0, "body": 3.0}
    codes = [row[1] for row in unit_rows]
    weights = [kind_weight[kinds[c]] * rng.lognormvariate(0, 0.8) for c in codes]
    placed = rng.choices(codes, weights=weights, k=learner_count)
    learners, exams, certificates = [], [], []
    for i in range(1, learner_count + 1):
        unit_code = None if rng.random() < 0.01 else placed[i - 1]
        last_active = NOW - timedelta(seconds=rng.uniform(0, 60 * 86_400))
        created = last_active - timedelta(seconds=rng.uniform(0, 30 * 86_400))
        status = "blocked" if rng.random() < 0.02 else "active"
        learners.append(
            (
                i,
                "telegram",
                10_000_000 + i,
                unit_code,
                "vi",
                "Asia/Ho_Chi_Minh",
                19,
                created,
                "2026-11",
                status,
                1,
                True,
                "{}",
                created,
                last_active,
            )
        )
        if rng.random() >= 0.40:
            continue
        issued = NOW - timedelta(seconds=rng.uniform(0, 90 * 86_400))
        for level in (1, 2, 3, 4):
            exam_id = len(exams) + 1
            exams.append(
                (exam_id, i, level, "[]", 18, 20, True, issued - timedelta(minutes=25), issued)
            )
            cert = f"{rng.getrandbits(128):032x}"
            certificates.append((cert, i, level, exam_id, 18, 20, issued))
            # Fewer at each level: 30% of level 1 go on to 2, 40% of those to 3 and to 4.
            if rng.random() >= (0.30 if level == 1 else 0.40):
                break
            issued += timedelta(seconds=rng.uniform(0, (NOW - issued).total_seconds()))

    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "unit",
            columns=["id", "code", "name", "parent_id", "path", "invite_code", "created_at"],
            records=unit_rows,
        )
        await connection.execute("SELECT setval('unit_id_seq', $1)", len(unit_rows))
        await connection.copy_records_to_table(
            "learner",
            columns=[
                "id",
                "platform",
                "chat_id",
                "unit_code",
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
                "last_active_at",
            ],
            records=learners,
        )
        await connection.execute("SELECT setval('learner_id_seq', $1)", learner_count)
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
        await connection.execute("SELECT setval('exam_attempt_id_seq', $1)", len(exams))
        await connection.copy_records_to_table(
            "certificate",
            columns=["id", "learner_id", "level", "exam_id", "score", "total", "issued_at"],
            records=certificates,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    by_kind: dict[str, int] = {}
    for kind in kinds.values():
        by_kind[kind] = by_kind.get(kind, 0) + 1
    per_level = [sum(1 for c in certificates if c[2] == n) for n in reports.LEVELS]
    return {
        "units": len(unit_rows),
        "by_kind": by_kind,
        "learners": learner_count,
        "without_unit": sum(1 for row in learners if row[3] is None),
        "certificates": per_level,
        "kinds": kinds,
        "placed": [row[3] for row in learners],
    }


async def timed(runs: int, work: Callable[[], Awaitable[T]]) -> tuple[T, list[float]]:
    result = await work()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        timings.append(time.perf_counter() - started)
    return result, timings


def ms(timings: list[float]) -> str:
    return f"median {statistics.median(timings) * 1000:6.0f} ms, max {max(timings) * 1000:6.0f} ms"


async def main(learner_count: int, unit_count: int, runs: int, explain: bool) -> None:
    name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        await db.upgrade_async(url)
        started = time.perf_counter()
        seeded = await seed(url, learner_count, unit_count)
        kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(seeded["by_kind"].items()))
        levels = ", ".join(
            f"L{n}: {c:,}" for n, c in zip(reports.LEVELS, seeded["certificates"], strict=True)
        )
        print(
            f"seeded {seeded['units']:,} units ({kinds}), {seeded['learners']:,} learners "
            f"({seeded['without_unit']:,} without a unit), certificates {levels} "
            f"in {time.perf_counter() - started:.1f} s (COPY + ANALYZE)"
        )
        engine = db.make_engine(url)
        maker = db.make_sessionmaker(engine)
        # The busiest delegation, its People's Council and its busiest commune.
        placed: dict[str, int] = {}
        for code in seeded["placed"]:
            if code:
                placed[code] = placed.get(code, 0) + 1
        async with maker() as session:
            tree = {u.code: u for u in (await session.exec(select(Unit))).all()}
        councils = [c for c, k in seeded["kinds"].items() if k == "council"]
        children: dict[int | None, int] = {}
        for unit in tree.values():
            children[unit.parent_id] = children.get(unit.parent_id, 0) + 1
        council = max(councils, key=lambda c: children.get(tree[c].id, 0))
        delegation = next(u.code for u in tree.values() if u.id == tree[council].parent_id)
        commune = max(
            (u.code for u in tree.values() if u.parent_id == tree[council].id),
            key=lambda c: placed.get(c, 0),
        )
        cases: list[tuple[str, Unit | None]] = [
            ("whole tree (top-level units)", None),
            ("Quốc hội (its bodies + itself)", tree["QH"]),
            (f"delegation {delegation}", tree[delegation]),
            (f"council {council} (its communes)", tree[council]),
            (f"commune {commune}", tree[commune]),
        ]
        print(f"unit_report, {runs} runs after a warm-up (goal < 2000 ms):")
        made: dict[str, reports.Report] = {}
        for label, root in cases:

            async def work(root: Unit | None = root) -> reports.Report:
                async with maker() as session:
                    return await reports.unit_report(session, root, TARGET, NOW)

            report, timings = await timed(runs, work)
            made[label] = report
            print(
                f"  {label:<40} {len(report.rows):>4} rows, {report.total.joined:>7,} joined, "
                f"{report.total.at_target:>6,} at L{TARGET.level}: {ms(timings)}"
            )
        print(f"suggested mentors counted for /report (candidates.count), {runs} runs:")
        for label, root in cases[:1] + cases[3:4]:

            async def suggest(root: Unit | None = root) -> int:
                async with maker() as session:
                    return await candidates.count(session, root, consent=CONSENT)

            found, timings = await timed(runs, suggest)
            print(f"  {label:<40} {found:>7,} candidates: {ms(timings)}")
        biggest = max(made.values(), key=lambda r: len(r.rows))
        print(f"exports of the biggest report ({len(biggest.rows)} rows), {runs} runs:")
        for label, export in (("CSV", exports.to_csv), ("XLSX", exports.to_xlsx)):

            async def render(export: Callable[[reports.Report], Any] = export) -> Any:
                return export(biggest)

            out, timings = await timed(runs, render)
            print(f"  {label:<5} {len(out):>7,} bytes/chars: {ms(timings)}")
        if explain:
            async with engine.connect() as connection:
                sql = (
                    reports.report_query(None, TARGET, NOW)
                    .compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
                    .string
                )
                plan = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print("EXPLAIN ANALYZE, whole tree:")
                for (line,) in plan:
                    print(f"  {line}")
        await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print the whole-tree plan")
    args = parser.parse_args()
    asyncio.run(main(args.learners, args.units, args.runs, args.explain))
