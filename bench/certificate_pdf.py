"""The certificate PDF: render time per PDF (median, p99) and its size.

Renders ``--count`` certificates with a realistic signed credential attached (an Ed25519 key
made for the run, the real core pack's level titles and areas, varied Vietnamese names, long
ones included), one after another on one core, as the chat and the CLI do (each render is one
``hocvuso.credentials.pdf.render`` call, font loading and subsetting included: fpdf2 parses the
TTF files for every document). Reads the first back with pypdf to check it.

    .venv/bin/python bench/certificate_pdf.py [--count 200]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import UTC, datetime

import pypdf

from hocvuso.config import Settings
from hocvuso.content.loader import load_pack
from hocvuso.credentials import pdf
from hocvuso.credentials.issuer import issuer_from
from hocvuso.credentials.keys import KeyRing, new_key
from hocvuso.learning import certification
from hocvuso.storage.models import Certificate

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

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
