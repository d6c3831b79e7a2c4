"""The certificate PDF: render time per PDF (median, p99) and its size.

Renders ``--count`` certificates with a realistic signed credential attached (an Ed25519 key
made for the run, the real core pack's level titles and areas, varied Vietnamese names, long
ones included), one after another on one core, as the chat and the CLI do (each render is one
``hocvuso.credentials.pdf.render`` call, font loading and subsetting included: fpdf2 parses the
TTF files for every document). Reads the first back with pypdf to check it.

    .venv/bin/python bench/certificate_pdf.py [--count 200]

``--level-pass N``: instead, N learners of the test pack pass level 1 through the engine, and
for the exam's last answer it prints how long the update's transaction took (``Engine.handle``:
what the learner's row is locked for, and what the first reply waits for) and how long until the
PDF was in hand (as a transport makes it when it comes to that reply). Runs on a fresh SQLite
file, or on ``--database-url`` (migrated here; PostgreSQL: an empty database). The same script
runs against an older checkout (``PYTHONPATH=<checkout>``), whose transaction made the PDF.

    .venv/bin/python bench/certificate_pdf.py --level-pass 30 [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pypdf

from hocvuso.config import Settings
from hocvuso.content.loader import load_pack
from hocvuso.credentials import pdf
from hocvuso.credentials.issuer import issuer_from
from hocvuso.credentials.keys import KeyRing, new_key
from hocvuso.learning import certification
from hocvuso.storage.models import Certificate

ROOT = Path(__file__).resolve().parents[1]
NAMES = (
    "Nguyễn Thị Hồng Nhung",
    "Trần Văn Minh",
    "Lê Thu",
    "Tôn Nữ Thị Phương Thảo",
    "Công Tằng Tôn Nữ Thị Bảo Ngọc Minh Châu Khánh Hoàng Lan Anh",
    "Phạm Quốc Việt",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def level_passes(count: int, url: str, data_dir: Path) -> None:
    """The exam's last answer of ``count`` learners: the transaction, and until the PDF."""
    from hocvuso.chat import replies
    from hocvuso.chat.engine import Engine
    from hocvuso.chat.events import Press
    from hocvuso.storage import db
    from tests.chat.flows.test_study import finish_level
    from tests.factories import Conversation

    ready = getattr(replies, "ready", None)  # None: an older checkout, made in the transaction
    settings = Settings(database_url=url, data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    pack = load_pack(ROOT / "tests" / "fixtures" / "pack")
    database = db.make_engine(url)
    engine = Engine(db.make_sessionmaker(database), pack, settings, rng=random.Random(7))
    transaction: list[float] = []
    until_pdf: list[float] = []
    for number in range(count):
        chat = Conversation(engine, pack, chat_id=700_000 + number, name=NAMES[number % 6])
        await chat.onboard()
        await finish_level(chat)
        await chat.press("Bắt đầu thi")
        for _ in range(4):
            await chat.answer(correct=True)
        letter = chat.letter_for(True)
        (last,) = [b for b in chat.buttons() if b.label == letter]
        started = time.perf_counter()
        outcome = await engine.handle(chat.person, Press(last.data), (1, 800_000 + number))
        transaction.append(time.perf_counter() - started)
        made = [await ready(r) if ready else r for r in outcome.replies]
        until_pdf.append(time.perf_counter() - started)
        assert any(r is not None and r.document is not None for r in made), "no PDF"
    await database.dispose()
    for label, values in (("update transaction", transaction), ("until the PDF", until_pdf)):
        ms = [t * 1000 for t in values]
        print(
            f"  {label:<19} median {statistics.median(ms):6.1f} ms, "
            f"p90 {percentile(ms, 0.9):6.1f} ms, max {max(ms):6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--level-pass", type=int, default=0, metavar="N")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.level_pass:
        import sys

        # The tests' conversation driver; an older checkout's when PYTHONPATH names one.
        sys.path.append(str(ROOT))
        from hocvuso.storage import db

        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            db.upgrade(url)
            print(f"level 1 passed by {args.level_pass} learners ({url.split(':', 1)[0]}), "
                  "the exam's last answer:")  # fmt: skip
            asyncio.run(level_passes(args.level_pass, url, Path(tmp)))
        return

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, public_url="https://hocvuso.example.gov.vn"
    )
    pack = load_pack()
    issuer = issuer_from(settings)
    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    ring = KeyRing((new_key(now),))
    areas = certification.competences(pack, 1)
    jobs = []
    for number in range(args.count):
        name = NAMES[number % len(NAMES)]
        code = f"HV{number:04d}-X58K-JYXT"
        certificate = Certificate(
            id=code, learner_id=1, level=1, exam_id=1, score=10, total=10,
            issued_at=now, status_index=number,
        )  # fmt: skip
        unsigned = certification.build_credential(
            issuer, certificate, name, pack.level_title(1, "vi"), areas,
            certification.hash_holder(f"{issuer.id}/learners/{number}"),
            level_title_en=pack.level_title(1, "en"),
        )  # fmt: skip
        credential = certification.sign(unsigned, issuer, ring, now)
        view = pdf.CertificateView(
            name=name, level=1,
            level_title_vi=pack.level_title(1, "vi"), level_title_en=pack.level_title(1, "en"),
            areas_vi=[a.name_vi for a in areas], areas_en=[a.name_en for a in areas],
            issued_on=now.date(), code=code, verify_url=issuer.verify_url(code),
            issuer_name="Ban Chỉ đạo Bình dân học vụ số",
        )  # fmt: skip
        jobs.append((view, credential))

    timings: list[float] = []
    sizes: list[int] = []
    first = b""
    for view, credential in jobs:
        started = time.perf_counter()
        content = pdf.render(view, credential)
        timings.append(time.perf_counter() - started)
        sizes.append(len(content))
        first = first or content
    reader = pypdf.PdfReader(io.BytesIO(first))
    assert NAMES[0] in reader.pages[0].extract_text()
    assert "credential.json" in reader.attachments

    ms = [t * 1000 for t in timings]
    print(f"certificate PDFs rendered: {len(ms)}")
    print(f"  first (cold):   {ms[0]:.1f} ms")
    print(f"  median:         {statistics.median(ms):.1f} ms")
    print(f"  p99:            {percentile(ms, 0.99):.1f} ms")
    print(f"  throughput:     {len(ms) / sum(timings):.1f} PDFs/s on one core")
    print(f"  size: median {statistics.median(sizes) / 1024:.1f} KB, "
          f"max {max(sizes) / 1024:.1f} KB (fonts subset; credential attached)")  # fmt: skip


if __name__ == "__main__":
    main()
