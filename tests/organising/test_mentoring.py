"""Peer mentors in the chat: the mentor's link, /mentees, nudges and their limits, mute, the
mentee's reply path, the notice of a mentee's certificate, /forget, the unit leaderboard.

A message to the other person is a row of the delivery queue (``delivery``); it reaches them when
a sender claims it (:meth:`DeliveryQueue.claim`), as a Telegram message whose buttons they press.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.content.loader import Pack
from hocvuso.delivery.queue import DeliveryQueue, Job
from hocvuso.organising import mentoring, roles
from hocvuso.organising.errors import Forbidden
from hocvuso.organising.permissions import CLI, load_actor
from hocvuso.storage.models import Learner, LearnerStatus, LessonProgress, QuizAttempt
from hocvuso.storage.organising import MentorLink, Nudge, Role, Unit
from hocvuso.storage.scheduling import Delivery
from tests.factories import (
    OLD_TERMS,
    TERMS,
    Clock,
    Conversation,
    add_learner,
    deliveries,
    grant,
    plain,
    set_terms,
    talk,
)
from tests.fakes.formatting import parse_html

JOINED = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # the clock fixture: 09:00 in Hà Nội
NEXT_MORNING = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 07:00 in Hà Nội
LINK = re.compile(r"/start (m-[A-Za-z0-9_\-]+)")
MENTOR = "Trần Văn Minh"
MENTEE = "Lê Thị Hoa"
TOO_SOON = f"{MENTEE} đã được nhắc trong 72 giờ qua. Xin anh/chị chờ thêm để không làm phiền."
MUTED = f"{MENTEE} đã tắt nhận lời nhắc. Xin anh/chị tôn trọng lựa chọn này."
BAD_LENGTH = "Tin nhắn cần từ 1 đến 500 ký tự. Xin anh/chị gõ lại."
REPLY_REFUSED = "Không thể trả lời qua tin nhắn này nữa."
HINT = "Gõ /learn để học tiếp, hoặc /help để xem các lệnh."


# --- builders -----------------------------------------------------------------------------------
async def add_mentor(
    sessions: async_sessionmaker[AsyncSession], unit: Unit, name: str = MENTOR
) -> Learner:
    mentor = await add_learner(
        sessions,
        unit=unit.code,
        name=name,
        created_at=JOINED,
        certified=[(1, JOINED + timedelta(days=2))],
        level=2,
    )
    await grant(sessions, mentor, Role.MENTOR, unit)
    return mentor


async def link(
    sessions: async_sessionmaker[AsyncSession], mentor: Learner, *mentees: Learner
) -> None:
    """Pair directly in the store (the chat path is tested by itself below)."""
    async with sessions() as session, session.begin():
        for mentee in mentees:
            assert mentor.id is not None and mentee.id is not None
            await mentoring.do_link(session, mentor.id, mentee.id, by=None, now=JOINED)


async def link_by_code(as_mentor: Conversation, as_mentee: Conversation) -> str:
    """The mentor shares their link; the colleague opens it. Returns the start payload."""
    await as_mentor.send("/mentor_link")
    found = LINK.search(as_mentor.text)
    assert found, as_mentor.text
    await as_mentee.send(f"/start {found.group(1)}")
    assert f"{as_mentor.name} mời anh/chị nhận mình làm người hướng dẫn" in as_mentee.text
    await as_mentee.press("Đồng ý")  # nothing is linked before the colleague confirms
    assert f"kết nối với người hướng dẫn {as_mentor.name}" in as_mentee.text
    return found.group(1)


async def add_progress(
    sessions: async_sessionmaker[AsyncSession], learner: Learner, *lessons: str
) -> None:
    async with sessions() as session, session.begin():
        for lesson in lessons:
            assert learner.id is not None
            session.add(
                LessonProgress(
                    learner_id=learner.id,
                    lesson_id=lesson,
                    level=1,
                    status="done",
                    started_at=JOINED,
                    completed_at=JOINED + timedelta(days=1),
                )
            )


async def queued(sessions: async_sessionmaker[AsyncSession], learner: Learner) -> list[Delivery]:
    """The messages waiting for (or sent to) this person, oldest first."""
    async with sessions() as session:
        result = await session.exec(
            select(Delivery).where(Delivery.learner_id == learner.id).order_by(col(Delivery.id))
        )
        return list(result.all())


async def count(sessions: async_sessionmaker[AsyncSession], model: type, *where: object) -> int:
    async with sessions() as session:
        result = await session.exec(select(func.count()).select_from(model).where(*where))
        return int(result.one())


async def receive(engine_db: AsyncEngine, clock: Clock, learner: Learner) -> list[Job]:
    """What a sender takes from the queue now, addressed to this person's chat."""
    jobs = await DeliveryQueue(engine_db, clock).claim(100, timedelta(seconds=30), consent=TERMS)
    return [job for job in jobs if job.chat_id == learner.chat_id]


def data_of(buttons: list[list[list[str]]], label: str) -> str:
    found = [data for row in buttons for text, data in row if label in text]
    assert found, f"no button {label!r} in {buttons}"
    return found[0]


@dataclass
class Pair:
    mentor: Learner
    mentee: Learner
    as_mentor: Conversation
    as_mentee: Conversation


