"""The learner loop end to end: the real bot process, real HTTP, a strict fake Bot API.

Every Bot API call the bot makes is checked against the official API description
(vendored in ``tests/fakes/botapi/api.json``); any refused call fails the test.
"""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from hocvuso.content.loader import Pack
from hocvuso.storage.models import Certificate, Learner, QuizAttempt
from tests.e2e.harness import BotProcess, study_until_exam
from tests.e2e.harness import Learner as Person
from tests.fakes.telegram_api import FakeTelegram, _CallbackQuery

pytestmark = pytest.mark.e2e


async def scalar(engine_db: AsyncEngine, query) -> int:
    async with engine_db.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_from_start_to_level_one_certificate(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    person = Person(fake, fake.user(5001, "Trần Văn Minh"), core_pack)
    await person.onboard(role="Cán bộ, công chức", placement=True)
    # Placement: the learner knows everything except AI, so only the AI lessons remain.
    while "Xếp lớp" in (person.prompt().text or ""):
        _, question_id = person.question_on_screen()
        await person.answer(correct=core_pack.questions[question_id].area != "ai")
    assert any("Kết quả xếp lớp" in t for t in person.user.texts)
    lessons = await study_until_exam(person)
    ai_path = [r for r in core_pack.lessons_for(1, "civil_servant") if r.area == "ai"]
    assert lessons == len(ai_path)
    await person.press("Bắt đầu thi")
    for _ in range(core_pack.level_info(1).exam.size):
        await person.answer(correct=True)
    certificate = "\n".join(person.user.texts[-4:])  # the certificate, its PDF, what next
    assert "CHỨNG NHẬN KỸ NĂNG SỐ" in certificate
    assert "Trần Văn Minh" in certificate
    assert await scalar(engine_db, select(func.count()).select_from(Certificate)) == 1
    # The menu was registered in Vietnamese, and nothing the bot sent was refused.
    assert {c["command"] for c in fake.get_commands()} >= {"start", "learn", "mydata", "forget"}
    assert not person.saw_error()
    fake.assert_no_invalid_requests()


async def test_mydata_arrives_as_a_json_document(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack
) -> None:
    person = Person(fake, fake.user(5002, "Lê Thu"), core_pack)
    await person.onboard(role="Khác", placement=False)
    await person.send("/mydata")
    documents = [m.document for m in person.user.visible_messages if m.document]
    assert documents and documents[-1].file_name.endswith(".json")
    assert "Lê Thu".encode() in (documents[-1].data or b"")
    fake.assert_no_invalid_requests()


async def test_a_killed_bot_loses_no_answer_and_applies_none_twice(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    person = Person(fake, fake.user(5003, "Phạm Hà"), core_pack)
    await person.onboard(role="Đại biểu HĐND", placement=False)
    await person.press("Làm câu hỏi")
    first_answer_update = fake.updates[-1]["update_id"] + 1
    await person.answer(correct=True)

    # Kill the bot while it is handling an answer: the press is in flight.
    message, question_id = person.question_on_screen()
    letter = person.letter(message, question_id, correct=True)
    await person.user.press(message, message.button(text=letter)["callback_data"])
    await asyncio.sleep(random.uniform(0.0, 0.05))
    await bot.kill()
    # Telegram redelivers what was not confirmed, and more: replay from the first answer.
    fake.redeliver_from(first_answer_update)
    await bot.start()
    await fake.wait_until(lambda: fake.confirmed_offset > fake.updates[-1]["update_id"], timeout=30)

    attempts = await scalar(engine_db, select(func.count()).select_from(QuizAttempt))
    assert attempts == 2  # both answers, each once
    duplicates = await scalar(
        engine_db,
        text(
            "SELECT count(*) FROM (SELECT learner_id, prompt_nonce FROM quiz_attempt "
            "GROUP BY learner_id, prompt_nonce HAVING count(*) > 1) d"
        ),
    )
    assert duplicates == 0
    # The learner carries on from exactly where they were.
    await person.send("/learn")
    assert "Câu 3/3" in (person.prompt().text or "")
    await person.answer(correct=True)
    assert await scalar(engine_db, select(func.count()).select_from(QuizAttempt)) == 3
    assert not person.saw_error()
    # Replaying the undelivered replies of the update in flight may re-send an edit that had
    # already reached Telegram: "message is not modified" is expected there and tolerated.
    refused = [e for e in fake.invalid_requests if "not modified" not in e.description]
    assert refused == []


async def test_stale_and_forged_presses_get_a_message_and_change_nothing(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    person = Person(fake, fake.user(5004, "Đỗ An"), core_pack)
    await person.onboard(role="Khác", placement=False)
    await person.press("Làm câu hỏi")
    old_question = person.prompt()
    await person.answer(correct=True)
    before = await scalar(engine_db, select(func.count()).select_from(QuizAttempt))
    # The answered question's message was edited: its buttons are gone. Press a button of an
    # old prompt that still shows one (the lesson message) and a forged payload.
    lesson_message = next(
        m for m in person.user.visible_messages if any("Làm câu hỏi" in b for b in m.button_texts)
    )
    await person.press("Làm câu hỏi", lesson_message)
    assert "không còn hiệu lực" in (person.user.callback_answers[-1] or "")
    # A forged press: a payload no button ever carried (registered as a real query would be).
    fake._callback_queries["forged-1"] = _CallbackQuery(person.user, time.monotonic())
    fake.enqueue_update(
        {
            "callback_query": {
                "id": "forged-1",
                "from": person.user.to_api(),
                "chat_instance": "1",
                "message": old_question.to_api(),
                "data": "an:00000000:0",
            }
        }
    )
    await fake.wait_until(lambda: fake.confirmed_offset > fake.updates[-1]["update_id"])
    assert "không còn hiệu lực" in (person.user.callback_answers[-1] or "")
    assert await scalar(engine_db, select(func.count()).select_from(QuizAttempt)) == before
    fake.assert_no_invalid_requests()


async def test_a_person_who_blocked_the_bot_is_marked_and_not_written_to(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    person = Person(fake, fake.user(5005, "Vũ Bình"), core_pack)
    await person.onboard(role="Khác", placement=False)
    person.user.block()
    update = await person.user.send_text("/progress")  # sending unblocks in the fake ...
    person.user.block(notify=False)  # ... so block again before the bot answers
    await fake.wait_until(lambda: fake.confirmed_offset > update["update_id"], timeout=30)
    status = await scalar(
        engine_db, select(func.count()).select_from(Learner).where(Learner.status == "blocked")
    )
    assert status == 1
