"""The learner's rights and settings: export, erasure, language, reminder hour, unit code, and
"tạm nghỉ" (pausing reminders from /settings or from the reminder itself)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from hocvuso.chat.events import Press
from hocvuso.storage.models import Learner, QuizAttempt, ReviewCard
from tests.factories import Clock, Conversation, add_units


async def learner(chat: Conversation) -> Learner | None:
    async with chat.engine.sessions() as session:
        result = await session.exec(select(Learner))
        return result.first()


async def test_mydata_exports_everything_stored_as_json(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    await chat.answer(correct=True)
    await chat.send("/mydata")
    document = chat.last.replies[0].document
    assert document is not None and document.filename.endswith(".json")
    data = json.loads(document.content)
    assert data["learner"]["display_name"] == "Nguyễn Thị Lan"
    assert data["learner"]["consent_version"]
    assert len(data["quiz_attempts"]) == 1
    assert len(data["review_cards"]) == 1
    assert data["lesson_progress"][0]["lesson_id"] == "t1-s1"


async def test_forget_erases_personal_data_after_confirmation(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    await chat.answer(correct=True)
    await chat.send("/forget")
    await chat.press("Không, giữ lại")
    assert (await learner(chat)).display_name == "Nguyễn Thị Lan"
    await chat.send("/forget")
    await chat.press("Xóa dữ liệu")
    assert "Đã xóa dữ liệu cá nhân" in chat.text
    erased = await learner(chat)
    assert erased is not None
    assert (erased.display_name, erased.chat_id, erased.status) == (None, None, "erased")
    async with chat.engine.sessions() as session:
        assert (await session.exec(select(ReviewCard))).all() == []
        # the anonymous answer stays for aggregate statistics
        assert len((await session.exec(select(QuizAttempt))).all()) == 1
    # The same person writing again starts over at the consent screen.
    await chat.send("/start")
    assert "Tôi đồng ý" in " ".join(b.label for b in chat.buttons())


async def test_settings_change_language_and_reminder_hour(chat: Conversation) -> None:
    await chat.onboard()
    await chat.send("/settings")
    assert "19:00" in chat.text
    await chat.press("English")
    await chat.send("/settings")
    assert "Settings" in chat.text
    await chat.press("reminder hour")
    labels = [b.label for b in chat.buttons()]
    assert labels[0] == "07:00" and labels[-1] == "20:00"  # never in quiet hours
    await chat.press("08:00")
    stored = await learner(chat)
    assert (stored.language, stored.reminder_hour) == ("en", 8)


async def test_english_learner_sees_translated_lessons(chat: Conversation) -> None:
    chat.language_code = "en"
    await chat.send("/start")
    await chat.press("I agree")
    await chat.press("English")
    await chat.press("Cadre")
    await chat.press("Skip")
    await chat.press("Skip, start")
    assert "Test lesson one" in chat.text


async def test_start_deep_link_carries_the_unit_code_through_consent(chat: Conversation) -> None:
    found = await add_units(chat.engine.sessions, ("QH-VPQH", "Văn phòng Quốc hội", None))
    await chat.send(f"/start {found['QH-VPQH'].invite_code}")
    await chat.press("Tôi đồng ý")
    await chat.press("Tiếng Việt")
    await chat.press("Đại biểu Quốc hội")
    assert "Bài kiểm tra xếp lớp" in chat.text  # the unit question is skipped
    assert (await learner(chat)).unit_code == "QH-VPQH"


async def test_bad_unit_code_is_explained_and_can_be_typed_again(chat: Conversation) -> None:
    await chat.send("/start")
    await chat.press("Tôi đồng ý")
    await chat.press("Tiếng Việt")
    await chat.press("Khác")
    await chat.send("mã đơn vị có dấu!")
    assert "Mã đơn vị chỉ gồm" in chat.text
    # Well formed but no unit has it: refused, the learner stays at the unit question.
    await chat.send("HDND-XA-01")
    assert "Không tìm thấy đơn vị" in chat.text
    assert (await learner(chat)).unit_code is None
    found = await add_units(chat.engine.sessions, ("HDND-XA-01", "HĐND xã Một", None))
    await chat.send(found["HDND-XA-01"].invite_code.lower())  # typed codes ignore case
    assert "Anh/chị đã tham gia đơn vị: HĐND xã Một" in chat.text
    assert (await learner(chat)).unit_code == "HDND-XA-01"


async def test_progress_shows_the_bar_and_streak(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    for _ in range(3):
        await chat.answer(correct=True)
    await chat.send("/progress")
    assert "▓▓▓░░░░░░░ 33% (1/3 bài)" in chat.text
    assert "Chuỗi ngày học: 1 ngày" in chat.text
    assert "Câu đã trả lời: 3 (đúng 100%)" in chat.text


# --- tạm nghỉ ------------------------------------------------------------------------------------
async def stored_learner(chat: Conversation) -> Learner:
    async with chat.engine.sessions() as session:
        return (await session.exec(select(Learner))).one()


async def test_pausing_for_three_days_lasts_until_the_end_of_the_third_local_day(
    chat: Conversation, clock: Clock
) -> None:
    await chat.onboard()
    await chat.send("/settings")
    await chat.press("Tạm nghỉ")
    assert "bao lâu" in chat.text
    await chat.press("3 ngày")
    assert "đến hết ngày 26/11/2026" in chat.text
    learner = await stored_learner(chat)
    assert learner.reminders_paused_until == datetime(
        2026, 11, 26, 17, 0, tzinfo=UTC
    )  # 00:00 on 27/11
    await chat.send("/settings")
    assert "Tạm nghỉ nhắc học đến hết ngày 26/11/2026" in chat.text


async def test_the_reminders_pause_button_works_and_can_be_undone(chat: Conversation) -> None:
    await chat.onboard()
    await chat.event(Press("sp::"))  # the button on a reminder
    await chat.press("Nhắc học lại")
    assert "Đã bật lại nhắc học" in chat.text
    assert (await stored_learner(chat)).reminders_paused_until is None


async def test_forget_leaves_no_record_of_the_persons_earlier_updates(chat: Conversation) -> None:
    from hocvuso.storage.models import ProcessedUpdate

    await chat.onboard()  # the first updates came before she was a learner
    await chat.send("/forget")
    erasing = await chat.press("Xóa dữ liệu")
    assert "Đã xóa dữ liệu cá nhân" in chat.text
    async with chat.engine.sessions() as session:
        rows = (await session.exec(select(ProcessedUpdate))).all()
    # Only the erasure's own confirmation is kept (until it is delivered and pruned), so a
    # redelivered press is recognised; nothing else records her chat.
    assert [row.replies for row in rows] == [[r.to_json() for r in erasing.replies]]
