"""An organiser's day end to end: the real bot process and the real command line.

Colleagues join a unit by its invite deep link; an admin makes one of them the unit's organiser
with ``hocvuso roles grant``; the organiser reads /report and sends a /broadcast that the bot's
delivery queue brings to exactly the unit's learners, then tells the organiser it is done. Every
Bot API call is checked against the official API description.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack
from hocvuso.storage import db
from tests.e2e.harness import BotProcess
from tests.e2e.harness import Learner as Person
from tests.factories import add_units
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


async def cli(database_url: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hocvuso.cli",
        *args,
        cwd=ROOT,
        env={**os.environ, "HOCVUSO_DATABASE_URL": database_url, "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


async def join(person: Person, invite_code: str) -> None:
    """Open ``t.me/<bot>?start=<invite code>`` and go through onboarding."""
    await person.send(f"/start {invite_code}")
    await person.press("Tôi đồng ý")
    await person.press("Tiếng Việt")
    await person.press("Cán bộ, công chức")
    await person.press("Bỏ qua, học từ đầu")  # the unit came with the link


async def test_an_organiser_reports_and_broadcasts_to_their_unit_only(
    bot: BotProcess,
    fake: FakeTelegram,
    core_pack: Pack,
    engine_db: AsyncEngine,
    database_url: str,
) -> None:
    found = await add_units(
        db.make_sessionmaker(engine_db),
        ("SO-TT", "Sở Thông tin", None),
        ("SO-TT-P1", "Phòng Một", "SO-TT"),
        ("SO-KH", "Sở Kế hoạch", None),
    )
    organiser = Person(fake, fake.user(6001, "Trần Tổ Chức"), core_pack)
    colleague = Person(fake, fake.user(6002, "Lê Đồng Nghiệp"), core_pack)
    outsider = Person(fake, fake.user(6003, "Phạm Đơn Vị Khác"), core_pack)
    await join(organiser, found["SO-TT"].invite_code)
    await join(colleague, found["SO-TT-P1"].invite_code)
    await join(outsider, found["SO-KH"].invite_code)
    assert any("Phòng Một" in t for t in colleague.user.texts)

    # Before the grant the organiser's commands are refused.
    await organiser.send("/report")
    assert "chỉ người tổ chức" in organiser.user.texts[-1]
    await cli(database_url, "roles", "grant", "organiser", "--chat", "6001", "--unit", "SO-TT")
    assert "role.grant" in await cli(database_url, "audit")

    await organiser.send("/report")
    report = organiser.user.texts[-1]
    assert "Sở Thông tin" in report and "Phòng Một" in report
    assert "Sở Kế hoạch" not in report

    await organiser.send("/broadcast")
    await organiser.send("Chiều thứ Sáu họp trực tuyến về chữ ký số.")
    assert "gửi tới 2 học viên" in organiser.user.texts[-1]
    before = len(outsider.user.texts)
    await organiser.press("Gửi")

    def everyone_told() -> bool:
        return any("chữ ký số" in t for t in colleague.user.texts) and any(
            "Đã gửi xong" in t for t in organiser.user.texts
        )

    await fake.wait_until(everyone_told, timeout=60)
    announcement = next(m for m in colleague.user.visible_messages if "chữ ký số" in (m.text or ""))
    assert "Học ngay" in " ".join(announcement.button_texts)
    assert any("2/2" in t for t in organiser.user.texts if "Đã gửi xong" in t)
    assert len(outsider.user.texts) == before  # another unit heard nothing
    fake.assert_no_invalid_requests()
