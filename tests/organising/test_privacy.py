"""A person's own organising data: /mydata exports their roles, mentors, mentees and nudges;
/settings shows and changes their choices about nudges and the leaderboard."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.organising import mentoring, pairing, permissions, privacy, reports
from hocvuso.organising.errors import Forbidden
from hocvuso.organising.forecast import Target
from hocvuso.storage.models import Certificate, Learner
from hocvuso.storage.organising import MentorLink, Role, RoleGrant, RoleInvite, Unit
from tests.factories import add_learner, grant, plain, seed_every_table, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
SEEDED = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)


async def test_mydata_holds_the_persons_roles_mentors_nudges_and_the_nudge_text_while_kept(
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
    # The custom text is kept (until the retention sweep blanks it) and is hers to see.
    (sent,) = json.loads(document.content)["messages"]["from_me"]
    assert "Bí mật riêng: học bài 3 nhé" in plain(sent["text"]) and sent["kind"] == "nudge"

    mentee_chat = talk(engine, pack, mentee)
    await mentee_chat.send("/mydata")
    (document,) = [r.document for r in mentee_chat.last.replies if r.document]
    everything = json.loads(document.content)
    assert "Bí mật riêng" in everything["messages"]["to_me"][0]["text"]
    data = everything["organising"]
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


async def test_mydata_holds_her_reply_drafts_invitations_code_announcements_and_audit(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    seeded = await seed_every_table(sessions, tree, SEEDED)
    async with sessions() as session:
        person = await session.get(Learner, seeded.person.id)
        assert person is not None
        exported = await privacy.export_person(session, person, NOW)
    # A draft she has not sent yet (any command, /mydata too, drops it in chat).
    assert exported["learner"]["state"]["staff"]["text"] == "Bản nháp: họp thôn"
    chat = talk(engine, pack, seeded.person)
    await chat.send("/mydata")
    (document,) = [r.document for r in chat.last.replies if r.document]
    data = json.loads(document.content)
    # Her reply to her mentor about her hospital stay, and her custom nudge to her mentee.
    assert sorted(m["text"] for m in data["messages"]["from_me"]) == [
        "Chị Lan: em nằm viện tuần này",
        "Chị Lan: học bài 3 nhé",
    ]
    assert [m["text"] for m in data["messages"]["to_me"]] == ["Cô Dạy nhắc chị học"]
    assert data["learner"]["state"]["step"] == "idle"
    organising = data["organising"]
    assert sorted(i["id"] for i in organising["invites"]) == sorted(
        r["id"] for r in seeded.rows["role_invite"]
    )
    assert all("token" not in i for i in organising["invites"])
    assert organising["mentor_code"]["code"] == "m-lan"
    assert [b["text"] for b in data["broadcasts_requested"]] == ["Họp thôn tối nay"]
    assert {e["action"] for e in organising["audit_about_me"]} >= {"mentor.link", "role.grant"}
    assert data["replies_waiting"][0]["replies"] == [{"text": "Đây là dữ liệu của chị"}]


async def test_forget_leaves_no_row_that_reidentifies_and_figures_still_count(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    seeded = await seed_every_table(sessions, tree, SEEDED)
    person_id = seeded.person.id or 0
    target = Target(level=1, percent=75, deadline=date(2026, 12, 31))
    async with sessions() as session:
        before = await reports.unit_report(session, tree["A1"], target, NOW)
        (certificate,) = (
            await session.exec(select(Certificate).where(Certificate.learner_id == person_id))
        ).all()
    async with sessions() as session, session.begin():
        person = await session.get(Learner, person_id)
        assert person is not None
        await privacy.do_erase(session, person, NOW)

    async with sessions() as session:
        erased = await session.get(Learner, person_id)
        assert erased is not None
        assert (erased.role, erased.timezone, erased.language, erased.reminder_hour) == (
            None, "Asia/Ho_Chi_Minh", "vi", 19,
        )  # fmt: skip
        assert erased.created_at == datetime(2026, 10, 1, tzinfo=UTC)
        assert erased.last_active_at is None and erased.reminders_paused_until is None
        assert (erased.unit_code, erased.level) == ("A1", 1)
        # The printed code stays findable, revoked, with nothing that names her; the level stays.
        kept = await session.get(Certificate, certificate.id)
        assert kept is not None and kept.credential is None
        assert kept.revoked_at is not None and (kept.score, kept.total) == (0, 0)
        assert kept.issued_at == datetime(2026, 10, 5, tzinfo=UTC)
        grants = await session.exec(select(RoleGrant).where(RoleGrant.learner_id == person_id))
        assert grants.all() == []
        assert (await session.exec(select(RoleInvite))).all() == []
        after = await reports.unit_report(session, tree["A1"], target, NOW)
    # The unit's figures still count her: joined and certified.
    assert (after.total.joined, after.total.certified) == (
        before.total.joined,
        before.total.certified,
    )


async def test_an_organiser_cannot_reach_or_pair_an_erased_learner(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit], settings: Settings
) -> None:
    organiser = await add_learner(sessions, unit="A1", name="Chị Tổ Chức", created_at=JOINED)
    mentor = await add_learner(
        sessions, unit="A1", name="Cô Hướng Dẫn", created_at=JOINED, certified=[(1, JOINED)]
    )
    gone = await add_learner(sessions, unit="A1", name="Anh Đã Xóa", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A1"])
    await grant(sessions, mentor, Role.MENTOR, tree["A1"])
    async with sessions() as session, session.begin():
        learner = await session.get(Learner, gone.id)
        assert learner is not None
        await privacy.do_erase(session, learner, NOW)
    async with sessions() as session, session.begin():
        actor = await permissions.load_actor(session, organiser.id or 0)
        with pytest.raises(Forbidden):
            await permissions.access_learner(
                session, actor, permissions.Action.LINK_MENTEE, gone.id or 0
            )
        with pytest.raises(Forbidden):
            await pairing.do_pair(session, settings, actor, mentor.id or 0, gone.id or 0, NOW)
    assert await _links(sessions) == set()


async def _links(sessions: async_sessionmaker[AsyncSession]) -> set[tuple[int, int]]:
    async with sessions() as session:
        links = (await session.exec(select(MentorLink))).all()
    return {(link.mentor_id, link.mentee_id) for link in links}
