"""Unit reports: every figure of every row and of the total against a seeded data set whose
expected numbers are computed independently from the seeded records (``report_data``), the
chat's /report showing the same figures, and who sees which rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.organising.forecast import Outlook, Target
from hocvuso.organising.reports import Report, unit_report
from hocvuso.storage.organising import Role, Unit
from tests.factories import add_learner, add_units, grant, talk
from tests.organising.report_data import (
    GONE,
    NOW,
    PARENTS,
    TODAY,
    UNITS,
    Figures,
    Seeded,
    actual,
    as_chat,
    chat_report,
    expected_report,
    records,
    seed,
)

#: The target the chat reports against (see the ``settings`` fixture below).
TARGET = Target(level=1, percent=75, deadline=date(2026, 12, 31))
#: Another one: level 2, half of the people, by mid-2027.
TARGET_L2 = Target(level=2, percent=50, deadline=date(2027, 6, 30))
ROOTS = (None, "SO-A", "SO-B", "PA2", "TO-A2X", "PB2")


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
async def bare_tree(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Unit]:
    """The same units, nobody in them."""
    return await add_units(sessions, *UNITS)


async def report_of(
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    code: str | None,
    target: Target = TARGET,
    now: datetime = NOW,
) -> Report:
    async with sessions() as session:
        return await unit_report(session, tree[code] if code else None, target, now)


def expect(data: list[Seeded], code: str | None, target: Target) -> tuple[list[Figures], Figures]:
    return expected_report(
        data, code, level=target.level, percent=target.percent, deadline=target.deadline
    )


async def organiser(
    sessions: async_sessionmaker[AsyncSession], unit: Unit | None, role: Role = Role.ORGANISER
) -> object:
    """A staff member outside every unit (so that using the bot changes no figure)."""
    person = await add_learner(sessions, unit=None, name="Trần Văn Tổ Chức", created_at=NOW)
    await grant(sessions, person, role, unit)
    return person


# --- figures against the seeded data ------------------------------------------------------------
@pytest.mark.parametrize("target", [TARGET, TARGET_L2], ids=["level1-75pc", "level2-50pc"])
async def test_every_figure_of_every_row_and_the_total_matches_the_seeded_data(
    sessions: async_sessionmaker[AsyncSession],
    seeded: dict[str, Unit],
    data: list[Seeded],
    target: Target,
) -> None:
    """For the whole tree and for units at each depth (one without learners)."""
    got, want = {}, {}
    for root in ROOTS:
        report = await report_of(sessions, seeded, root, target)
        assert (report.unit_code, report.today, report.target) == (root, TODAY, target)
        got[root] = ([actual(row) for row in report.rows], actual(report.total))
        want[root] = expect(data, root, target)

    assert got == want


async def test_the_seeded_rows_show_every_outlook_with_its_date(
    sessions: async_sessionmaker[AsyncSession], seeded: dict[str, Unit]
) -> None:
    """The data set is not trivial: each outlook occurs, with the day it falls on."""
    outlooks = {
        (report.unit_code, row.code): (row.forecast.outlook, row.forecast.when)
        for code in ("SO-A", "SO-B", "PA2")
        for report in [await report_of(sessions, seeded, code)]
        for row in report.rows
    }

    assert outlooks[("SO-A", "PA1")] == (Outlook.REACHED, None)
    assert outlooks[("SO-A", "SO-A")] == (Outlook.ON_TRACK, date(2026, 12, 7))
    assert outlooks[("PA2", "TO-A2X")] == (Outlook.LATE, date(2027, 1, 11))
    assert outlooks[("SO-B", "PB1")] == (Outlook.LATE, date(2027, 11, 22))
    # Sở B's own people were certified long ago only; nobody at all is in Phòng B2.
    assert outlooks[("SO-B", "SO-B")] == (Outlook.NO_ACTIVITY, None)
    assert outlooks[("SO-B", "PB2")] == (Outlook.NO_ACTIVITY, None)


async def test_learners_without_a_unit_or_with_a_unit_that_no_longer_exists_are_in_no_row(
    sessions: async_sessionmaker[AsyncSession], seeded: dict[str, Unit], data: list[Seeded]
) -> None:
    report = await report_of(sessions, seeded, None)

    outside = [m for m in data if m.unit not in PARENTS]
    assert {m.unit for m in outside} == {None, GONE} and len(outside) == 12
    assert report.total.joined == len(data) - len(outside)
    assert sum(row.joined for row in report.rows) == report.total.joined
    assert [row.code for row in report.rows] == ["SO-A", "SO-B"]


# --- small hand-built cases -----------------------------------------------------------------------
async def test_a_sub_unit_row_counts_its_subtree_and_the_root_row_only_its_own_people(
    sessions: async_sessionmaker[AsyncSession], bare_tree: dict[str, Unit]
) -> None:
    people = {"SO-A": 2, "PA1": 1, "PA2": 2, "TO-A2X": 3, "PB1": 1}
    for unit, count in people.items():
        for _ in range(count):
            await add_learner(sessions, unit=unit, created_at=NOW - timedelta(days=30))

    unit_a = await report_of(sessions, bare_tree, "SO-A")
    whole = await report_of(sessions, bare_tree, None)
    deepest = await report_of(sessions, bare_tree, "TO-A2X")

    # Root first, then the children by code (PA1 was imported after PA2).
    assert [(r.code, r.name, r.joined) for r in unit_a.rows] == [
        ("SO-A", "Sở A", 2),
        ("PA1", "Phòng A1", 1),
        ("PA2", "Phòng A2", 5),
    ]
    assert (unit_a.total.code, unit_a.total.joined) == ("SO-A", 8)
    # The whole tree has no root row: the top-level units by code (SO-B was imported first).
    assert [(r.code, r.joined) for r in whole.rows] == [("SO-A", 8), ("SO-B", 1)]
    assert (whole.total.code, whole.total.joined) == ("*", 9)
    # A unit without sub-units: its own row, and the total.
    assert [(r.code, r.joined) for r in deepest.rows] == [("TO-A2X", 3)]
    assert deepest.total.joined == 3


async def test_the_whole_tree_under_a_single_top_unit_reports_that_unit_and_its_parts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tree = await add_units(
        sessions, ("QH", "Quốc hội", None), ("VP", "Văn phòng", "QH"), ("UB", "Ủy ban", "QH")
    )
    for unit in ("QH", "VP", "VP", "UB"):
        await add_learner(sessions, unit=unit, created_at=NOW)

    report = await report_of(sessions, tree, None)

    assert (report.unit_code, report.unit_name) == ("QH", "Quốc hội")
    assert [(r.code, r.joined) for r in report.rows] == [("QH", 1), ("UB", 1), ("VP", 2)]
    assert (report.total.code, report.total.joined) == ("QH", 4)


async def test_active_means_within_7_days_and_the_pace_within_28_days_both_inclusive(
    sessions: async_sessionmaker[AsyncSession], bare_tree: dict[str, Unit]
) -> None:
    tick = timedelta(microseconds=1)
    week, pace = timedelta(days=7), timedelta(days=28)
    for last_active, issued in [
        (NOW - week, NOW - pace),  # both counted
        (NOW - week - tick, NOW - pace - tick),  # neither
        (None, None),
    ]:
        await add_learner(
            sessions,
            unit="PB1",
            created_at=NOW - timedelta(days=60),
            last_active_at=last_active,
            certified=[(1, issued)] if issued else [],
        )

    report = await report_of(sessions, bare_tree, "SO-B")

    row = next(r for r in report.rows if r.code == "PB1")
    assert (row.joined, row.active, row.certified, row.recent) == (3, 1, (2, 0, 0, 0), 1)
    # 75% of 3 is 3 people (rounded up); 2 certified: 1 missing at 1 per 28 days.
    assert row.percent_of_target == 66.7
    assert (row.forecast.outlook, row.forecast.when) == (Outlook.ON_TRACK, TODAY + pace)


async def test_the_report_day_and_the_forecast_count_from_the_day_in_hanoi(
    sessions: async_sessionmaker[AsyncSession], bare_tree: dict[str, Unit]
) -> None:
    evening = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 00:30 on 24/11 in Hà Nội
    await add_learner(sessions, unit="PB1", created_at=NOW, certified=[(1, NOW)])
    for _ in range(3):
        await add_learner(sessions, unit="PB1", created_at=NOW)

    report = await report_of(sessions, bare_tree, "PB1", now=evening)

    assert report.today == date(2026, 11, 24)
    # 3 needed, 1 certified: 2 missing at 1 per 28 days = 56 days from 24/11.
    assert report.rows[0].forecast.when == date(2027, 1, 19)
    assert report.rows[0].forecast.outlook == Outlook.LATE


# --- /report in the chat --------------------------------------------------------------------------
async def test_the_chat_report_shows_every_figure_of_the_seeded_data(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    seeded: dict[str, Unit],
    data: list[Seeded],
) -> None:
    boss = await organiser(sessions, seeded["SO-A"])

    shown = await chat_report(talk(engine, pack, boss))  # type: ignore[arg-type]

    rows, total = expect(data, "SO-A", TARGET)
    assert shown.title == (
        "📊 Báo cáo: Sở A – ngày 23/11/2026\nMục tiêu: 75% đạt chuẩn cấp 1 trước 31/12/2026"
    )
    assert shown.rows == [as_chat(row) for row in rows]
    assert shown.total == as_chat(total, "Tổng cộng")


async def test_an_admin_sees_the_whole_tree_by_top_level_unit(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    seeded: dict[str, Unit],
    data: list[Seeded],
) -> None:
    admin = await organiser(sessions, None, Role.ADMIN)

    shown = await chat_report(talk(engine, pack, admin))  # type: ignore[arg-type]

    rows, total = expect(data, None, TARGET)
    assert shown.title.startswith("📊 Báo cáo: Toàn hệ thống – ngày 23/11/2026")
    assert [row.code for row in shown.rows] == ["SO-A", "SO-B"]
    assert shown.rows == [as_chat(row) for row in rows]
    assert shown.total == as_chat(total, "Tổng cộng")


async def test_an_organiser_of_a_sub_unit_sees_only_their_subtree(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    seeded: dict[str, Unit],
    data: list[Seeded],
) -> None:
    boss = await organiser(sessions, seeded["PA2"])
    chat = talk(engine, pack, boss)  # type: ignore[arg-type]

    own = await chat_report(chat)
    below = await chat_report(chat, "/report TO-A2X")

    rows, total = expect(data, "PA2", TARGET)
    assert [row.code for row in own.rows] == ["PA2", "TO-A2X"]
    assert own.rows == [as_chat(row) for row in rows]
    assert own.total == as_chat(total, "Tổng cộng")
    rows, total = expect(data, "TO-A2X", TARGET)
    assert below.rows == [as_chat(row) for row in rows]
    assert below.total == as_chat(total, "Tổng cộng")


@pytest.mark.parametrize("code", ["SO-A", "PA1", "PB1", "KHONG-CO"])
async def test_an_organiser_is_refused_a_unit_outside_their_subtree_like_a_unit_that_does_not_exist(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    bare_tree: dict[str, Unit],
    code: str,
) -> None:
    boss = await organiser(sessions, bare_tree["PA2"])
    chat = talk(engine, pack, boss)  # type: ignore[arg-type]

    await chat.send(f"/report {code}")

    assert chat.text == (
        f"Anh/chị không có quyền với đơn vị {code} (hoặc đơn vị này không tồn tại)."
    )


async def test_a_learner_without_a_role_is_refused_the_report(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    bare_tree: dict[str, Unit],
) -> None:
    learner = await add_learner(sessions, unit="PA1", created_at=NOW)
    chat = talk(engine, pack, learner)

    await chat.send("/report")

    assert chat.text == "Xin lỗi, chỉ người tổ chức của đơn vị mới xem được báo cáo."


async def test_past_40_rows_the_chat_says_how_many_more_and_its_total_still_counts_them(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack
) -> None:
    specs = [("TINH", "Tỉnh", None)] + [(f"XA{n:02}", f"Xã {n}", "TINH") for n in range(45)]
    tree = await add_units(sessions, *specs)
    for n in range(45):
        await add_learner(sessions, unit=f"XA{n:02}", created_at=NOW, last_active_at=NOW)
    boss = await organiser(sessions, tree["TINH"])
    chat = talk(engine, pack, boss)  # type: ignore[arg-type]

    shown = await chat_report(chat)

    # The province's own row and 39 communes, then the 6 communes left out are counted.
    assert [row.code for row in shown.rows] == ["TINH", *(f"XA{n:02}" for n in range(39))]
    assert shown.notes[0] == "… và 6 đơn vị khác: bấm “Tải báo cáo Excel” để xem đủ."
    assert (shown.total.joined, shown.total.active) == (45, 45)

    # Every row is in the Excel file the organiser downloads from the same message.
    download = await chat.press("Tải báo cáo Excel")
    (document,) = [r.document for r in download.replies if r.document]
    assert document.filename == "bao-cao-TINH-2026-11-23.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(document.content), read_only=True)
    codes = [row[0] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert codes == ["TINH", *(f"XA{n:02}" for n in range(45)), None]  # None: the total

    # Redelivered by Telegram after a crash: the file is made again, not lost.
    update_id = 987_654
    await chat.event(Press(chat.button("Tải báo cáo Excel").data), update_id=update_id)
    replayed = await chat.event(Press(chat.button("Tải báo cáo Excel").data), update_id=update_id)
    assert replayed.duplicate
    (again,) = [r.document for r in replayed.replies if r.document]
    assert again.filename == document.filename and len(again.content) > 1000


async def test_an_organiser_cannot_download_another_units_report(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack
) -> None:
    tree = await add_units(sessions, ("TINH", "Tỉnh", None), ("KHAC", "Tỉnh khác", None))
    boss = await organiser(sessions, tree["TINH"])
    chat = talk(engine, pack, boss)  # type: ignore[arg-type]
    await chat.event(Press(f"rx::{tree['KHAC'].id}"))
    assert chat.last.toast and "chỉ người tổ chức" in chat.last.toast
    assert "KHAC" not in chat.last.toast  # a guessed id does not reveal which unit it is
    await chat.event(Press("rx::0"))  # the whole tree: admins only
    assert chat.last.toast and "chỉ người tổ chức" in chat.last.toast
    assert not [r for r in chat.last.replies if r.document]


async def test_the_whole_tree_report_says_how_many_belong_to_no_unit(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
) -> None:
    joined = datetime(2026, 10, 1, tzinfo=UTC)
    admin = await add_learner(sessions, unit="A", name="Quản Trị", created_at=joined)
    await grant(sessions, admin, Role.ADMIN, None)
    for unit in (None, None, "GONE"):  # skipped the unit step twice; a code no unit has
        await add_learner(sessions, unit=unit, name="Chưa Có Đơn Vị", created_at=joined)
    organiser = await add_learner(sessions, unit="A1", name="Tổ Chức A", created_at=joined)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])

    chat = talk(engine, pack, admin)
    await chat.send("/report")
    assert "3 người chưa thuộc đơn vị nào" in chat.text
    async with sessions() as session:
        assert (await unit_report(session, None, Target(), NOW)).unassigned == 3
        assert (await unit_report(session, tree["A"], Target(), NOW)).unassigned is None
    # A unit's organiser hears nothing of people outside the unit.
    unit_chat = talk(engine, pack, organiser)
    await unit_chat.send("/report")
    assert "chưa thuộc đơn vị nào" not in unit_chat.text