@pytest.fixture
async def pair(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> Pair:
    """A mentor of A1 and a colleague of A1 who opened the mentor's link."""
    mentor = await add_mentor(sessions, tree["A1"])
    mentee = await add_learner(sessions, unit="A1", name=MENTEE, created_at=JOINED)
    as_mentor, as_mentee = talk(engine, pack, mentor), talk(engine, pack, mentee)
    await link_by_code(as_mentor, as_mentee)
    return Pair(mentor, mentee, as_mentor, as_mentee)


async def open_nudge(as_mentor: Conversation, name: str = MENTEE) -> None:
    """/mentees, then the mentee's "Nhắc nhở" button: the choice of a templated or custom one."""
    await as_mentor.send("/mentees")
    await as_mentor.press(f"Nhắc nhở {name}")
    assert as_mentor.last.toast is None, as_mentor.last.toast
    assert f"Anh/chị muốn nhắc {name} thế nào?" in as_mentor.text


async def send_template(as_mentor: Conversation, name: str = MENTEE) -> None:
    await open_nudge(as_mentor, name)
    await as_mentor.press("Gửi lời nhắc mẫu")
    sent_now = f"Đã gửi lời nhắc tới {name}" in as_mentor.text
    held = f"Lời nhắc tới {name} sẽ được gửi lúc 07:00 (giờ của người nhận)" in as_mentor.text
    assert sent_now or held, as_mentor.text


# --- links --------------------------------------------------------------------------------------
async def test_a_colleague_who_opens_the_mentors_link_becomes_their_mentee(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentees")
    assert "Anh/chị chưa có học viên nào" in as_mentor.text
    shown_in_mentees = LINK.search(as_mentor.text)
    assert shown_in_mentees is not None

    colleague = await add_learner(sessions, unit="A2", name=MENTEE, created_at=JOINED)
    payload = await link_by_code(as_mentor, talk(engine, pack, colleague))
    assert payload == shown_in_mentees.group(1)  # one reusable link, wherever it is shown

    await as_mentor.send("/mentees")
    assert "Học viên của anh/chị (1)" in as_mentor.text
    assert f"• {MENTEE}: chưa bắt đầu" in as_mentor.text


async def test_a_newcomer_who_opens_the_mentors_link_is_linked_once_they_consent(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentor_link")
    found = LINK.search(as_mentor.text)
    assert found is not None
    newcomer = Conversation(engine, pack, chat_id=4242, name=MENTEE)
    await newcomer.send(f"/start {found.group(1)}")
    assert "Luật Bảo vệ dữ liệu cá nhân" in newcomer.text
    assert await count(sessions, MentorLink) == 0  # nothing stored before consent
    await newcomer.press("Tôi đồng ý")
    assert f"{MENTOR} mời anh/chị nhận mình làm người hướng dẫn" in newcomer.text
    assert await count(sessions, MentorLink) == 0  # nothing linked before they confirm
    await newcomer.press_any("✅ Đồng ý")  # the language question came after it
    assert f"kết nối với người hướng dẫn {MENTOR}" in newcomer.text
    await as_mentor.send("/mentees")
    assert f"• {MENTEE}: chưa bắt đầu" in as_mentor.text


async def test_a_wrong_or_revoked_link_or_ones_own_link_links_no_one(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentor_link")
    found = LINK.search(as_mentor.text)
    assert found is not None
    await as_mentor.send(f"/start {found.group(1)}")
    assert "Anh/chị không thể tự hướng dẫn chính mình." in as_mentor.text

    colleague = talk(engine, pack, await add_learner(sessions, unit="A1", created_at=JOINED))
    await colleague.send("/start m-notacodeatall")
    assert "Đường dẫn của người hướng dẫn không còn hiệu lực." in colleague.text
    async with sessions() as session, session.begin():
        assert mentor.id is not None
        await roles.do_revoke(session, CLI, mentor.id, Role.MENTOR, None, NOW)
    await colleague.send(f"/start {found.group(1)}")  # the link of someone no longer a mentor
    assert "Đường dẫn của người hướng dẫn không còn hiệu lực." in colleague.text
    assert await count(sessions, MentorLink) == 0


async def test_an_organiser_links_mentees_of_their_own_subtree_only(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    organiser = await add_learner(sessions, unit="A", name="Tổ chức", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    inside = await add_learner(sessions, unit="A2x", name=MENTEE, created_at=JOINED)
    outside = await add_learner(sessions, unit="B1", name="Ở đơn vị B", created_at=JOINED)
    assert mentor.id and organiser.id and inside.id and outside.id
    async with sessions() as session, session.begin():
        actor = await load_actor(session, organiser.id)
        assert await mentoring.do_link_by_organiser(session, actor, mentor.id, inside.id, NOW)
        assert not await mentoring.do_link_by_organiser(session, actor, mentor.id, inside.id, NOW)
        with pytest.raises(Forbidden):
            await mentoring.do_link_by_organiser(session, actor, mentor.id, outside.id, NOW)
    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentees")
    assert "Học viên của anh/chị (1)" in as_mentor.text
    assert MENTEE in as_mentor.text and "Ở đơn vị B" not in as_mentor.text


# --- /mentees -----------------------------------------------------------------------------------
async def test_mentees_lists_who_needs_help_first_with_progress_and_last_active_day_only(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    # Created in an order unlike the listing's.
    certified = await add_learner(
        sessions,
        unit="A1",
        name="An Đã Đạt",
        created_at=JOINED,
        last_active_at=NOW - timedelta(days=20),
        certified=[(1, NOW - timedelta(days=20))],
        level=2,
    )
    on_track = await add_learner(
        sessions, unit="A1", name="Bình Đúng Hạn", created_at=JOINED, last_active_at=NOW
    )
    behind = await add_learner(
        sessions,
        unit="A1",
        name="Chi Chậm",
        created_at=JOINED,
        last_active_at=NOW - timedelta(days=1),
    )
    inactive = await add_learner(
        sessions,
        unit="A1",
        name="Dũng Vắng",
        created_at=JOINED,
        last_active_at=NOW - timedelta(days=8),
    )
    not_started = await add_learner(sessions, unit="A2", name="Giang Chưa Học", created_at=JOINED)
    someone_elses = await add_learner(sessions, unit="A1", name="Của Người Khác", created_at=JOINED)
    # 22 of 61 days to the deadline have gone: 1 of 3 lessons is behind the pace, 2 are not.
    await add_progress(sessions, on_track, "t1-s1", "t1-i1")
    await add_progress(sessions, behind, "t1-s1")
    await add_progress(sessions, inactive, "t1-s1", "t1-i1")
    await add_progress(sessions, someone_elses, "t1-s1")
    await link(sessions, await add_mentor(sessions, tree["A1"], name="Mentor Khác"), someone_elses)
    qid, ref = next(iter(pack.questions.items()))
    async with sessions() as session, session.begin():
        assert on_track.id is not None
        session.add(
            QuizAttempt(
                learner_id=on_track.id,
                question_id=qid,
                mode="lesson",
                chosen=0,
                correct=False,
                prompt_nonce="n1",
                answered_at=NOW,
            )
        )
    await link(sessions, mentor, certified, on_track, behind, inactive, not_started)

    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentees")
    lines = as_mentor.text.splitlines()
    assert lines[0] == "👥 Học viên của anh/chị (5) – người cần giúp đỡ được xếp trước:"
    assert lines[1:6] == [
        "• Giang Chưa Học: chưa bắt đầu · cấp 1: 0/3 bài · hoạt động lần cuối: —",
        "• Dũng Vắng: không hoạt động từ 7 ngày · cấp 1: 2/3 bài · hoạt động lần cuối: 15/11/2026",
        "• Chi Chậm: chậm so với tiến độ cần thiết · cấp 1: 1/3 bài"
        " · hoạt động lần cuối: 22/11/2026",
        "• Bình Đúng Hạn: đúng tiến độ · cấp 1: 2/3 bài · hoạt động lần cuối: 23/11/2026",
        "• An Đã Đạt: đã đạt chuẩn ✅ · cấp 2: 0/1 bài · hoạt động lần cuối: 03/11/2026",
    ]
    assert lines[6].startswith("Mời thêm học viên: /start m-")
    assert len(lines) == 7
    # Nothing of what anyone answered: not the question, not its options.
    for shown in (ref.question.text, *ref.question.options):
        assert shown not in as_mentor.text
    # A nudge button for each one who still has something to do, in the same order.
    assert [b.label for b in as_mentor.buttons()] == [
        "🔔 Nhắc nhở Giang Chưa Học",
        "🔔 Nhắc nhở Dũng Vắng",
        "🔔 Nhắc nhở Chi Chậm",
        "🔔 Nhắc nhở Bình Đúng Hạn",
    ]
    assert [b.data for b in as_mentor.buttons()] == [
        f"nd::{m.id}" for m in (not_started, inactive, behind, on_track)
    ]


async def test_a_mentee_is_inactive_from_seven_full_days_without_activity(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    seven = await add_learner(
        sessions,
        unit="A1",
        name="Bảy Ngày",
        created_at=JOINED,
        last_active_at=NOW - timedelta(days=7),
    )
    almost = await add_learner(
        sessions,
        unit="A1",
        name="Gần Bảy Ngày",
        created_at=JOINED,
        last_active_at=NOW - timedelta(days=7) + timedelta(minutes=1),
    )
    for learner in (seven, almost):
        await add_progress(sessions, learner, "t1-s1", "t1-i1", "t1-i2")
    await link(sessions, mentor, seven, almost)
    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentees")
    assert "• Bảy Ngày: không hoạt động từ 7 ngày" in as_mentor.text
    assert "• Gần Bảy Ngày: đúng tiến độ · cấp 1: 3/3 bài" in as_mentor.text


async def test_only_mentors_see_mentees(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    learner = await add_learner(sessions, unit="A1", certified=[(1, JOINED)], created_at=JOINED)
    as_learner = talk(engine, pack, learner)
    for command in ("/mentees", "/mentor_link"):
        await as_learner.send(command)
        assert as_learner.text == "Chức năng này dành cho người hướng dẫn (hạt nhân lan tỏa)."


# --- nudges -------------------------------------------------------------------------------------
async def test_a_templated_nudge_names_the_mentor_and_offers_learn_reply_and_mute(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], engine_db: AsyncEngine, clock: Clock
) -> None:
    await send_template(pair.as_mentor)
    [row] = await queued(sessions, pair.mentee)
    async with sessions() as session:
        nudge = (await session.exec(select(Nudge))).one()
    assert (nudge.mentor_id, nudge.mentee_id, nudge.custom) == (
        pair.mentor.id,
        pair.mentee.id,
        False,
    )
    assert row.kind == "nudge" and row.state == "pending"
    assert row.not_before == NOW  # 09:00 in Hà Nội: right away
    seen, _ = parse_html(row.text, strict_ampersand=True)
    assert seen.startswith(f"👋 Chào anh/chị {MENTEE}! Người hướng dẫn {MENTOR} nhắc anh/chị")
    assert f"<b>{MENTOR}</b>" in row.text
    assert row.buttons == [
        [["▶️ Học ngay", "lr::"]],
        [["✉️ Trả lời người hướng dẫn", f"mr::{nudge.id}"]],
        [["🔕 Không nhận lời nhắc", "mu::1"]],
    ]
    # The sender takes it for the mentee's chat; "Học ngay" starts a lesson.
    [job] = await receive(engine_db, clock, pair.mentee)
    assert (job.text, job.buttons) == (row.text, row.buttons)
    await pair.as_mentee.event(Press(data_of(job.buttons, "Học ngay")))
    assert "Bài 1/3" in pair.as_mentee.text


async def test_a_custom_nudge_over_500_characters_is_refused_and_the_mentor_can_retry(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await open_nudge(pair.as_mentor)
    await pair.as_mentor.press("Tự viết lời nhắc")
    assert f"Anh/chị gõ lời nhắc gửi {MENTEE} (tối đa 500 ký tự)." in pair.as_mentor.text
    await pair.as_mentor.send("x" * 501)
    assert pair.as_mentor.text == BAD_LENGTH
    await pair.as_mentor.send("   ")
    assert pair.as_mentor.text == BAD_LENGTH
    assert await queued(sessions, pair.mentee) == []
    assert await count(sessions, Nudge) == 0

    custom = ("Chị Hoa ơi, <b>5 phút</b> & một bài thôi nhé! " * 20)[:500].strip()
    assert len(custom) == 500
    await pair.as_mentor.send(custom)
    assert f"Đã gửi lời nhắc tới {MENTEE}" in pair.as_mentor.text
    [row] = await queued(sessions, pair.mentee)
    seen, _ = parse_html(row.text, strict_ampersand=True)  # the mentor's text is not markup
    assert seen == f"💬 Lời nhắn từ người hướng dẫn {MENTOR}:\n{custom}"
    assert f"<b>{MENTOR}</b>" in row.text
    assert data_of(row.buttons, "Trả lời").startswith("mr::")
    async with sessions() as session:
        assert (await session.exec(select(Nudge.custom))).one() is True
    # The prompt is answered: the mentor's next message is not another nudge.
    await pair.as_mentor.send("cảm ơn")
    assert pair.as_mentor.text == HINT
    assert len(await queued(sessions, pair.mentee)) == 1


async def test_a_mentee_is_nudged_at_most_once_in_72_hours_by_any_of_their_mentors(
    pair: Pair,
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
    clock: Clock,
) -> None:
    other = talk(engine, pack, await add_mentor(sessions, tree["A"], name="Phạm Quốc Bảo"))
    await link_by_code(other, pair.as_mentee)
    await open_nudge(other)  # the other mentor opens the choice first…
    await send_template(pair.as_mentor)  # …and the first one sends meanwhile
    await other.press("Gửi lời nhắc mẫu")
    assert (other.last.toast, other.last.alert) == (TOO_SOON, True)

    # /mentees offers no nudge button for someone nudged lately; an old button is refused.
    await pair.as_mentor.send("/mentees")
    assert not any(MENTEE in b.label for b in pair.as_mentor.buttons())
    await pair.as_mentor.event(Press(f"nd::{pair.mentee.id}"))
    assert pair.as_mentor.last.toast == TOO_SOON and pair.as_mentor.last.replies == []

    clock.advance(hours=71, minutes=59)
    await other.send("/mentees")
    assert not any(MENTEE in b.label for b in other.buttons())
    await other.event(Press(f"nd::{pair.mentee.id}"))
    assert other.last.toast == TOO_SOON
    assert len(await queued(sessions, pair.mentee)) == 1

    clock.advance(minutes=1)
    await send_template(other)
    first, second = await queued(sessions, pair.mentee)
    assert MENTOR in first.text and first.not_before == NOW
    assert "Phạm Quốc Bảo" in second.text and second.not_before == NOW + timedelta(hours=72)


async def test_a_mentor_sends_at_most_20_nudges_in_24_hours(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
    clock: Clock,
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    mentees = [
        await add_learner(sessions, unit="A1", name=f"Học viên {n:02}", created_at=JOINED)
        for n in range(1, 23)
    ]
    await link(sessions, mentor, *mentees)
    as_mentor = talk(engine, pack, mentor)

    async def nudge(mentee: Learner) -> None:
        # /mentees shows the first ten buttons; the others' buttons carry the same data.
        await as_mentor.event(Press(f"nd::{mentee.id}"))
        if as_mentor.last.toast is None:
            await as_mentor.press("Gửi lời nhắc mẫu")

    for mentee in mentees[:20]:
        await nudge(mentee)
        assert as_mentor.last.toast is None and "Đã gửi lời nhắc" in as_mentor.text
    clock.advance(hours=23, minutes=59)
    await nudge(mentees[20])
    limit = (
        "Anh/chị đã gửi 20 lời nhắc trong 24 giờ qua, đây là mức tối đa. "
        "Xin anh/chị tiếp tục vào ngày mai."
    )
    assert (as_mentor.last.toast, as_mentor.last.alert) == (limit, True)
    assert await count(sessions, Nudge) == 20
    assert await count(sessions, Delivery, Delivery.learner_id == mentees[20].id) == 0

    clock.advance(minutes=1)
    await nudge(mentees[20])
    assert as_mentor.last.toast is None and "Đã gửi lời nhắc tới Học viên 21" in as_mentor.text
    assert await count(sessions, Delivery, Delivery.learner_id == mentees[20].id) == 1


async def test_a_muted_mentee_is_not_nudged_until_they_allow_nudges_again(
    pair: Pair,
    sessions: async_sessionmaker[AsyncSession],
    engine_db: AsyncEngine,
    clock: Clock,
) -> None:
    await send_template(pair.as_mentor)
    [job] = await receive(engine_db, clock, pair.mentee)
    await pair.as_mentee.event(Press(data_of(job.buttons, "Không nhận lời nhắc")))
    assert "Đã tắt lời nhắc từ người hướng dẫn" in pair.as_mentee.text
    assert [b.label for b in pair.as_mentee.buttons()] == ["🔔 Nhận lời nhắc trở lại"]

    clock.advance(hours=72)  # the mute, not the 72-hour limit, is what refuses now
    await pair.as_mentor.send("/mentees")
    assert not any(MENTEE in b.label for b in pair.as_mentor.buttons())  # no button offered
    await pair.as_mentor.event(Press(f"nd::{pair.mentee.id}"))
    assert (pair.as_mentor.last.toast, pair.as_mentor.last.alert) == (MUTED, True)
    assert len(await queued(sessions, pair.mentee)) == 1

    await pair.as_mentee.press("Nhận lời nhắc trở lại")
    assert "Đã bật lại lời nhắc từ người hướng dẫn." in pair.as_mentee.text
    await send_template(pair.as_mentor)
    assert len(await queued(sessions, pair.mentee)) == 2


async def test_a_custom_nudge_to_a_mentee_who_muted_meanwhile_is_refused(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await open_nudge(pair.as_mentor)
    await pair.as_mentor.press("Tự viết lời nhắc")
    await pair.as_mentee.event(Press("mu::1"))
    await pair.as_mentor.send("Cố lên nhé!")
    assert pair.as_mentor.text == MUTED
    assert await queued(sessions, pair.mentee) == []
    assert await count(sessions, Nudge) == 0


async def test_muting_also_stops_a_nudge_still_waiting_for_the_morning(
    pair: Pair,
    sessions: async_sessionmaker[AsyncSession],
    engine_db: AsyncEngine,
    clock: Clock,
) -> None:
    await send_template(pair.as_mentor)
    [old] = await receive(engine_db, clock, pair.mentee)
    clock.advance(hours=85)  # 22:00 three days later: the next nudge waits for 07:00
    await send_template(pair.as_mentor)
    clock.advance(hours=1)
    await pair.as_mentee.event(Press(data_of(old.buttons, "Không nhận lời nhắc")))
    clock.now = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 07:00
    assert await receive(engine_db, clock, pair.mentee) == []
    _, waiting = await queued(sessions, pair.mentee)
    assert waiting.state == "skipped"


async def test_a_refused_custom_nudge_does_not_capture_the_mentors_later_messages(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await open_nudge(pair.as_mentor)
    await pair.as_mentor.press("Tự viết lời nhắc")
    await pair.as_mentee.event(Press("mu::1"))
    await pair.as_mentor.send("Cố lên nhé!")
    assert pair.as_mentor.text == MUTED
    await pair.as_mentee.event(Press("mu::0"))
    clock.advance(days=5)
    await pair.as_mentor.send("Một tin nhắn về chuyện khác")
    assert pair.as_mentor.text == HINT
    assert await queued(sessions, pair.mentee) == []


@pytest.mark.parametrize(
    ("sent_at", "arrives"),
    [
        (datetime(2026, 11, 23, 15, 0, tzinfo=UTC), NEXT_MORNING),  # 22:00: the next 07:00
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), NEXT_MORNING),  # 06:30: the same 07:00
        (datetime(2026, 11, 23, 14, 0, tzinfo=UTC), NEXT_MORNING),  # 21:00: quiet already
        (datetime(2026, 11, 23, 13, 59, tzinfo=UTC), None),  # 20:59: right away
        (NEXT_MORNING, None),  # 07:00: right away
    ],
    ids=["22:00", "06:30", "21:00", "20:59", "07:00"],
)
async def test_a_nudge_never_arrives_in_the_mentees_quiet_hours(
    pair: Pair,
    sessions: async_sessionmaker[AsyncSession],
    engine_db: AsyncEngine,
    clock: Clock,
    sent_at: datetime,
    arrives: datetime | None,
) -> None:
    clock.now = sent_at
    await send_template(pair.as_mentor)
    # The mentor is told when it will arrive if it has to wait for the morning.
    held = "sẽ được gửi lúc 07:00 (giờ của người nhận)" in pair.as_mentor.text
    assert held == (arrives is not None)
    [row] = await queued(sessions, pair.mentee)
    assert row.not_before == (arrives or sent_at)
    if arrives is not None:
        clock.now = arrives - timedelta(minutes=1)
        assert await receive(engine_db, clock, pair.mentee) == []
        clock.now = arrives
    [job] = await receive(engine_db, clock, pair.mentee)
    assert job.text == row.text


# --- the mentee's reply path --------------------------------------------------------------------
async def test_the_mentee_answers_a_nudge_and_the_mentor_receives_it_naming_the_mentee(
    pair: Pair,
    sessions: async_sessionmaker[AsyncSession],
    engine_db: AsyncEngine,
    clock: Clock,
) -> None:
    await send_template(pair.as_mentor)
    [job] = await receive(engine_db, clock, pair.mentee)
    await pair.as_mentee.event(Press(data_of(job.buttons, "Trả lời người hướng dẫn")))
    assert pair.as_mentee.text == "Anh/chị gõ câu trả lời gửi người hướng dẫn (tối đa 500 ký tự)."
    await pair.as_mentee.send("y" * 501)
    assert pair.as_mentee.text == BAD_LENGTH
    assert await queued(sessions, pair.mentor) == []

    answer = "Dạ em cảm ơn anh, tối nay em học <3 ạ."
    await pair.as_mentee.send(answer)
    assert pair.as_mentee.text == f"Đã chuyển câu trả lời của anh/chị tới {MENTOR}."
    [row] = await queued(sessions, pair.mentor)
    assert row.kind == "mentor" and row.buttons == [] and row.not_before == NOW
    seen, _ = parse_html(row.text, strict_ampersand=True)
    assert seen == f"✉️ {MENTEE} trả lời lời nhắc của anh/chị:\n{answer}"
    assert f"<b>{MENTEE}</b>" in row.text
    [delivered] = await receive(engine_db, clock, pair.mentor)
    assert delivered.text == row.text

    # Only the message after the press is forwarded.
    await pair.as_mentee.send("Còn đây là tin bình thường")
    assert pair.as_mentee.text == HINT
    assert len(await queued(sessions, pair.mentor)) == 1


async def test_a_reply_in_the_mentors_quiet_hours_waits_until_morning(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    clock.advance(hours=13)  # 22:00 in Hà Nội
    await pair.as_mentee.event(Press(data_of(nudge.buttons, "Trả lời")))
    await pair.as_mentee.send("Dạ vâng ạ")
    [row] = await queued(sessions, pair.mentor)
    assert row.not_before == NEXT_MORNING


async def test_a_reply_through_a_nudge_whose_link_was_removed_is_refused(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    reply = data_of(nudge.buttons, "Trả lời")
    await pair.as_mentee.event(Press(reply))  # pressed while still linked…
    async with sessions() as session, session.begin():
        await session.exec(delete(MentorLink))  # type: ignore[call-overload]
    await pair.as_mentee.send("Dạ vâng ạ")  # …typed after the link was removed
    assert pair.as_mentee.text == REPLY_REFUSED
    await pair.as_mentee.event(Press(reply))
    assert (pair.as_mentee.last.toast, pair.as_mentee.last.alert) == (REPLY_REFUSED, True)
    assert pair.as_mentee.last.replies == []
    assert await queued(sessions, pair.mentor) == []


async def test_a_refused_reply_does_not_capture_the_mentees_later_messages(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    await pair.as_mentee.event(Press(data_of(nudge.buttons, "Trả lời")))
    async with sessions() as session, session.begin():
        await session.exec(delete(MentorLink))  # type: ignore[call-overload]
    await pair.as_mentee.send("Dạ vâng ạ")
    assert pair.as_mentee.text == REPLY_REFUSED
    await pair.as_mentee.send("Tin nhắn tiếp theo")
    assert pair.as_mentee.text == HINT


async def test_only_the_nudged_mentee_can_answer_through_a_nudge(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    other = await add_learner(sessions, unit="A1", name="Người Khác", created_at=JOINED)
    await link(sessions, pair.mentor, other)
    as_other = talk(engine, pack, other)
    await as_other.event(Press(data_of(nudge.buttons, "Trả lời")))
    assert as_other.last.toast == REPLY_REFUSED
    await as_other.send("Tôi muốn nói với người hướng dẫn")
    assert as_other.text == HINT
    assert await queued(sessions, pair.mentor) == []


async def test_no_reply_reaches_a_mentor_who_erased_their_data(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    await pair.as_mentor.send("/forget")
    await pair.as_mentor.press("Xóa dữ liệu của tôi")
    await pair.as_mentee.event(Press(data_of(nudge.buttons, "Trả lời")))
    assert pair.as_mentee.last.toast == REPLY_REFUSED
    assert await queued(sessions, pair.mentor) == []


async def test_a_nudge_and_a_reply_crossing_each_other_both_go_through(
    pair: Pair,
    sessions: async_sessionmaker[AsyncSession],
    engine_db: AsyncEngine,
    clock: Clock,
    request: pytest.FixtureRequest,
) -> None:
    for round_ in range(3):
        await send_template(pair.as_mentor)
        nudge = (await queued(sessions, pair.mentee))[-1]
        await pair.as_mentee.event(Press(data_of(nudge.buttons, "Trả lời")))
        clock.advance(hours=72)
        # The mentor nudges again just as the mentee sends the answer to the last nudge.
        outcomes = await asyncio.gather(
            pair.as_mentor.event(Press(f"ns::{pair.mentee.id}")),
            pair.as_mentee.send("Dạ vâng ạ"),
            return_exceptions=True,
        )
        assert [type(o).__name__ for o in outcomes] == ["Outcome", "Outcome"], outcomes
        assert len(await queued(sessions, pair.mentee)) == 2 * round_ + 2
        assert len(await queued(sessions, pair.mentor)) == round_ + 1
        clock.advance(hours=72)


# --- erasure ------------------------------------------------------------------------------------
async def test_a_mentee_who_erases_their_data_disappears_from_mentees(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack
) -> None:
    staying = await add_learner(sessions, unit="A1", name="Người Ở Lại", created_at=JOINED)
    await link(sessions, pair.mentor, staying)
    await send_template(pair.as_mentor)
    assert len(await queued(sessions, pair.mentee)) == 1

    await pair.as_mentee.send("/forget")
    await pair.as_mentee.press("Xóa dữ liệu của tôi")
    assert "Đã xóa dữ liệu cá nhân" in pair.as_mentee.text

    await pair.as_mentor.send("/mentees")
    assert "Học viên của anh/chị (1)" in pair.as_mentor.text
    assert MENTEE not in pair.as_mentor.text and "Người Ở Lại" in pair.as_mentor.text
    assert [b.label for b in pair.as_mentor.buttons()] == ["🔔 Nhắc nhở Người Ở Lại"]
    assert await queued(sessions, pair.mentee) == []  # the waiting nudge went with the data
    assert await count(sessions, MentorLink, MentorLink.mentee_id == pair.mentee.id) == 0
    assert await count(sessions, Nudge, Nudge.mentee_id == pair.mentee.id) == 0
    # An old button of theirs reaches no one.
    await pair.as_mentor.event(Press(f"nd::{pair.mentee.id}"))
    assert pair.as_mentor.last.toast == "Người này không phải học viên anh/chị hướng dẫn."


async def test_erasing_a_mentee_withdraws_their_reply_still_waiting_for_the_mentor(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    clock.advance(hours=13)  # 22:00: the reply waits for the mentor's morning
    await pair.as_mentee.event(Press(data_of(nudge.buttons, "Trả lời")))
    await pair.as_mentee.send("Dạ vâng ạ")
    assert len(await queued(sessions, pair.mentor)) == 1
    await pair.as_mentee.send("/forget")
    await pair.as_mentee.press("Xóa dữ liệu của tôi")
    assert await queued(sessions, pair.mentor) == []


async def test_erasing_a_mentor_withdraws_their_nudge_still_waiting_for_the_mentee(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], engine_db: AsyncEngine, clock: Clock
) -> None:
    clock.advance(hours=13)  # 22:00: the nudge waits for the mentee's morning
    await send_template(pair.as_mentor)
    await pair.as_mentor.send("/forget")
    await pair.as_mentor.press("Xóa dữ liệu của tôi")
    assert await queued(sessions, pair.mentee) == []
    clock.now = NEXT_MORNING
    assert await receive(engine_db, clock, pair.mentee) == []


# --- certificates -------------------------------------------------------------------------------
async def test_the_mentors_are_told_when_their_mentee_earns_a_certificate(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    first = await add_mentor(sessions, tree["A1"])
    second = await add_mentor(sessions, tree["A"], name="Phạm Quốc Bảo")
    unrelated = await add_mentor(sessions, tree["A1"], name="Không Hướng Dẫn")
    as_first = talk(engine, pack, first)
    await as_first.send("/mentor_link")
    found = LINK.search(as_first.text)
    assert found is not None
    # A newcomer opens the first mentor's link and learns; an organiser adds the second mentor.
    learner = Conversation(engine, pack, chat_id=4343, name=MENTEE)
    await learner.send(f"/start {found.group(1)}")
    await learner.press("Tôi đồng ý")
    await learner.press_any("✅ Đồng ý")  # to the first mentor's link
    await learner.press_any("Tiếng Việt")
    await learner.press("Cán bộ")
    await learner.press("Bỏ qua")
    await learner.press("Bỏ qua, học từ đầu")
    async with sessions() as session:
        me = (await session.exec(select(Learner).where(Learner.chat_id == 4343))).one()
    await link(sessions, second, me)

    while "Bắt đầu thi" not in " ".join(b.label for b in learner.buttons()):
        labels = " ".join(b.label for b in learner.buttons())
        if "Làm câu hỏi" in labels:
            await learner.press("Làm câu hỏi")
        elif "Học tiếp" in labels:
            await learner.press("Học tiếp")
        else:
            await learner.answer(correct=True)
    assert await queued(sessions, first) == []  # lessons alone tell no one
    await learner.press("Bắt đầu thi")
    for _ in range(5):
        await learner.answer(correct=True)
    assert "Chúc mừng" in learner.text

    told = (
        f"🎓 Học viên {MENTEE} của anh/chị vừa đạt chứng nhận kỹ năng số cấp 1. "
        "Cảm ơn anh/chị đã đồng hành!"
    )
    for mentor in (first, second):
        [row] = await queued(sessions, mentor)
        assert row.kind == "mentor" and row.not_before == NOW and row.buttons == []
        assert plain(row.text) == told
    assert await queued(sessions, unrelated) == []

    await as_first.send("/mentees")
    assert f"• {MENTEE}: đã đạt chuẩn ✅" in as_first.text


# --- leaderboard --------------------------------------------------------------------------------
async def test_the_leaderboard_shows_unit_percentages_and_names_only_of_those_who_opted_in(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    certified = [(1, JOINED + timedelta(days=5))]
    mai = await add_learner(
        sessions,
        unit="A1",
        name="Ngô Thị Mai",
        created_at=JOINED,
        certified=[*certified, (2, JOINED + timedelta(days=9))],
        level=2,
    )
    nam = await add_learner(sessions, unit="A1", name="Đỗ Văn Nam", created_at=JOINED)
    await add_learner(
        sessions, unit="A2x", name="Vũ Thu Hà", created_at=JOINED, certified=certified
    )
    await add_learner(
        sessions, unit="B1", name="Ở Đơn Vị B", created_at=JOINED, certified=certified
    )
    as_mai, as_nam = talk(engine, pack, mai), talk(engine, pack, nam)

    await as_mai.send("/leaderboard")
    assert as_mai.text.splitlines() == [
        "🏆 Bảng thi đua: tỷ lệ đạt chuẩn cấp 1 theo đơn vị",
        "1. Phòng A2 — 100%",
        "2. 👉 Phòng A1 — 50%",
    ]
    assert [b.label for b in as_mai.buttons()] == ["🙋 Hiện tên tôi khi đã đạt chuẩn"]

    await as_nam.send("/leaderboard")
    await as_nam.press("Hiện tên tôi")  # opted in, but not certified yet: not named
    assert as_nam.last.toast == "Tên của anh/chị sẽ được hiện khi đã đạt chuẩn."
    assert "Đỗ Văn Nam" not in as_nam.text

    await as_mai.press("Hiện tên tôi")
    assert as_mai.text.splitlines()[-1] == (
        "Đã đạt chuẩn trong đơn vị (người đồng ý hiện tên): Ngô Thị Mai"
    )
    assert [b.label for b in as_mai.buttons()] == ["🙈 Không hiện tên tôi"]
    await as_nam.send("/leaderboard")
    assert "Ngô Thị Mai" in as_nam.text and "Vũ Thu Hà" not in as_nam.text

    await as_mai.press("Không hiện tên tôi")
    assert as_mai.last.toast == "Tên của anh/chị sẽ không được hiện."
    assert "Ngô Thị Mai" not in as_mai.text


# --- protections added after review ---------------------------------------------------------------
async def test_a_mentee_answers_one_nudge_at_most_three_times(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    reply = data_of(nudge.buttons, "Trả lời")
    for n in range(1, 4):
        await pair.as_mentee.event(Press(reply))
        await pair.as_mentee.send(f"Tin thứ {n}")
        assert pair.as_mentee.text == f"Đã chuyển câu trả lời của anh/chị tới {MENTOR}."
    await pair.as_mentee.event(Press(reply))
    await pair.as_mentee.send("Tin thứ 4")
    assert "Anh/chị đã trả lời 3 lần qua lời nhắc này" in pair.as_mentee.text
    assert [r.text.rsplit("\n", 1)[-1] for r in await queued(sessions, pair.mentor)] == [
        "Tin thứ 1",
        "Tin thứ 2",
        "Tin thứ 3",
    ]


async def test_a_nudge_to_someone_who_blocked_the_bot_is_refused_and_not_counted(
    pair: Pair, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        mentee = await session.get(Learner, pair.mentee.id)
        assert mentee is not None
        mentee.status = LearnerStatus.BLOCKED
    await pair.as_mentor.send("/mentees")
    assert not any(MENTEE in b.label for b in pair.as_mentor.buttons())
    await pair.as_mentor.event(Press(f"ns::{pair.mentee.id}"))
    assert pair.as_mentor.last.toast and "Hiện không gửi được lời nhắc" in pair.as_mentor.last.toast
    assert await count(sessions, Nudge) == 0
    assert await queued(sessions, pair.mentee) == []


async def test_a_revoked_mentor_hears_no_more_replies_or_certificates(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], engine: Engine, clock: Clock
) -> None:
    await send_template(pair.as_mentor)
    [nudge] = await queued(sessions, pair.mentee)
    async with sessions() as session, session.begin():
        await roles.do_revoke(session, CLI, pair.mentor.id or 0, Role.MENTOR, None, clock.now)
    await pair.as_mentee.event(Press(data_of(nudge.buttons, "Trả lời")))
    assert pair.as_mentee.last.toast == REPLY_REFUSED
    async with sessions() as session, session.begin():
        mentee = await session.get(Learner, pair.mentee.id)
        assert mentee is not None
        told = await mentoring.on_certificate(session, engine.settings, mentee, 1, clock.now)
    assert told == 0
    assert await queued(sessions, pair.mentor) == []


# --- consent to the current terms ---------------------------------------------------------------
async def test_a_mentee_who_declines_the_updated_terms_is_not_listed_nor_nudged_until_they_accept(
    pair: Pair, engine_db: AsyncEngine
) -> None:
    assert pair.mentee.id is not None
    await pair.as_mentor.send("/mentees")  # the list as it was, with the nudge button
    await set_terms(engine_db, pair.mentee.id, OLD_TERMS)  # the terms changed since she agreed
    await pair.as_mentee.send("/learn")
    await pair.as_mentee.press("Không đồng ý")
    assert "chưa đồng ý với điều khoản mới" in pair.as_mentee.text

    await pair.as_mentor.press(f"Nhắc nhở {MENTEE}")  # the button of the earlier list
    assert pair.as_mentor.last.toast == (
        "Hiện không thể gửi lời nhắc tới học viên này. Lời nhắc không được tính vào giới hạn."
    )
    await pair.as_mentor.event(Press(f"ns::{pair.mentee.id}"))  # "send" pressed all the same
    assert MENTEE not in (pair.as_mentor.last.toast or "")
    await pair.as_mentor.send("/mentees")
    assert MENTEE not in pair.as_mentor.text
    assert "Anh/chị chưa có học viên nào" in pair.as_mentor.text
    assert all(not reply.buttons for reply in pair.as_mentor.last.replies)
    assert [
        d for d in await deliveries(engine_db, learner_id=pair.mentee.id) if d.kind == "nudge"
    ] == []

    await pair.as_mentee.send("/start")
    await pair.as_mentee.press("Tôi đồng ý")  # she reads the new terms and accepts them
    await pair.as_mentor.send("/mentees")
    assert f"• {MENTEE}: chưa bắt đầu" in pair.as_mentor.text
    await send_template(pair.as_mentor)
    assert [d.kind for d in await deliveries(engine_db, learner_id=pair.mentee.id)] == ["nudge"]


async def test_the_leaderboard_names_nobody_who_declined_the_updated_terms(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    engine_db: AsyncEngine,
    pack: Pack,
    tree: dict[str, Unit],
) -> None:
    certified = [(1, JOINED + timedelta(days=5))]
    mai = await add_learner(
        sessions, unit="A1", name="Ngô Thị Mai", created_at=JOINED, certified=certified
    )
    nam = await add_learner(sessions, unit="A1", name="Đỗ Văn Nam", created_at=JOINED)
    as_mai, as_nam = talk(engine, pack, mai), talk(engine, pack, nam)
    await as_mai.send("/leaderboard")
    await as_mai.press("Hiện tên tôi")
    assert mai.id is not None
    await set_terms(engine_db, mai.id, OLD_TERMS)  # she declined the updated terms
    await as_nam.send("/leaderboard")
    assert "Ngô Thị Mai" not in as_nam.text

    await set_terms(engine_db, mai.id, TERMS)  # and accepted them later
    await as_nam.send("/leaderboard")
    assert "Ngô Thị Mai" in as_nam.text


# --- mentor links: confirmation, leaving, rotation ----------------------------------------------
async def test_opening_a_mentors_link_asks_first_and_declining_links_no_one(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, pack: Pack, tree: dict[str, Unit]
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    as_mentor = talk(engine, pack, mentor)
    await as_mentor.send("/mentor_link")
    found = LINK.search(as_mentor.text)
    assert found is not None
    colleague = talk(engine, pack, await add_learner(sessions, unit="A1", created_at=JOINED))

    await colleague.send(f"/start {found.group(1)}")
    invitation = f"{MENTOR} mời anh/chị nhận mình làm người hướng dẫn (hạt nhân lan tỏa)."
    assert invitation in colleague.text
    assert "không thấy các câu trả lời" in colleague.text
    assert [b.label for b in colleague.buttons()] == ["✅ Đồng ý", "Từ chối"]
    assert await count(sessions, MentorLink) == 0  # nothing is linked by opening the link
    await colleague.press("Từ chối")
    assert colleague.text == (
        "Anh/chị đã từ chối. Không có kết nối nào được tạo; anh/chị vẫn học bình thường."
    )
    assert await count(sessions, MentorLink) == 0
    await as_mentor.send("/mentees")
    assert "Anh/chị chưa có học viên nào" in as_mentor.text

    await colleague.send(f"/start {found.group(1)}")  # changed their mind: the link still works
    await colleague.press("Đồng ý")
    assert f"kết nối với người hướng dẫn {MENTOR}" in colleague.text
    await colleague.send(f"/start {found.group(1)}")
    assert f"đã được kết nối với người hướng dẫn {MENTOR} từ trước" in colleague.text
    assert await count(sessions, MentorLink) == 1


async def test_a_mentee_leaves_their_mentor_who_is_told_politely(
    pair: Pair, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    clock.advance(hours=13)  # 22:00 in Hà Nội: the nudge waits for the morning
    await send_template(pair.as_mentor)
    await pair.as_mentee.send("/my_mentor")
    assert pair.as_mentee.text.splitlines() == ["🤝 Người hướng dẫn của anh/chị:", f"• {MENTOR}"]
    await pair.as_mentee.press(f"Rời người hướng dẫn {MENTOR}")
    assert pair.as_mentee.text == (
        f"Anh/chị đã thôi nhận {MENTOR} làm người hướng dẫn; người hướng dẫn đã được báo tin. "
        "Anh/chị vẫn tiếp tục học bình thường."
    )
    assert await count(sessions, MentorLink) == 0
    (nudge,) = await queued(sessions, pair.mentee)
    assert nudge.state == "skipped"  # the nudge held for the morning does not go out
    (told,) = await queued(sessions, pair.mentor)
    assert plain(told.text) == (
        f"{MENTEE} đã thôi nhận hướng dẫn từ anh/chị. Cảm ơn anh/chị đã đồng hành cùng đồng nghiệp!"
    )
    await pair.as_mentor.send("/mentees")
    assert MENTEE not in pair.as_mentor.text
    await pair.as_mentee.send("/my_mentor")
    assert "Anh/chị chưa có người hướng dẫn." in pair.as_mentee.text
    await pair.as_mentee.event(Press(f"ml::{pair.mentor.id}"))  # the old button, pressed again
    assert pair.as_mentee.last.toast == "Anh/chị không còn được kết nối với người hướng dẫn này."
    assert len(await queued(sessions, pair.mentor)) == 1  # told once


async def test_a_mentor_link_expires_and_a_new_one_stops_the_old_one(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
    clock: Clock,
) -> None:
    mentor = await add_mentor(sessions, tree["A1"])
    as_mentor = talk(engine, pack, mentor)
    colleague = talk(engine, pack, await add_learner(sessions, unit="A1", created_at=JOINED))

    async def current_link() -> str:
        found = LINK.search(as_mentor.text)
        assert found is not None, as_mentor.text
        return found.group(1)

    await as_mentor.send("/mentor_link")
    assert "(hiệu lực đến 07/12/2026)" in as_mentor.text  # 14 days (HOCVUSO_MENTOR_CODE_DAYS)
    first = await current_link()
    clock.advance(days=15)
    await colleague.send(f"/start {first}")
    assert "Đường dẫn của người hướng dẫn đã hết hạn" in colleague.text

    await as_mentor.send("/mentor_link")  # an expired link is replaced by a new one
    second = await current_link()
    assert second != first
    await as_mentor.press("Tạo đường dẫn mới")  # the mentor may replace it at any time
    assert "đường dẫn cũ không còn dùng được" in as_mentor.text
    third = await current_link()
    assert third not in (first, second)
    await colleague.send(f"/start {second}")
    assert "Đường dẫn của người hướng dẫn không còn hiệu lực." in colleague.text
    await colleague.send(f"/start {third}")
    await colleague.press("Đồng ý")
    assert f"kết nối với người hướng dẫn {MENTOR}" in colleague.text
    assert await count(sessions, MentorLink) == 1
