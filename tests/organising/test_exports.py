"""Exports: the CSV, XLSX and JSON of a report — made in-process and by ``hocvuso report`` —
open with standard readers (csv, openpyxl, json) and hold the numbers an organiser sees in
/report, which are themselves the independently computed figures of the seeded data."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from hocvuso.chat.engine import Engine
from hocvuso.cli import app
from hocvuso.config import Settings, get_settings
from hocvuso.content.loader import Pack
from hocvuso.organising import exports
from hocvuso.organising.forecast import Target
from hocvuso.organising.reports import Report, unit_report
from hocvuso.storage.organising import AuditEntry, Role, Unit
from tests.conftest import TEST_PACK
from tests.factories import add_learner, add_units, grant, talk
from tests.organising.report_data import (
    DIRECT,
    NOW,
    ChatReport,
    ChatRow,
    Figures,
    Seeded,
    as_chat,
    chat_report,
    expected_report,
    read_forecast,
    records,
    seed,
)

TARGET = Target(level=1, percent=75, deadline=date(2026, 12, 31))
TARGET_L2 = Target(level=2, percent=50, deadline=date(2027, 6, 30))
HEADERS = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Số người tham gia",
    "Hoạt động 7 ngày qua",
    "Đạt chuẩn cấp 1",
    "Đạt chuẩn cấp 2",
    "Đạt chuẩn cấp 3",
    "Đạt chuẩn cấp 4",
    "Tỷ lệ đạt chuẩn (%)",
    "Đạt so với mục tiêu (%)",
    "Dự báo",
]
TITLE = "📊 Báo cáo: Sở A – ngày 23/11/2026\nMục tiêu: 75% đạt chuẩn cấp 1 trước 31/12/2026"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        target_level=TARGET.level,
        target_percent=TARGET.percent,
        target_deadline=TARGET.deadline,
        _env_file=None,
    )


@pytest.fixture
def data() -> list[Seeded]:
    return records()


@pytest.fixture
async def seeded(sessions: async_sessionmaker[AsyncSession], data: list[Seeded]) -> dict[str, Unit]:
    return await seed(sessions, data)


@pytest.fixture
async def shown(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    seeded: dict[str, Unit],
) -> ChatReport:
    """What the organiser of Sở A reads after typing /report."""
    boss = await add_learner(sessions, unit=None, name="Người tổ chức", created_at=NOW)
    await grant(sessions, boss, Role.ORGANISER, seeded["SO-A"])
    return await chat_report(talk(engine, pack, boss))


async def report_of(
    sessions: async_sessionmaker[AsyncSession], unit: Unit | None, target: Target = TARGET
) -> Report:
    async with sessions() as session:
        return await unit_report(session, unit, target, NOW)


def expected(data: list[Seeded], target: Target = TARGET) -> list[Figures]:
    rows, total = expected_report(
        data, "SO-A", level=target.level, percent=target.percent, deadline=target.deadline
    )
    return [*rows, total]


# --- reading the files back -----------------------------------------------------------------------
def _number(value: Any) -> float | None:
    return None if value in ("", None, "—") else float(value)


def read_row(cells: list[Any]) -> tuple[ChatRow, float | None]:
    """A file's row as the chat shows it, and the certified %."""
    code, name, joined, active, c1, c2, c3, c4, certified_percent, of_target, forecast = cells
    outlook, when = read_forecast(forecast)
    row = ChatRow(
        name.removesuffix(DIRECT),
        code or "",
        int(joined),
        int(active),
        (int(c1), int(c2), int(c3), int(c4)),
        _number(of_target),
        outlook,
        when,
        _number(certified_percent),
    )
    return row, _number(certified_percent)


