"""A learner's whole journey through the engine: consent to certificate."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from hocvuso.storage.models import Certificate, ConsentRefusal, Learner, QuizAttempt
from tests.factories import Conversation


async def count(chat: Conversation, model: type, *where: object) -> int:
    async with chat.engine.sessions() as session:
        result = await session.exec(select(func.count()).select_from(model).where(*where))
        return int(result.one())


async def test_anyone_first_sees_the_consent_screen_and_nothing_is_stored(
    chat: Conversation,
) -> None:
    await chat.send("xin chào")
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in chat.text
    assert [b.label for b in chat.buttons()] == ["✅ Tôi đồng ý", "Không đồng ý"]
    assert await count(chat, Learner) == 0


async def test_declining_consent_keeps_only_the_refusal(chat: Conversation) -> None:
    await chat.send("/start")
    await chat.press("Không đồng ý")
    assert "Không có dữ liệu cá nhân nào được lưu" in chat.text
    assert await count(chat, Learner) == 0
    assert await count(chat, ConsentRefusal) == 1


async def test_learner_goes_from_start_to_level_one_certificate(chat: Conversation) -> None:
    await chat.onboard(role="Cán bộ")
    # First lesson is shown right after onboarding.
    assert "Bài 1/3" in chat.text
    lessons_seen = 0
    while "Bắt đầu thi" not in " ".join(b.label for b in chat.buttons()):
        if "Làm câu hỏi" in " ".join(b.label for b in chat.buttons()):
            lessons_seen += 1
            await chat.press("Làm câu hỏi")
        elif "Học tiếp" in " ".join(b.label for b in chat.buttons()):
            await chat.press("Học tiếp")
        else:
            await chat.answer(correct=True)
            assert "Chính xác" in chat.text
    # civil servant path at level 1: t1-s1 (all), t1-i1 (all), t1-i2 (council, civil_servant)
    assert lessons_seen == 3
    await chat.press("Bắt đầu thi")
    for _ in range(5):
        await chat.answer(correct=True)
    assert "Chúc mừng" in chat.text
    assert "CHỨNG NHẬN KỸ NĂNG SỐ" in chat.text
    assert await count(chat, Certificate) == 1
    await chat.send("/certificate")
    assert "Nguyễn Thị Lan" in chat.text


async def test_wrong_answer_shows_the_right_one_and_the_explanation(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    await chat.answer(correct=False)
    assert "Chưa đúng" in chat.text
    assert "Giải thích cho câu" in chat.text


async def test_a_stale_button_changes_nothing(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    old_buttons = chat.buttons()
    await chat.answer(correct=True)
    before = await count(chat, QuizAttempt)
    from hocvuso.chat.events import Press

    outcome = await chat.event(Press(old_buttons[0].data))
    assert outcome.toast is not None and "tin nhắn cũ" in outcome.toast
    assert outcome.replies == []
    assert await count(chat, QuizAttempt) == before


async def test_a_forged_button_is_refused(chat: Conversation) -> None:
    from hocvuso.chat.events import Press

    await chat.onboard()
    outcome = await chat.event(Press("an:deadbeef:0"))
    assert outcome.toast is not None
    outcome = await chat.event(Press("<script>"))
    assert outcome.toast is not None and "không hợp lệ" in outcome.toast


async def test_a_redelivered_update_is_applied_once(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    letter = chat.letter_for(correct=True)
    data = next(b.data for b in chat.buttons() if b.label == letter)
    from hocvuso.chat.events import Press

    first = await chat.event(Press(data), update_id=900001)
    again = await chat.event(Press(data), update_id=900001)
    assert not first.duplicate and again.duplicate
    # Not yet confirmed as delivered: the same replies come back to be sent again.
    assert [r.text for r in again.replies] == [r.text for r in first.replies]
    await chat.engine.mark_delivered((1, 900001))
    third = await chat.event(Press(data), update_id=900001)
    assert third.duplicate and third.replies == []
    assert await count(chat, QuizAttempt) == 1


async def test_replies_confirmed_together_are_each_recorded_as_delivered(
    chat: Conversation,
) -> None:
    import asyncio

    from hocvuso.chat.events import Command

    people = [
        Conversation(chat.engine, chat.pack, chat_id=8800 + i, name=f"Người {i}") for i in range(12)
    ]
    for n, person in enumerate(people):
        await person.event(Command("start", ""), update_id=910000 + n)
    # Confirmed at the same moment (one statement for all of them): none is sent again.
    await asyncio.gather(*(chat.engine.mark_delivered((1, 910000 + n)) for n in range(12)))
    for n, person in enumerate(people):
        again = await person.event(Command("start", ""), update_id=910000 + n)
        assert again.duplicate and again.replies == []
    # One not confirmed is still replayed.
    await people[0].event(Command("help", ""), update_id=910100)
    replay = await people[0].event(Command("help", ""), update_id=910100)
    assert replay.duplicate and replay.replies


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_update_survives_a_database_connection_that_broke(
    chat: Conversation, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from hocvuso.storage import db

    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # no check at checkout: it breaks in use
    await chat.send("/start")
    admin = db.make_engine(database_url)
    try:
        async with admin.begin() as connection:  # a server restart, as the pool sees it
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    await chat.press("Tôi đồng ý")
    assert await count(chat, Learner) == 1
    assert "Tiếng Việt" in " ".join(b.label for b in chat.buttons())


async def test_a_reused_update_id_never_replays_another_persons_replies(
    chat: Conversation,
) -> None:
    from hocvuso.chat.events import Command

    await chat.onboard()
    # Lan's export was made but never confirmed as sent (a send error, a blocked bot).
    export = await chat.event(Command("mydata", ""), update_id=920001)
    assert any(r.document is not None for r in export.replies)
    # A week later Telegram starts update ids again: the same id comes from someone else.
    stranger = Conversation(chat.engine, chat.pack, chat_id=8899, name="Trần Văn Bình")
    outcome = await stranger.event(Command("start", ""), update_id=920001)
    assert not outcome.duplicate
    assert all(r.document is None for r in outcome.replies)
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in outcome.replies[-1].text
    # The stranger's own redelivery is recognised as such, and replays only their replies.
    again = await stranger.event(Command("start", ""), update_id=920001)
    assert again.duplicate
    assert [r.text for r in again.replies] == [r.text for r in outcome.replies]


async def test_an_update_waits_for_a_database_that_is_briefly_unreachable(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hocvuso.chat import engine as engine_module
    from hocvuso.chat.events import Command

    monkeypatch.setattr(engine_module, "RECONNECT_PAUSES", (0.0, 0.0, 0.0))
    sessions = chat.engine.sessions
    refusals = iter(range(2))

    def restarting_server() -> object:
        if next(refusals, None) is not None:  # a server restart refuses the first connections
            raise ConnectionRefusedError(111, "Connect call failed")
        return sessions()

    monkeypatch.setattr(chat.engine, "sessions", restarting_server)
    outcome = await chat.event(Command("start", ""), update_id=930001)
    # Applied once the server is back: the person sees the consent screen, not an error.
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in outcome.replies[-1].text
    # Unreachable for longer than the pauses: the error reaches the person's error handler.
    refusals = iter(range(10))
    with pytest.raises(ConnectionRefusedError):
        await chat.event(Command("start", ""), update_id=930002)
