"""Signed certificates: the cost of one, and of many.

1. sign: build and sign one credential (``eddsa-rdfc-2022``: two RDFC-1.0 canonicalisations and
   an Ed25519 signature), in memory.
2. verify: ``check_document`` of a signed credential (the same canonicalisations, a verification).
   pdf: ``credentials.pdf.render`` of that credential's certificate (fonts subset, QR code, the
   credential attached), as the chat and ``hocvuso certificate pdf`` make it.
   Yardstick in the same run: a bare Ed25519 signature of 64 bytes (PyNaCl), the floor of any
   signing scheme.
3. issue: ``certification.issue`` in its own transaction on a throw-away SQLite database (status
   index drawn, credential signed and stored), one certificate after another.
4. check: ``certification.check`` by code (read, verify) on that database.
5. status list: one signed ``BitstringStatusListCredential`` (131,072 bits).

Prints median and p99 wall time and CPU time per operation, and the total for ``--issue``
certificates (the issue's figure is for 10,000: ``--issue 10000``).

    .venv/bin/python bench/certificates.py [--n 200] [--issue 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from hocvuso.config import Settings
from hocvuso.content.loader import load_pack
from hocvuso.credentials import pdf
from hocvuso.credentials.issuer import issuer_from
from hocvuso.credentials.keys import KeyRing, new_key
from hocvuso.learning import certification
from hocvuso.storage import db
from hocvuso.storage.models import Certificate, ExamAttempt, Learner

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PACK = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pack"


def _figures(name: str, wall: list[float], cpu: list[float]) -> None:
    def p99(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    print(
        f"{name:<12} n={len(wall):<6} median {statistics.median(wall) * 1000:7.2f} ms"
        f"  p99 {p99(wall) * 1000:7.2f} ms  CPU median {statistics.median(cpu) * 1000:7.2f} ms"
        f"  p99 {p99(cpu) * 1000:7.2f} ms"
    )


def _time_sync(name: str, n: int, work: Callable[[int], object]) -> None:
    wall, cpu = [], []
    for i in range(n):
        w, c = time.perf_counter(), time.process_time()
        work(i)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    _figures(name, wall, cpu)


async def _time_async(name: str, n: int, work: Callable[[int], Awaitable[object]]) -> float:
    wall, cpu = [], []
    started = time.perf_counter()
    for i in range(n):
        w, c = time.perf_counter(), time.process_time()
        await work(i)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    _figures(name, wall, cpu)
    return time.perf_counter() - started


async def _seed(url: str, count: int) -> list[str]:
    engine = db.make_engine(url)
    codes = [f"HVS1-B{i:07d}" for i in range(count)]
    async with engine.begin() as connection:
        await connection.execute(
            insert(Learner.__table__),  # type: ignore[attr-defined]
            [
                {"platform": "telegram", "chat_id": 10_000 + i, "display_name": f"Học viên {i}",
                 "state": {}, "level": 1, "created_at": NOW, "status": "active",
                 "bot_id": 0, "language": "vi", "timezone": "Asia/Ho_Chi_Minh",
                 "reminder_hour": 19, "placement_done": True}
                for i in range(count)
            ],
        )  # fmt: skip
        await connection.execute(
            insert(ExamAttempt.__table__),  # type: ignore[attr-defined]
            [
                {"learner_id": i + 1, "level": 1, "question_ids": [], "correct": 5,
                 "answered": 5, "passed": True, "started_at": NOW, "finished_at": NOW}
                for i in range(count)
            ],
        )  # fmt: skip
        await connection.execute(
            insert(Certificate.__table__),  # type: ignore[attr-defined]
            [
                {"id": code, "learner_id": i + 1, "level": 1, "exam_id": i + 1, "score": 5,
                 "total": 5, "issued_at": NOW}
                for i, code in enumerate(codes)
            ],
        )  # fmt: skip
    await engine.dispose()
    return codes


async def _database(settings: Settings, ring: KeyRing, n: int, issue: int) -> None:
    pack = load_pack(PACK)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        await db.upgrade_async(url)
        codes = await _seed(url, max(n, issue))
        engine = db.make_engine(url)
        sessions = db.make_sessionmaker(engine)

        async def issue_one(i: int) -> None:
            async with sessions() as session, session.begin():
                certificate = await session.get(Certificate, codes[i])
                learner = await session.get(Learner, i + 1)
                assert certificate is not None and learner is not None
                await certification.issue(session, settings, ring, certificate, learner, pack)

        total = await _time_async("issue", max(n, issue), issue_one)
        print(f"issue total  {max(n, issue)} certificates in {total:.1f} s")

        async def check_one(i: int) -> None:
            async with sessions() as session:
                result = await certification.check(session, settings, ring, codes[i])
                assert result.state == "valid", result

        await _time_async("check", n, check_one)

        async def status_list(_: int) -> None:
            async with sessions() as session:
                await certification.status_list_credential(session, settings, ring, 0)

        await _time_async("status list", min(n, 20), status_list)
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="Operations per measure.")
    parser.add_argument("--issue", type=int, default=1000, help="Certificates to issue.")
    args = parser.parse_args()

    settings = Settings(public_url="https://hocvuso.example.gov.vn", _env_file=None)  # type: ignore[call-arg]
    ring = KeyRing((new_key(NOW),))
    issuer = issuer_from(settings)
    areas = [certification.Competence("safety", "An toàn", "Safety")]
    holder = certification.hash_holder("bench")

    def unsigned(i: int) -> dict[str, Any]:
        certificate = Certificate(
            id=f"HVS1-A{i:07d}", learner_id=1, level=1, exam_id=1, score=5, total=5,
            issued_at=NOW, status_index=i,
        )  # fmt: skip
        return certification.build_credential(
            issuer, certificate, f"Nguyễn Văn {i}", "Cơ bản", areas, holder
        )

    documents = [certification.sign(unsigned(i), issuer, ring, NOW) for i in range(args.n)]
    keys = issuer.public_key_for(ring)
    _time_sync("sign", args.n, lambda i: certification.sign(unsigned(i), issuer, ring, NOW))
    _time_sync("verify", args.n, lambda i: certification.check_document(documents[i], keys))

    def view(i: int) -> pdf.CertificateView:
        code = f"HVS1-A{i:07d}"
        return pdf.CertificateView(
            name=f"Nguyễn Văn {i}", level=1, level_title_vi="Cơ bản", level_title_en="Basic",
            areas_vi=["An toàn"], areas_en=["Safety"], issued_on=NOW.date(), code=code,
            verify_url=issuer.verify_url(code), issuer_name=settings.issuer_name,
        )  # fmt: skip

    _time_sync("pdf", args.n, lambda i: pdf.render(view(i), documents[i]))
    bare = ring.current
    _time_sync("ed25519 bare", args.n, lambda i: bare.sign(i.to_bytes(64, "big")))
    asyncio.run(_database(settings, ring, args.n, args.issue))


if __name__ == "__main__":
    main()