def check_rows(cells: list[list[Any]], chat: ChatReport, figures: list[Figures]) -> None:
    """The file's rows are the chat's rows, and both are the expected figures."""
    rows = [read_row(row) for row in cells]
    # The files leave the total's code empty (it is no unit); the chat shows the root's code.
    assert rows[-1][0].code == ""  # CSV: empty text; XLSX: an empty cell
    total = dataclasses.replace(rows[-1][0], code=chat.total.code)
    assert [row for row, _ in rows[:-1]] + [total] == [*chat.rows, chat.total]
    assert [*chat.rows, chat.total] == [as_chat(f) for f in figures]
    assert [percent for _, percent in rows] == [f.certified_percent for f in figures]


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def read_xlsx(content: bytes) -> tuple[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = book["Báo cáo"]
    title, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return title[0], rows


# --- from unit_report -----------------------------------------------------------------------------
async def test_the_csv_opens_with_the_csv_module_and_holds_the_numbers_of_report(
    sessions: async_sessionmaker[AsyncSession],
    seeded: dict[str, Unit],
    data: list[Seeded],
    shown: ChatReport,
) -> None:
    text = exports.to_csv(await report_of(sessions, seeded["SO-A"]))

    header, *rows = read_csv(text)
    assert header == HEADERS
    check_rows(rows, shown, expected(data))
    assert rows[-1][:2] == ["", "Tổng cộng"]


async def test_the_xlsx_opens_with_openpyxl_and_holds_the_numbers_of_report(
    sessions: async_sessionmaker[AsyncSession],
    seeded: dict[str, Unit],
    data: list[Seeded],
    shown: ChatReport,
) -> None:
    content = exports.to_xlsx(await report_of(sessions, seeded["SO-A"]))

    title, (header, *rows) = read_xlsx(content)
    assert title == TITLE == shown.title
    assert header == HEADERS
    check_rows(rows, shown, expected(data))
    # Numbers are numbers (sums and charts work in a spreadsheet), an empty % is an empty cell.
    assert all(isinstance(value, int) for row in rows for value in row[2:8])
    assert all(
        value is None or isinstance(value, int | float) for row in rows for value in row[8:10]
    )


async def test_the_json_holds_the_numbers_of_report_with_dates_and_outlooks(
    sessions: async_sessionmaker[AsyncSession],
    seeded: dict[str, Unit],
    data: list[Seeded],
    shown: ChatReport,
) -> None:
    document = json.loads(exports.to_json(await report_of(sessions, seeded["SO-A"])))

    check_json(document, data, TARGET)
    items = [*document["rows"], document["total"]]
    assert [item["code"] for item in items] == [r.code for r in [*shown.rows, shown.total]]
    assert [item["joined"] for item in items] == [r.joined for r in [*shown.rows, shown.total]]


def check_json(document: dict[str, Any], data: list[Seeded], target: Target) -> None:
    assert {key: document[key] for key in ("unit", "date", "target")} == {
        "unit": "SO-A",
        "date": "2026-11-23",
        "target": {
            "level": target.level,
            "percent": target.percent,
            "deadline": target.deadline.isoformat(),
        },
    }
    assert [*document["rows"], document["total"]] == [
        {
            "code": f.code,
            "name": f.name,
            "direct": index == 0,  # the root's own people come first
            "joined": f.joined,
            "active_7d": f.active,
            "certified": {str(n): f.certified[n - 1] for n in (1, 2, 3, 4)},
            "certified_percent": f.certified_percent,
            "percent_of_target": f.percent_of_target,
            "forecast": f.outlook,
            "forecast_date": f.when.isoformat() if f.when else None,
            "in_time": f.outlook in {"reached", "on_track"},
        }
        for index, f in enumerate(expected(data, target))
    ]


async def test_an_empty_unit_exports_empty_percentages_not_zero(
    sessions: async_sessionmaker[AsyncSession], seeded: dict[str, Unit]
) -> None:
    report = await report_of(sessions, seeded["PB2"])

    (csv_row,) = read_csv(exports.to_csv(report))[1:-1]
    _, (_, xlsx_row, _) = read_xlsx(exports.to_xlsx(report))
    assert csv_row[2:10] == ["0", "0", "0", "0", "0", "0", "", ""]
    assert xlsx_row[2:10] == [0, 0, 0, 0, 0, 0, None, None]


async def test_the_xlsx_title_is_plain_text_even_for_names_with_html_characters(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tree = await add_units(sessions, ("KHDT", "Sở Kế hoạch & Đầu tư <Hà Nội>", None))

    title, _ = read_xlsx(exports.to_xlsx(await report_of(sessions, tree["KHDT"])))

    assert title.startswith("📊 Báo cáo: Sở Kế hoạch & Đầu tư <Hà Nội> – ngày 23/11/2026\n")


# --- through the command line ---------------------------------------------------------------------
@pytest.fixture
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What an administrator sets before ``hocvuso report``."""
    for name, value in {
        "HOCVUSO_DATABASE_URL": database_url,
        "HOCVUSO_CONTENT_PATH": str(TEST_PACK),  # small: quick to load
        "HOCVUSO_LANGUAGE": "vi",
        "HOCVUSO_TARGET_LEVEL": str(TARGET.level),
        "HOCVUSO_TARGET_PERCENT": str(TARGET.percent),
        "HOCVUSO_TARGET_DEADLINE": TARGET.deadline.isoformat(),
        "COLUMNS": "400",  # no wrapping in the table
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def hocvuso_report(*args: str, at: datetime = NOW) -> Result:
    """``hocvuso report …`` on its own event loop (in a thread), at the clock's moment."""

    def invoke() -> Result:
        with time_machine.travel(at, tick=False):
            return CliRunner().invoke(app, ["report", *args])

    result = await asyncio.to_thread(invoke)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.mark.usefixtures("environment")
async def test_the_cli_csv_file_holds_the_numbers_of_report(
    tmp_path: Path, data: list[Seeded], shown: ChatReport
) -> None:
    path = tmp_path / "bao-cao.csv"

    result = await hocvuso_report("--unit", "SO-A", "--format", "csv", "--output", str(path))

    assert result.output == f"written {path}\n"
    # A byte-order mark first, so that Excel opens the file as UTF-8 (Vietnamese intact).
    assert path.read_bytes().startswith("\ufeff".encode())
    header, *rows = read_csv(path.read_text(encoding="utf-8-sig"))
    assert header == HEADERS
    check_rows(rows, shown, expected(data))


@pytest.mark.usefixtures("environment")
async def test_the_cli_csv_on_standard_output_holds_the_numbers_of_report(
    data: list[Seeded], shown: ChatReport
) -> None:
    result = await hocvuso_report("--unit", "SO-A", "--format", "csv")

    header, *rows = read_csv(result.stdout)
    assert header == HEADERS
    check_rows(rows, shown, expected(data))


@pytest.mark.usefixtures("environment")
async def test_the_cli_xlsx_file_holds_the_numbers_of_report_and_is_audited(
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    data: list[Seeded],
    shown: ChatReport,
    seeded: dict[str, Unit],
) -> None:
    path = tmp_path / "bao-cao.xlsx"

    await hocvuso_report("--unit", "SO-A", "--format", "xlsx", "--output", str(path))

    title, (header, *rows) = read_xlsx(path.read_bytes())
    assert title == shown.title
    assert header == HEADERS
    check_rows(rows, shown, expected(data))
    async with sessions() as session:
        entries = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "report.export"))
        ).all()
    assert [(e.actor_id, e.via, e.unit_id, e.details) for e in entries] == [
        (None, "cli", seeded["SO-A"].id, {"format": "xlsx"})
    ]


