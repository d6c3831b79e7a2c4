"""Values are stored raw and escaped exactly once, where the output is Telegram HTML: a name
such as ``Tú & Tài <b>`` reads the same on the leaderboard, in a report row, in the Excel file,
on a button and in a toast."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.content.loader import Pack
from hocvuso.storage.organising import Role, Unit
from tests.factories import add_learner, add_units, grant, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)
NAME = "Tú & Tài <b>"
#: The same name in Telegram HTML, escaped once.
HTML = "Tú &amp; Tài &lt;b&gt;"


async def test_a_name_with_html_characters_is_escaped_once_on_the_leaderboard_and_raw_in_toasts(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    learner = await add_learner(
        sessions, unit="A1", name=NAME, created_at=JOINED, certified=[(1, JOINED)]
    )
    chat = talk(engine, pack, learner)
    await chat.send("/leaderboard")
    await chat.press("Hiện tên tôi")

    assert chat.last.toast == "Tên của anh/chị sẽ được hiện khi đã đạt chuẩn."
    [board] = chat.last.replies
    assert board.text.splitlines()[-1] == (
        f"Đã đạt chuẩn trong đơn vị (người đồng ý hiện tên): {HTML}"
    )
    assert "&amp;amp;" not in board.text and "&amp;lt;" not in board.text


async def test_a_unit_name_with_html_characters_is_escaped_once_in_the_report_and_raw_in_excel(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession]
) -> None:
    units = await add_units(sessions, ("TT", NAME, None), ("TT1", "Phòng 1", "TT"))
    organiser = await add_learner(sessions, unit="TT", name="Người Tổ Chức", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, units["TT"])
    chat = talk(engine, pack, organiser)

    await chat.send("/report")
    [report] = chat.last.replies
    assert f"<b>{HTML} – trực thuộc trực tiếp</b> (TT)" in report.text
    assert f"📊 <b>Báo cáo: {HTML}</b> – ngày" in report.text
    assert "&amp;amp;" not in report.text and "&amp;lt;" not in report.text

    await chat.press("Tải báo cáo Excel")
    [file] = chat.last.replies
    assert file.document is not None
    book = openpyxl.load_workbook(io.BytesIO(file.document.content), read_only=True)
    title, _headers, *rows = [list(r) for r in book["Báo cáo"].iter_rows(values_only=True)]
    book.close()
    assert str(title[0]).startswith(f"📊 Báo cáo: {NAME} – ngày")
    assert [row[:2] for row in rows[:-1]] == [
        ["TT", f"{NAME} – trực thuộc trực tiếp"],
        ["TT1", "Phòng 1"],
    ]


async def test_names_on_buttons_and_in_toasts_are_shown_as_typed(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A2", name="Tổ Chức A2", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    mentor = await add_learner(
        sessions, unit="A2x", name=NAME, created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, mentor, Role.MENTOR, tree["A2x"])
    await add_learner(sessions, unit="A2x", name="An & Bình", created_at=JOINED)
    chat = talk(engine, pack, organiser)

    await chat.send("/assign_mentor")
    assert f"{NAME} (0 học viên)" in [b.label for b in chat.buttons()]
    await chat.press(f"{NAME} (0 học viên)")
    assert "An & Bình" in chat.text  # the message: HTML, read as a person sees it
    assert "➕ An & Bình" in [b.label for b in chat.buttons()]
    await chat.press("➕ An & Bình")
    assert chat.last.toast == f"Đã giao An & Bình cho người hướng dẫn {NAME}."
