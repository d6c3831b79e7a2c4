"""Placement, paths by role, reviews, the exam and resuming after a restart."""

from __future__ import annotations

import dataclasses
import random

import pytest
from sqlmodel import select

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.content.loader import Pack
from hocvuso.learning import course
from hocvuso.storage.models import Certificate, ExamAttempt, LessonProgress, QuizAttempt
from tests.factories import Clock, Conversation


async def rows(chat: Conversation, model: type) -> list:
    async with chat.engine.sessions() as session:
        return list((await session.exec(select(model))).all())


async def finish_level(chat: Conversation) -> None:
    for _ in range(1000):  # a level of the test pack takes a few dozen steps
        labels = " ".join(b.label for b in chat.buttons())
        if "Bắt đầu thi" in labels:
            return
        if "Làm câu hỏi" in labels:
            await chat.press("Làm câu hỏi")
        elif "Học tiếp" in labels:
            await chat.press("Học tiếp")
        else:
            await chat.answer(correct=True)
    raise AssertionError("the level never offered its exam")


async def test_placement_skips_the_areas_the_learner_already_masters(chat: Conversation) -> None:
    await chat.onboard(role="Cán bộ", placement=True)
    # 2 questions per area; answer safety right, info wrong.
    for _ in range(4):
        area = chat.pack.questions[chat.current_question_id()].area
        await chat.answer(correct=area == "safety")
    assert "Kết quả xếp lớp: 2/4" in chat.text
    assert "An toàn" in chat.text
    placed_out = {p.lesson_id for p in await rows(chat, LessonProgress) if p.status == "placed_out"}
    assert placed_out == {"t1-s1"}
    assert "t1-i1" in chat.text or "Bài 2/3" in chat.text  # learning starts with what is missing


def test_each_role_gets_only_lessons_for_it_or_for_everyone(pack) -> None:
    for role in ("deputy", "civil_servant", "council", "other"):
        lessons = course.path(pack, 1, role)
        assert lessons, role
        for ref in lessons:
            assert "all" in ref.lesson.roles or role in ref.lesson.roles
    assert [r.lesson.id for r in course.path(pack, 1, "deputy")] == ["t1-s1", "t1-s2", "t1-i1"]
    assert [r.lesson.id for r in course.path(pack, 1, "other")] == ["t1-s1", "t1-i1"]


async def test_answers_come_back_for_review_when_due(chat: Conversation, clock: Clock) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    for _ in range(3):
        await chat.answer(correct=False)
    await chat.press("Nghỉ")
    await chat.send("/review")
    assert "Hiện không có câu nào đến hạn" in chat.text
    clock.advance(days=2)
    await chat.send("/learn")
    assert "ôn lại 3 câu" in chat.text
    assert "Ôn tập · Câu 1/3" in chat.text
    for _ in range(3):
        await chat.answer(correct=True)
    # after the reviews, the next lesson follows in the same session
    assert "Bài 2/3" in chat.text
    modes = [a.mode for a in await rows(chat, QuizAttempt)]
    assert modes == ["lesson"] * 3 + ["review"] * 3


async def test_a_failed_exam_can_be_retaken_only_after_the_cool_down(
    chat: Conversation, clock: Clock
) -> None:
    await chat.onboard()
    await finish_level(chat)
    await chat.press("Bắt đầu thi")
    assert "Đáp án đúng" not in chat.text  # no answer is revealed during the exam
    for _ in range(5):
        await chat.answer(correct=False)
        assert "Chưa đúng" not in chat.text
    assert "Lần này chưa đạt" in chat.text
    assert await rows(chat, Certificate) == []
    await chat.send("/learn")
    assert "có thể thi lại từ" in chat.text
    clock.advance(hours=25)
    await chat.send("/learn")
    await chat.press("Bắt đầu thi")
    for _ in range(4):
        await chat.answer(correct=True)
    await chat.answer(correct=False)  # 4/5 = 80%: passes
    assert "Chúc mừng" in chat.text
    exams = await rows(chat, ExamAttempt)
    assert [(e.correct, e.passed) for e in exams] == [(0, False), (4, True)]


async def test_passing_moves_the_learner_to_the_next_level(chat: Conversation) -> None:
    await chat.onboard()
    await finish_level(chat)
    await chat.press("Bắt đầu thi")
    for _ in range(5):
        await chat.answer(correct=True)
    await chat.press("Học tiếp")
    assert "Trung cấp" in chat.text or "Bài 1/1" in chat.text


