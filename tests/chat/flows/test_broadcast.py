"""An organiser's /broadcast in chat: compose → preview → confirm → queued for their subtree only,
with a progress message; cancelling, retyping and stale presses lose nothing and send nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.content.loader import Pack
from hocvuso.storage.models import Learner, LearnerStatus
from hocvuso.storage.organising import AuditEntry, Role, Unit
from hocvuso.storage.scheduling import Broadcast, Delivery
from tests.factories import Conversation, add_learner, grant, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)


async def _deliveries(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with sessions() as session:
        return list((await session.exec(select(Delivery).order_by(Delivery.id))).scalars())  # type: ignore[call-overload]


async def _count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one()[0])  # type: ignore[call-overload]


async def _people(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Learner]:
    """Learners in A1, A2, A2x, B1; one blocked in A1; an organiser of A2."""
    people = {
        code: await add_learner(sessions, unit=code, name=f"Người {code}", created_at=JOINED)
        for code in ("A1", "A2", "A2x", "B1")
    }
    people["blocked"] = await add_learner(
        sessions, unit="A2", name="Người chặn bot", created_at=JOINED, status=LearnerStatus.BLOCKED
    )
    people["organiser"] = await add_learner(
        sessions, unit="A2", name="Trần Tổ Chức", created_at=JOINED
    )
    return people


async def _organiser(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> tuple[Conversation, dict[str, Learner]]:
    people = await _people(sessions)
    await grant(sessions, people["organiser"], Role.ORGANISER, tree["A2"])
    return talk(engine, pack, people["organiser"]), people


async def test_broadcast_goes_through_preview_and_reaches_only_the_organisers_subtree(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, people = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    assert "Phòng A2" in organiser.text
    assert await _count(sessions, Broadcast) == 0

    await organiser.send("Họp trực tuyến <b>thứ Hai</b> lúc 8:00 & ôn tập bài 3")
    preview = organiser.text
    # Reachable people in A2's subtree: A2, A2x and the organiser (the blocked one is not).
    assert "gửi tới 3 học viên" in preview
    assert "Họp trực tuyến <b>thứ Hai</b> lúc 8:00 & ôn tập bài 3" in preview
    assert await _count(sessions, Broadcast) == 0  # nothing is sent before the confirmation

    await organiser.press("Gửi")
    assert "đang được gửi tới 3 học viên" in organiser.text
    sent = await _deliveries(sessions)
    reached = {d.learner_id for d in sent}
    assert reached == {people["A2"].id, people["A2x"].id, people["organiser"].id}
    # The organiser's text is shown literally to learners: no markup of theirs is interpreted.
    assert all("&lt;b&gt;thứ Hai&lt;/b&gt;" in d.text and "&amp;" in d.text for d in sent)

    async with sessions() as session:
        entry = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "broadcast.send"))  # type: ignore[call-overload]
        ).scalar_one()
    assert entry.actor_id == people["organiser"].id
    assert entry.unit_id == tree["A2"].id
    assert entry.details["queued"] == 3
    assert "thứ Hai" not in str(entry.details)  # the text itself is not in the audit log

    # The progress button counts this broadcast's deliveries.
    await organiser.press("Cập nhật tiến độ")
    assert "Đã gửi 0/3" in organiser.text
    assert "đang chờ 3" in organiser.text


async def test_a_confirmed_broadcast_is_queued_once_even_if_send_is_pressed_again(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, _ = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("Nhắc lịch học")
    send = organiser.button("Gửi").data
    await organiser.event(Press(send))
    await organiser.event(Press(send))  # a second tap on the old preview
    assert organiser.last.toast and "cũ" in organiser.last.toast.lower()
    assert await _count(sessions, Broadcast) == 1
    assert len(await _deliveries(sessions)) == 3


async def test_retyping_replaces_the_preview_and_cancel_sends_nothing(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, _ = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("Bản nháp đầu")
    first_send = organiser.button("Gửi").data
    await organiser.send("Bản nháp thứ hai")
    assert "Bản nháp thứ hai" in organiser.text
    await organiser.event(Press(first_send))  # the first preview is stale now
    assert await _count(sessions, Broadcast) == 0
    await organiser.press("Hủy")
    assert "Đã hủy thông báo" in organiser.text
    assert await _count(sessions, Broadcast) == 0
    # Afterwards the organiser's texts are ordinary chat again, not a new draft.
    await organiser.send("xin chào")
    assert await _count(sessions, Broadcast) == 0


async def test_an_empty_or_too_long_text_is_refused_and_the_draft_stays_open(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, _ = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("x" * 5000)
    assert "Nội dung thông báo cần từ 1 đến" in organiser.text
    await organiser.send("Nội dung đúng độ dài")
    assert "Xem trước thông báo" in organiser.text


async def test_a_long_broadcast_previews_exactly_the_text_that_is_sent(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, _ = await _organiser(engine, pack, sessions, tree)
    typed = ("Lịch họp <thứ Hai> & ôn tập. " * 90).strip()  # 2,609 typed, 3,509 as sent
    await organiser.send("/broadcast")
    await organiser.send(typed)
    [preview] = organiser.last.replies
    assert "{???}" not in preview.text

    await organiser.press("Gửi")
    sent = {d.text for d in await _deliveries(sessions)}
    assert len(sent) == 1
    [text] = sent
    assert "\n\n" + text + "\n\n" in preview.text  # the very text, as Telegram will get it
    assert text.startswith("Lịch họp &lt;thứ Hai&gt; &amp; ôn tập.")


async def test_a_text_too_long_once_escaped_is_refused_before_confirmation(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, _ = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("&" * 1000)  # 1,000 characters typed, 5,000 as sent (&amp;)
    assert organiser.text.startswith("Nội dung thông báo cần từ 1 đến 3.896 ký tự khi gửi")
    assert "dài 5.000 ký tự" in organiser.text
    assert not any(b.label.startswith("✅") for b in organiser.buttons())
    assert await _count(sessions, Broadcast) == 0
    await organiser.send("Nội dung đúng độ dài")
    assert "Xem trước thông báo" in organiser.text


async def test_a_broadcast_to_a_named_sub_unit_reaches_that_subtree(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, people = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast A2x")
    await organiser.send("Chỉ cho tổ A2x")
    assert "gửi tới 1 học viên" in organiser.text
    await organiser.press("Gửi")
    assert {d.learner_id for d in await _deliveries(sessions)} == {people["A2x"].id}


async def test_a_revoked_organiser_cannot_confirm_a_draft(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, people = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("Thông báo")
    async with sessions() as session, session.begin():
        from hocvuso.organising import roles
        from hocvuso.organising.permissions import CLI

        await roles.do_revoke(
            session, CLI, people["organiser"].id or 0, Role.ORGANISER, None, JOINED
        )
    await organiser.press("Gửi")
    assert organiser.last.toast and "người tổ chức" in organiser.last.toast
    assert await _count(sessions, Broadcast) == 0


async def test_the_organiser_is_told_as_the_broadcast_progresses_and_when_it_is_done(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    from hocvuso.scheduler.progress import report_broadcast_progress

    organiser, people = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("Thông báo lịch thi")
    await organiser.press("Gửi")
    database = sessions.kw["bind"]
    now = JOINED + timedelta(days=60)
    assert await report_broadcast_progress(database, engine.settings, now) == 0  # nothing sent

    async def mark(learner: Learner, state: str) -> None:
        async with sessions() as session, session.begin():
            found = await session.exec(
                select(Delivery).where(  # type: ignore[call-overload]
                    Delivery.learner_id == learner.id, Delivery.broadcast_id.is_not(None)
                )
            )
            delivery = found.scalar_one()
            delivery.state = state
            session.add(delivery)

    await mark(people["A2"], "sent")
    await mark(people["A2x"], "sent")
    assert await report_broadcast_progress(database, engine.settings, now) == 1
    assert await report_broadcast_progress(database, engine.settings, now) == 0  # said once
    await mark(people["organiser"], "blocked")
    assert await report_broadcast_progress(database, engine.settings, now) == 1
    notices = [
        d.text for d in await _deliveries(sessions) if d.learner_id == people["organiser"].id
    ]
    assert any("2/3" in n for n in notices)
    assert "Đã gửi xong" in notices[-1]
    assert "2/3" in notices[-1] and "1" in notices[-1]


async def test_a_command_while_composing_discards_the_draft_and_says_so(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, _ = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/broadcast")
    await organiser.send("Bản nháp")
    send = organiser.button("Gửi").data
    await organiser.send("/progress")
    assert "Bản nháp thông báo chưa gửi đã được hủy" in organiser.text
    await organiser.send("B")  # ordinary chat again: not a new draft
    assert "Xem trước thông báo" not in organiser.text
    await organiser.event(Press(send))
    assert await _count(sessions, Broadcast) == 0


async def test_help_lists_the_commands_of_the_roles_a_person_holds(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser, people = await _organiser(engine, pack, sessions, tree)
    await organiser.send("/help")
    assert "/report" in organiser.text and "/broadcast" in organiser.text
    assert "/mentees" not in organiser.text
    learner = talk(engine, pack, people["A1"])
    await learner.send("/help")
    assert "/learn" in learner.text and "/leaderboard" in learner.text
    assert "/report" not in learner.text and "/mentees" not in learner.text
