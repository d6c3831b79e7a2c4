"""Dashboard latency over HTTP: overview, unit drill-down, mentors and campaigns for N learners
in M units on PostgreSQL (issue 13's goal: p95 under 300 ms at 100,000 learners in 3,000 units).

Seeds a throw-away database with bench/report.py's tree and learners (every learner named and
on the current terms, so the drill-down lists them), signs in an admin and the organiser of the
biggest provincial council through one-time links, and times whole requests through the
dashboard's router (session check, grants, the /report query, audit entry, Jinja2 page) with
an in-process client: p50 and p95 of ``--runs`` requests after a warm-up. The first row is the
yardstick of the same run: a bare route of the same app and client doing one transaction with
``SELECT now()``, the floor under every page.

    .venv/bin/python bench/dashboard.py [--learners 100000] [--units 3000] [--runs 30]
        [--reuse NAME]

``--reuse NAME`` keeps the seeded database NAME for the next run: seeded (minutes at 100,000
learners) when it does not exist yet, reused as it is when it does, never dropped (drop it with
``dropdb NAME`` when done).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report as report_bench

from hocvuso.config import Settings
from hocvuso.content.loader import load_pack
from hocvuso.organising import dashboard, roles
from hocvuso.organising import permissions as perm
from hocvuso.storage import db
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import Role, Unit
from hocvuso.web.dashboard import router

NOW = report_bench.NOW


def percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def sign_in(maker: object, app: FastAPI, learner: Learner) -> httpx.AsyncClient:
    async with maker() as session, session.begin():  # type: ignore[operator]
        actor = await perm.load_actor(session, learner.id or 0)
        token = await dashboard.do_issue_login_link(session, actor, NOW)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    )
    answer = await client.post(f"/dashboard/login/{token}")
    assert answer.status_code == 303, answer.text
    return client


async def main(learner_count: int, unit_count: int, runs: int, reuse: str | None) -> None:
    name = reuse or f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(report_bench.ADMIN)
    exists = reuse is not None and bool(
        await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", reuse)
    )
    if not exists:
        await admin.execute(f'CREATE DATABASE "{name}"')
    url = report_bench.ADMIN.rsplit("/", 1)[0] + f"/{name}"
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    try:
        await db.upgrade_async(url)
        if exists:
            print(f"reusing the seeded database {name}")
        else:
            started = time.perf_counter()
            seeded = await report_bench.seed(url, learner_count, unit_count)
            connection = await asyncpg.connect(url)
            await connection.execute(
                "UPDATE learner SET display_name = 'Học viên ' || id, consent_version = $1",
                settings.consent_version,
            )
            await connection.execute("ANALYZE learner")
            await connection.close()
            print(
                f"seeded {seeded['units']:,} units, {seeded['learners']:,} learners "
                f"in {time.perf_counter() - started:.1f} s"
                + (f" into {name} (kept)" if reuse else "")
            )
        engine = db.make_engine(url)
        maker = db.make_sessionmaker(engine)
        async with maker() as session:
            tree = {u.code: u for u in (await session.exec(select(Unit))).all()}
            connection = await session.connection()
            placed = {
                str(code): int(count)
                for code, count in await connection.execute(
                    select(Learner.unit_code, func.count())  # type: ignore[call-overload]
                    .where(col(Learner.unit_code).is_not(None))
                    .group_by(Learner.unit_code)
                )
            }
            learners = sum(placed.values())
        print(f"{len(tree):,} units, {learners:,} learners in a unit")
        children: dict[int | None, int] = {}
        for unit in tree.values():
            children[unit.parent_id] = children.get(unit.parent_id, 0) + 1
        councils = [c for c in tree if c.startswith("HDND-")]  # bench/report.py's councils
        council = max(councils, key=lambda c: children.get(tree[c].id, 0))
        commune = max(
            (u.code for u in tree.values() if u.parent_id == tree[council].id),
            key=lambda c: placed.get(c, 0),
        )
        async with maker() as session, session.begin():
            people = []
            for who in ("admin", "organiser"):
                named = select(Learner).where(Learner.display_name == f"Bench {who}")
                kept = (await session.exec(named)).first()
                if kept is not None:  # a reused database: signed in again, not added twice
                    people.append(kept)
                    continue
                person = Learner(
                    platform="telegram",
                    chat_id=None,
                    display_name=f"Bench {who}",
                    unit_code=council,
                    consent_at=NOW,
                    consent_version=settings.consent_version,
                    created_at=NOW,
                )
                session.add(person)
                await session.flush()
                people.append(person)
                await roles.do_grant_unchecked(
                    session,
                    person,
                    Role.ADMIN if who == "admin" else Role.ORGANISER,
                    None if who == "admin" else tree[council],
                    by=None,
                    via="cli",
                    now=NOW,
                )
        app = FastAPI()
        app.state.settings = settings
        app.state.sessionmaker = maker
        app.state.clock = lambda: NOW
        app.state.pack = load_pack()  # the shipped pack: the mentors page's standings
        app.include_router(router)

        @app.get("/yardstick")
        async def yardstick() -> HTMLResponse:
            """The floor of any page: the same client and app, one transaction, SELECT 1."""
            async with maker() as session, session.begin():
                await session.exec(select(func.now()))  # type: ignore[call-overload]
            return HTMLResponse("<!doctype html><title>ok</title>")

        as_admin = await sign_in(maker, app, people[0])
        as_organiser = await sign_in(maker, app, people[1])
        # The overview rows measure a cold trend (its 5-minute cache emptied before every
        # request: the first overview of a scope in five minutes); "(warm)" keeps the cache.
        cases = [
            ("yardstick: a bare route, one transaction, SELECT now()", as_admin, "/yardstick"),
            ("overview, admin (whole tree), cold trend", as_admin, "/dashboard"),
            ("overview, admin (whole tree), warm trend", as_admin, "/dashboard#warm"),
            (
                "overview, admin, sorted by %, cold trend",
                as_admin,
                "/dashboard?sort=percent&desc=true",
            ),
            (
                f"overview, organiser of {council} ({children.get(tree[council].id, 0)} communes)",
                as_organiser,
                "/dashboard",
            ),
            (f"drill-down {council} (council)", as_organiser, f"/dashboard/units/{council}"),
            (
                f"drill-down {commune} ({placed.get(commune, 0)} learners)",
                as_organiser,
                f"/dashboard/units/{commune}",
            ),
            (
                "learners file (XLSX) of the commune",
                as_organiser,
                f"/dashboard/units/{commune}/learners.xlsx",
            ),
            ("mentors, admin (whole tree)", as_admin, "/dashboard/mentors"),
            (f"mentors, organiser of {council}", as_organiser, "/dashboard/mentors"),
            (f"mentors of {commune}", as_organiser, f"/dashboard/mentors?unit={commune}"),
            ("campaigns, admin", as_admin, "/dashboard/campaigns"),
        ]
        print(f"{runs} requests each after a warm-up (goal: p95 < 300 ms):")
        for label, client, path in cases:
            cold = path.startswith("/dashboard?") or path == "/dashboard"
            path = path.removesuffix("#warm")
            answer = await client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            timings = []
            for _ in range(runs):
                if cold:
                    app.state.trend_cache = None  # a new, empty cache for this request
                began = time.perf_counter()
                answer = await client.get(path)
                timings.append(time.perf_counter() - began)
                assert answer.status_code == 200
            p50 = statistics.median(timings) * 1000
            p95 = percentile(timings, 0.95) * 1000
            print(
                f"  {label:<58} {len(answer.content):>8,} bytes: "
                f"p50 {p50:6.0f} ms, p95 {p95:6.0f} ms"
            )
        await as_admin.aclose()
        await as_organiser.aclose()
        await engine.dispose()
    finally:
        if reuse is None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--reuse", metavar="NAME", help="seed database NAME once and keep it for the next runs"
    )
    args = parser.parse_args()
    asyncio.run(main(args.learners, args.units, args.runs, args.reuse))