async def test_a_restart_resumes_the_same_question(
    chat: Conversation, engine: Engine, clock: Clock
) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    await chat.answer(correct=True)
    question = chat.current_question_id()
    # A new engine on the same database: what a process restart looks like.
    restarted = Engine(
        engine.sessions, engine.pack, engine.settings, clock=clock, rng=random.Random(1)
    )
    again = Conversation(restarted, chat.pack, chat.chat_id, chat.name)
    await again.send("/learn")
    assert again.current_question_id() == question
    assert "Câu 2/3" in again.text
    # the buttons of the message sent before the restart still answer it
    await chat.answer(correct=True)
    assert "Chính xác" in chat.text
    assert len(await rows(chat, QuizAttempt)) == 2


async def test_typed_letter_answers_the_question(chat: Conversation) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    await chat.send(chat.letter_for(correct=True).lower())
    assert "Chính xác" in chat.text


async def test_free_text_during_a_question_gets_a_hint_and_changes_nothing(
    chat: Conversation,
) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    question = chat.current_question_id()
    await chat.send("tôi không biết")
    assert "chọn bằng các nút" in chat.text
    assert chat.current_question_id() == question
    assert await rows(chat, QuizAttempt) == []


@pytest.mark.parametrize("typed", ["²", "1" * 4_301])
async def test_odd_digits_during_a_question_get_the_hint(chat: Conversation, typed: str) -> None:
    """Found by the fuzz (tests/bot/telegram/test_fuzz.py): a superscript digit, or a number of
    over 4,300 digits, is a digit to ``str.isdigit`` but not to ``int``: the answer failed and
    the person got "something went wrong" instead of the hint."""
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    question = chat.current_question_id()
    await chat.send(typed)
    assert "chọn bằng các nút" in chat.text
    assert chat.current_question_id() == question
    assert await rows(chat, QuizAttempt) == []


async def test_a_reminder_button_starts_the_session_like_learn(chat: Conversation) -> None:
    from hocvuso.chat.events import Press

    await chat.onboard()
    await chat.press("Nghỉ") if any("Nghỉ" in b.label for b in chat.buttons()) else None
    await chat.event(Press("lr::"))
    assert "Bài 1/3" in chat.text or "Anh/chị đang học bài" in chat.text


def _new_course_version(chat: Conversation, *retired: str) -> Conversation:
    """The same learner after a deploy whose pack no longer has these questions."""
    pack: Pack = chat.engine.pack
    changed = dataclasses.replace(
        pack,
        questions={k: v for k, v in pack.questions.items() if k not in retired},
        exam_pools={n: [q for q in p if q not in retired] for n, p in pack.exam_pools.items()},
    )
    engine = Engine(
        chat.engine.sessions, changed, chat.engine.settings, clock=chat.engine.clock,
        rng=random.Random(3),
    )  # fmt: skip
    return Conversation(engine, changed, chat_id=chat.chat_id, name=chat.name)


async def test_a_question_retired_by_a_new_course_version_is_skipped_and_nothing_breaks(
    chat: Conversation,
) -> None:
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    shown = chat.current_question_id()
    letter = chat.letter_for(correct=True)
    after = _new_course_version(chat, shown)
    await after.event(Press(next(b.data for b in chat.buttons() if b.label == letter)))
    assert "phiên bản mới" in after.text  # said plainly, no error
    assert "Câu 1/2" in after.text  # the lesson's two other questions follow
    assert after.current_question_id() != shown
    assert await rows(after, QuizAttempt) == []  # nothing recorded against the retired question
    await after.answer(correct=True)
    await after.answer(correct=True)
    assert "Hoàn thành bài! Đúng 2/2 câu." in after.text
    assert len(await rows(after, QuizAttempt)) == 2


async def test_an_exam_with_a_retired_question_is_void_and_can_be_taken_again_at_once(
    chat: Conversation,
) -> None:
    await chat.onboard()
    await finish_level(chat)
    await chat.press("Bắt đầu thi")
    await chat.answer(correct=False)
    after = _new_course_version(chat, chat.current_question_id())
    await after.send("/learn")
    assert "không tính là trượt" in after.text
    await after.press("Bắt đầu thi")  # no cool-down
    for _ in range(5):
        await after.answer(correct=True)
    assert "Chúc mừng" in after.text
    attempts = await rows(after, ExamAttempt)
    assert [e.passed for e in attempts] == [None, True]
