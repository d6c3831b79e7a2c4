"""Certificate checks over HTTP: requests/s, p50 and p99 of ``/verify/{code}`` on the real
``hocvuso web`` process, with ``/healthz`` (one ``SELECT 1``) as the yardstick in the same run.

Seeds signed certificates in a throw-away database (SQLite file or a fresh PostgreSQL
database), starts ``hocvuso web`` (tests/web/server.py), then for each endpoint sends
``--requests`` GETs from ``--concurrency`` keep-alive clients and reports the rate and the
latency percentiles. A check page is a primary-key read, a signature verification (RDFC-1.0
canonicalisation and Ed25519) and a template: the gap to ``/healthz`` is what a check costs.
"first" checks each certificate once (the proof is verified); "again" checks them at random
once more (the proof of an unchanged stored credential is not verified twice).

    .venv/bin/python bench/web.py [--database sqlite|postgresql] [--certificates 200]
                                  [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocvuso.config import Settings
from hocvuso.content.loader import load_pack
from hocvuso.credentials import keys
from hocvuso.storage import db
from tests.web.certificates import issue_certificate
from tests.web.server import WebProcess

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PUBLIC_URL = "https://hocvuso.example.vn"


async def _pg(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def seed(url: str, count: int, ring: keys.KeyRing, workdir: Path) -> list[str]:
    await db.upgrade_async(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, data_dir=workdir, public_url=PUBLIC_URL
    )
    pack = load_pack(ROOT / "tests" / "fixtures" / "pack")
    engine = db.make_engine(url)
    codes = []
    for n in range(count):
        code, _ = await issue_certificate(engine, settings, ring, pack, name=f"Nguyễn Văn {n}")
        codes.append(code)
    await engine.dispose()
    return codes


async def hammer(
    base_url: str, paths: list[str], total: int, concurrency: int, *, each_once: bool = False
) -> dict[str, float]:
    """``total`` GETs of paths drawn at random (``each_once``: every path once, in order)."""
    latencies: list[float] = []
    errors = 0
    remaining = total
    queue = iter(paths)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            path = next(queue) if each_once else random.choice(paths)
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(client.get("/healthz") for _ in range(concurrency)))  # connect
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": errors,
    }


async def main(args: argparse.Namespace) -> None:
    ring = keys.KeyRing((keys.new_key(datetime.now(UTC)),))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        name = f"hocvuso_bench_web_{uuid.uuid4().hex[:8]}"
        if args.database == "postgresql":
            await _pg(f'CREATE DATABASE "{name}"')
            base, _ = PG_ADMIN.rsplit("/", 1)
            url = f"{base}/{name}"
        else:
            url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        try:
            codes = await seed(url, args.certificates, ring, workdir)
            env = {
                "HOCVUSO_CREDENTIAL_KEYS": json.dumps(ring.to_json()),
                "HOCVUSO_PUBLIC_URL": PUBLIC_URL,
                "HOCVUSO_WEB_RATE_LIMIT": str(10**9),
                "HOCVUSO_LOG_LEVEL": "WARNING",
            }
            async with WebProcess(url, workdir, **env) as web:
                pages = [f"/verify/{code}" for code in codes]
                results = {
                    "/healthz": await hammer(
                        web.base_url, ["/healthz"], args.requests, args.concurrency
                    ),
                    # Each certificate's first check verifies its proof; later checks of the
                    # same stored credential reuse that (hocvuso.web.verify.CheckMemo).
                    "/verify first": await hammer(
                        web.base_url, pages, len(pages), args.concurrency, each_once=True
                    ),
                    "/verify again": await hammer(
                        web.base_url, pages, args.requests, args.concurrency
                    ),
                }
        finally:
            if args.database == "postgresql":
                await _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        f"hocvuso web on {args.database}: {args.certificates} certificates, "
        f"{args.requests} requests per endpoint, {args.concurrency} concurrent clients"
    )
    print(f"{'endpoint':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for path, r in results.items():
        print(
            f"{path:<16}{r['rps']:>10.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
            f"{r['errors']:>8.0f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    asyncio.run(main(parser.parse_args()))
