"""A person's own organising data: /mydata exports their roles, mentors, mentees and nudges;
/settings shows and changes their choices about nudges and the leaderboard."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.content.loader import Pack
from hocvuso.organising import mentoring
from hocvuso.storage.organising import Role, Unit
from tests.factories import add_learner, grant, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)


async def test_mydata_holds_the_persons_roles_mentors_and_nudges_but_no_nudge_text(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    mentor = await add_learner(
        sessions, unit="A1", name="Cô Hướng Dẫn", created_at=JOINED, certified=[(1, JOINED)]
    )
    mentee = await add_learner(sessions, unit="A1", name="Anh Học Viên", created_at=JOINED)
    await grant(sessions, mentor, Role.MENTOR, tree["A1"])
    async with sessions() as session, session.begin():
        await mentoring.do_link(session, mentor.id or 0, mentee.id or 0, by=None, now=JOINED)
    mentor_chat = talk(engine, pack, mentor)
    await mentor_chat.send("/mentees")
    await mentor_chat.press("Nhắc nhở Anh Học Viên")
    await mentor_chat.press("Tự viết")
    await mentor_chat.send("Bí mật riêng: học bài 3 nhé")

    await mentor_chat.send("/mydata")
    (document,) = [r.document for r in mentor_chat.last.replies if r.document]
    data = json.loads(document.content)["organising"]
    assert data["roles"][0]["role"] == "mentor" and data["roles"][0]["unit"] == "A1"
    assert data["mentees"] == [
        {"id": mentee.id, "name": "Anh Học Viên", "since": data["mentees"][0]["since"]}
    ]
    assert data["nudges"] == [
        {"direction": "sent", "sent_at": data["nudges"][0]["sent_at"], "custom": True}
    ]
    assert "Bí mật riêng" not in document.content.decode()

    mentee_chat = talk(engine, pack, mentee)
    await mentee_chat.send("/mydata")
    (document,) = [r.document for r in mentee_chat.last.replies if r.document]
    data = json.loads(document.content)["organising"]
    assert [m["name"] for m in data["mentors"]] == ["Cô Hướng Dẫn"]
    assert data["nudges"][0]["direction"] == "received"
    assert data["roles"] == [] and data["staff_actions"] == []


async def test_settings_show_and_toggle_nudges_and_the_leaderboard_name(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    learner = await add_learner(sessions, unit="A2x", name="Chị Cài Đặt", created_at=JOINED)
    chat = talk(engine, pack, learner)
    await chat.send("/settings")
    assert "Tổ A2x (A2x)" in chat.text
    assert "Lời nhắc từ người hướng dẫn: đang nhận" in chat.text
    assert "Tên trên bảng thi đua: không hiện" in chat.text
    await chat.press("Không nhận lời nhắc")
    await chat.send("/settings")
    assert "Lời nhắc từ người hướng dẫn: đã tắt" in chat.text
    await chat.press("Hiện tên tôi")
    await chat.send("/settings")
    assert "Tên trên bảng thi đua: hiện khi đã đạt chuẩn" in chat.text
    async with sessions() as session:
        preference = await mentoring.preference(session, learner.id or 0)
    assert preference.nudges_muted and preference.leaderboard_opt_in