@pytest.mark.usefixtures("environment")
async def test_the_cli_json_follows_the_target_options(
    tmp_path: Path, data: list[Seeded], seeded: dict[str, Unit]
) -> None:
    path = tmp_path / "bao-cao.json"

    await hocvuso_report(
        "--unit", "SO-A", "--format", "json", "--output", str(path),
        "--level", "2", "--percent", "50", "--deadline", "2027-06-30",
    )  # fmt: skip

    check_json(json.loads(path.read_text(encoding="utf-8")), data, TARGET_L2)


@pytest.mark.usefixtures("environment")
async def test_the_cli_table_shows_the_numbers_of_report(
    data: list[Seeded], shown: ChatReport
) -> None:
    result = await hocvuso_report("--unit", "SO-A")

    lines = [line for line in result.output.splitlines() if line.startswith("│")]
    cells = [[cell.strip() for cell in line.strip("│").split("│")] for line in lines]
    check_rows(cells, shown, expected(data))


@pytest.mark.usefixtures("environment")
async def test_the_cli_table_title_has_no_html_tags(shown: ChatReport) -> None:
    result = await hocvuso_report("--unit", "SO-A")

    assert "Báo cáo: Sở A – ngày 23/11/2026" in result.output
    assert "<b>" not in result.output


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "--format xlsx needs --output FILE.xlsx"),
        (["--format", "pdf"], "--format must be one of table, csv, xlsx, json"),
    ],
)
async def test_the_cli_refuses_a_bad_format_request(args: list[str], message: str) -> None:
    result = await asyncio.to_thread(CliRunner().invoke, app, ["report", *args])

    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


@pytest.mark.usefixtures("environment")
async def test_the_cli_refuses_an_unknown_unit(seeded: dict[str, Unit]) -> None:
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["report", "--unit", "KHONG-CO", "--format", "csv"]
    )

    assert (result.exit_code, result.output) == (1, "Không có đơn vị mã KHONG-CO.\n")
