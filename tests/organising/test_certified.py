"""The certified export for the national platform: who is in it (subtree, consent, revocation,
erasure), its columns read back with csv and openpyxl, the permission and the audit entry, and
cells that a spreadsheet would otherwise run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.credentials.issuer import Issuer
from hocvuso.organising import certified as cert
from hocvuso.organising.errors import Forbidden, Invalid
from hocvuso.organising.permissions import CLI, load_actor
from hocvuso.storage.organising import AuditEntry, Role, Unit
from tests.factories import CERT, OLD_TERMS, TERMS, add_learner, grant
from tests.organising.cli import hocvuso

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ISSUER = Issuer("https://hocvuso.example.vn", "hocvuso")
#: 23/11 at 20:00 in UTC is already 24/11 in Hà Nội: the day of issue is the local one.
LATE = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
EARLY = datetime(2026, 10, 2, 3, 0, tzinfo=UTC)
EVIL = '=HYPERLINK("http://x","bấm")'


@pytest.fixture
async def people(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> dict[str, int]:
    """Learners of the small tree; the keys say who should be in the export of A."""
    made = {
        "lan": await add_learner(
            sessions, unit="A1", name="Nguyễn Thị Lan", created_at=EARLY, certified=[(1, LATE)]
        ),
        "evil": await add_learner(
            sessions, unit="A2x", name=EVIL, created_at=EARLY, certified=[(1, EARLY), (2, LATE)]
        ),
        "old_terms": await add_learner(
            sessions,
            unit="A2",
            name="Trần Văn Cũ",
            created_at=EARLY,
            certified=[(1, EARLY)],
            consent_version=OLD_TERMS,
        ),
        "never_agreed": await add_learner(
            sessions,
            unit="A2",
            name="Lê Chưa Đồng Ý",
            created_at=EARLY,
            certified=[(1, EARLY)],
            consent_at=None,
            consent_version=None,
        ),
        "revoked": await add_learner(
            sessions, unit="A1", name="Phạm Bị Thu Hồi", created_at=EARLY, certified=[(1, EARLY)]
        ),
        "erased": await add_learner(
            sessions,
            unit="A1",
            name="Đã Xoá",
            created_at=EARLY,
            certified=[(1, EARLY)],
            status="erased",
        ),
        "other_unit": await add_learner(
            sessions, unit="B1", name="Hoàng Văn Bê", created_at=EARLY, certified=[(3, EARLY)]
        ),
        "not_certified": await add_learner(sessions, unit="A", name="Chưa Thi", created_at=EARLY),
    }
    async with sessions() as session, session.begin():
        connection = await session.connection()
        await connection.execute(
            update(CERT).where(CERT.c.learner_id == made["revoked"].id).values(revoked_at=NOW)
        )
    return {key: learner.id or 0 for key, learner in made.items()}


async def export(
    sessions: async_sessionmaker[AsyncSession], code: str | None, **options: object
) -> list[cert.Certified]:
    async with sessions() as session, session.begin():
        _unit, rows = await cert.access_certified(
            session,
            CLI,
            code,
            ISSUER,
            NOW,
            consent=TERMS,
            export="csv",
            **options,  # type: ignore[arg-type]
        )
        return rows


async def test_only_consented_certificates_in_force_of_the_subtree_are_exported(
    sessions: async_sessionmaker[AsyncSession], people: dict[str, int]
) -> None:
    rows = await export(sessions, "A")
    assert [(r.unit_code, r.name, r.level) for r in rows] == [
        ("A1", "Nguyễn Thị Lan", 1),
        ("A2x", EVIL, 1),
        ("A2x", EVIL, 2),
    ]
    everyone = await export(sessions, None)
    assert [(r.unit_code, r.name) for r in everyone] == [
        ("A1", "Nguyễn Thị Lan"),
        ("A2x", EVIL),
        ("A2x", EVIL),
        ("B1", "Hoàng Văn Bê"),
    ]
    assert [r.name for r in await export(sessions, "A", level=2)] == [EVIL]
    assert await export(sessions, "B", level=1) == []


async def test_the_csv_has_the_documented_columns_with_local_dates_and_check_urls(
    sessions: async_sessionmaker[AsyncSession], people: dict[str, int]
) -> None:
    rows = await export(sessions, "A1")
    table = list(csv.reader(io.StringIO(cert.to_csv(rows, "vi"))))
    code = rows[0].certificate
    assert table == [
        [
            "STT",
            "Họ và tên",
            "Mã đơn vị",
            "Tên đơn vị",
            "Đối tượng",
            "Cấp độ",
            "Mã chứng nhận",
            "Ngày cấp (ISO)",
            "Ngày cấp",
            "Đường dẫn xác minh",
        ],
        [
            "1",
            "Nguyễn Thị Lan",
            "A1",
            "Phòng A1",
            "Cán bộ, công chức, viên chức",
            "1",
            code,
            "2026-11-24",
            "24/11/2026",
            f"https://hocvuso.example.vn/verify/{code}",
        ],
    ]
    english = list(csv.reader(io.StringIO(cert.to_csv(rows, "en"))))
    assert english[0][:2] == ["No.", "Full name"]
    assert english[1][4] == "Cadre, civil servant or public employee"


async def test_a_name_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(
    sessions: async_sessionmaker[AsyncSession], people: dict[str, int]
) -> None:
    rows = await export(sessions, "A2x")
    table = list(csv.reader(io.StringIO(cert.to_csv(rows))))
    assert [line[1] for line in table[1:]] == ["'" + EVIL, "'" + EVIL]
    sheet = openpyxl.load_workbook(io.BytesIO(cert.to_xlsx(rows))).active
    assert sheet is not None
    assert sheet["B2"].value == "'" + EVIL
    assert sheet["B2"].data_type == "s"
    assert sheet["A1"].value == "STT"
    assert sheet.max_row == 3
    for prefix in "=+-@":
        assert cert.safe(prefix + "1") == "'" + prefix + "1"
    assert cert.safe("Lan") == "Lan"
    assert cert.safe(7) == 7


async def test_an_organiser_exports_their_subtree_only_and_each_export_is_audited(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit], people: dict[str, int]
) -> None:
    boss = await add_learner(sessions, unit=None, name="Tổ chức A2", created_at=EARLY)
    await grant(sessions, boss, Role.ORGANISER, tree["A2"])
    async with sessions() as session, session.begin():
        actor = await load_actor(session, boss.id or 0)
        unit, rows = await cert.access_certified(
            session, actor, None, ISSUER, NOW, consent=TERMS, export="xlsx"
        )
        assert unit is not None and unit.code == "A2"
        assert {r.unit_code for r in rows} == {"A2x"}
        for code in ("A", "A1", "B", "KHONG-CO"):
            with pytest.raises(Forbidden):
                await cert.access_certified(
                    session, actor, code, ISSUER, NOW, consent=TERMS, export="csv"
                )
        with pytest.raises(Invalid):
            await cert.access_certified(
                session, actor, None, ISSUER, NOW, consent=TERMS, export="pdf"
            )
    learner = await add_learner(sessions, unit="A2", name="Người học", created_at=EARLY)
    async with sessions() as session:
        with pytest.raises(Forbidden):
            await cert.access_certified(
                session,
                await load_actor(session, learner.id or 0),
                "A2",
                ISSUER,
                NOW,
                consent=TERMS,
                export="csv",
            )
        entries = (await session.exec(select(AuditEntry))).all()
    exports = [e for e in entries if e.action == "certified.export"]
    assert [(e.actor_id, e.via, e.unit_id, e.details) for e in exports] == [
        (boss.id, "chat", tree["A2"].id, {"format": "xlsx", "rows": 2})
    ]


async def test_the_cli_writes_csv_and_xlsx_files_and_audits_them(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    people: dict[str, int],
    tmp_path: Path,
) -> None:
    target = tmp_path / "dat-chuan.csv"
    result = await hocvuso(database_url, "export", "certified", "--unit", "A", "-o", str(target))
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [line[1] for line in table[1:]] == ["Nguyễn Thị Lan", "'" + EVIL, "'" + EVIL]
    book = tmp_path / "dat-chuan.xlsx"
    result = await hocvuso(
        database_url,
        "export",
        "certified",
        "--format",
        "xlsx",
        "-o",
        str(book),
        "--lang",
        "en",
        "--level",
        "3",
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    rows = [[c.value for c in line] for line in sheet.iter_rows()]
    assert rows[0][1] == "Full name"
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [("Hoàng Văn Bê", "B1", 3)]
    refused = await hocvuso(database_url, "export", "certified", "--unit", "KHONG-CO")
    assert refused.exit_code == 1
    wrong = await hocvuso(database_url, "export", "certified", "--format", "pdf")
    assert wrong.exit_code == 2
    async with sessions() as session:
        entries = (await session.exec(select(AuditEntry))).all()
    assert [(e.via, e.details) for e in entries if e.action == "certified.export"] == [
        ("cli", {"format": "csv", "rows": 3}),
        ("cli", {"format": "xlsx", "rows": 1, "level": 3}),
    ]
