"""The study loop: placement, daily session (reviews, lesson, questions), level exam."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from hocvuso.i18n import Markup, escape
from hocvuso.learning import actions as a
from hocvuso.learning import course, srs
from hocvuso.learning.actions import Action
from hocvuso.learning.context import Ctx, new_nonce
from hocvuso.learning.replies import Button, rows
from hocvuso.organising import mentoring
from hocvuso.storage.models import (
    Certificate,
    ExamAttempt,
    LessonProgress,
    QuizAttempt,
    ReviewCard,
)

REVIEWS_PER_SESSION = 5
LETTERS = "ABCDEFGHIJKL"
CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _learner(ctx: Ctx) -> Any:
    assert ctx.learner is not None and ctx.learner.id is not None
    return ctx.learner


# --- reading the learner's record ----------------------------------------------------------
async def finished_lessons(ctx: Ctx) -> set[str]:
    result = await ctx.session.exec(
        select(LessonProgress.lesson_id).where(
            LessonProgress.learner_id == _learner(ctx).id,
            col(LessonProgress.status).in_(("done", "placed_out")),
        )
    )
    return set(result.all())


async def due_cards(ctx: Ctx, limit: int = REVIEWS_PER_SESSION) -> list[ReviewCard]:
    result = await ctx.session.exec(
        select(ReviewCard)
        .where(ReviewCard.learner_id == _learner(ctx).id, ReviewCard.due <= ctx.now)
        .order_by(col(ReviewCard.due))
        .limit(limit)
    )
    return [card for card in result.all() if card.question_id in ctx.pack.questions]


async def count_due(ctx: Ctx) -> int:
    result = await ctx.session.exec(
        select(func.count())
        .select_from(ReviewCard)
        .where(ReviewCard.learner_id == _learner(ctx).id, ReviewCard.due <= ctx.now)
    )
    return int(result.one())


async def certificate_for(ctx: Ctx, level: int) -> Certificate | None:
    result = await ctx.session.exec(
        select(Certificate).where(
            Certificate.learner_id == _learner(ctx).id, Certificate.level == level
        )
    )
    return result.first()


# --- placement ---------------------------------------------------------------------------
def placement_plan(ctx: Ctx) -> list[str]:
    learner = _learner(ctx)
    return course.placement_questions(ctx.pack, learner.level, learner.role or "other", ctx.rng)


async def start_placement(ctx: Ctx) -> None:
    plan = ctx.state.get("placement_plan") or placement_plan(ctx)
    start_questions(ctx, "placement", plan, placement={})


async def finish_placement(ctx: Ctx) -> None:
    learner = _learner(ctx)
    answers: dict[str, bool] = ctx.state.get("placement", {})
    mastered = course.mastered_areas(ctx.pack, answers)
    skipped = 0
    for ref in course.path(ctx.pack, learner.level, learner.role or "other"):
        if ref.area in mastered:
            ctx.session.add(
                LessonProgress(
                    learner_id=learner.id,
                    lesson_id=ref.lesson.id,
                    level=ref.level,
                    status="placed_out",
                    started_at=ctx.now,
                    completed_at=ctx.now,
                )
            )
            skipped += 1
    learner.placement_done = True
    score = sum(answers.values())
    areas = ", ".join(ctx.pack.area_title(area, ctx.lang) for area in sorted(mastered))
    remaining = len(course.path(ctx.pack, learner.level, learner.role or "other")) - skipped
    ctx.say(
        ctx.t(
            "placement-result",
            score=score,
            total=len(answers),
            areas=areas or ctx.t("placement-none-mastered"),
            remaining=remaining,
            level=ctx.pack.level_title(learner.level, ctx.lang),
        )
    )
    await ctx.session.flush()
    await next_step(ctx)


# --- the daily session -----------------------------------------------------------------------
async def start_session(ctx: Ctx, *, reviews_only: bool = False) -> None:
    """/learn: due reviews first, then the next lesson on the learner's path."""
    cards = await due_cards(ctx)
    if cards:
        ctx.say(ctx.t("reviews-intro", count=len(cards)))
        start_questions(
            ctx, "review", [c.question_id for c in cards], then="idle" if reviews_only else "lesson"
        )
        return
    if reviews_only:
        ctx.say(ctx.t("reviews-none"))
        await _show_next_review_time(ctx)
        return
    await next_step(ctx)


async def _show_next_review_time(ctx: Ctx) -> None:
    result = await ctx.session.exec(
        select(func.min(ReviewCard.due)).where(ReviewCard.learner_id == _learner(ctx).id)
    )
    upcoming = result.one()
    if upcoming is not None:
        ctx.say(ctx.t("reviews-next", when=ctx.fmt_datetime(upcoming)))


async def next_step(ctx: Ctx) -> None:
    """Present the next lesson, or the exam when the level's lessons are all done."""
    learner = _learner(ctx)
    finished = await finished_lessons(ctx)
    ref = course.next_lesson(ctx.pack, learner.level, learner.role or "other", finished)
    if ref is not None:
        await present_lesson(ctx, ref.lesson.id, finished)
        return
    if await certificate_for(ctx, learner.level) is not None:
        higher = [lvl for lvl in ctx.pack.levels if lvl > learner.level]
        if higher:
            learner.level = higher[0]
            ctx.say(ctx.t("level-up", level=ctx.pack.level_title(learner.level, ctx.lang)))
            await next_step(ctx)
        else:
            ctx.reset_state("idle")
            ctx.say(ctx.t("course-complete"))
        return
    await offer_exam(ctx)


async def present_lesson(ctx: Ctx, lesson_id: str, finished: set[str] | None = None) -> None:
    learner = _learner(ctx)
    ref = ctx.pack.lessons[lesson_id]
    finished = finished if finished is not None else await finished_lessons(ctx)
    existing = await ctx.session.exec(
        select(LessonProgress).where(
            LessonProgress.learner_id == learner.id, LessonProgress.lesson_id == lesson_id
        )
    )
    if existing.first() is None:
        ctx.session.add(
            LessonProgress(
                learner_id=learner.id,
                lesson_id=lesson_id,
                level=ref.level,
                status="started",
                started_at=ctx.now,
            )
        )
    progress = course.path_progress(ctx.pack, learner.level, learner.role or "other", finished)
    title, body = ctx.pack.lesson_text(lesson_id, ctx.lang)
    sources = "\n".join(f"• {escape(s.title)}: {escape(str(s.url))}" for s in ref.lesson.sources)
    state = ctx.reset_state("lesson", lesson_id=lesson_id)
    ctx.say(
        ctx.t(
            "lesson",
            number=progress.done + 1,
            total=progress.total,
            area=ctx.pack.area_title(ref.area, ctx.lang),
            title=title,
            body=body.strip(),
            sources=Markup(sources),
        ),
        buttons=((a.button(ctx.t("lesson-quiz"), a.QUIZ, state["nonce"]),),),
    )


def start_questions(ctx: Ctx, mode: str, queue: list[str], **extra: Any) -> None:
    ctx.reset_state("question", mode=mode, queue=list(queue), total=len(queue), correct=0, **extra)
    present_question(ctx)


def present_question(ctx: Ctx, *, reshuffle: bool = True) -> None:
    """Send the current question with its options in a fresh random order."""
    state = ctx.state
    question_id = state["queue"][0]
    text, options, _ = ctx.pack.question_text(question_id, ctx.lang)
    order = state.get("order")
    if reshuffle or not order or len(order) != len(options):
        order = list(range(len(options)))
        ctx.rng.shuffle(order)
        state = ctx.set_state(order=order)
    position = state["total"] - len(state["queue"]) + 1
    lines = "\n".join(
        f"<b>{LETTERS[i]}.</b> {escape(options[original])}" for i, original in enumerate(order)
    )
    buttons = [a.button(LETTERS[i], a.ANSWER, state["nonce"], str(i)) for i in range(len(order))]
    ctx.say(
        ctx.t(
            f"question-{state['mode']}",
            number=position,
            total=state["total"],
            question=text,
            options=Markup(lines),
        ),
        buttons=rows(buttons, 4 if len(buttons) <= 4 else 3),
    )


def resume(ctx: Ctx) -> bool:
    """Show the pending prompt again (after a restart, /learn, or a stray message)."""
    step = ctx.state.get("step")
    if step == "question" and ctx.state.get("queue"):
        present_question(ctx, reshuffle=False)
        return True
    if step == "lesson" and ctx.state.get("lesson_id") in ctx.pack.lessons:
        title, _ = ctx.pack.lesson_text(ctx.state["lesson_id"], ctx.lang)
        ctx.say(
            ctx.t("lesson-pending", title=title),
            buttons=((a.button(ctx.t("lesson-quiz"), a.QUIZ, ctx.state["nonce"]),),),
        )
        return True
    if step == "exam_intro":
        _exam_buttons(ctx)
        return True
    return False


async def answer(ctx: Ctx, action: Action) -> None:
    learner = _learner(ctx)
    state = ctx.state
    order: list[int] = state["order"]
    if not action.arg.isdigit() or int(action.arg) >= len(order):
        ctx.toast(ctx.t("press-invalid"), alert=True)
        return
    question_id: str = state["queue"][0]
    ref = ctx.pack.questions[question_id]
    chosen = order[int(action.arg)]
    correct = chosen == ref.question.correct
    mode: str = state["mode"]
    ctx.session.add(
        QuizAttempt(
            learner_id=learner.id,
            question_id=question_id,
            mode=mode,
            chosen=chosen,
            correct=correct,
            prompt_nonce=state["nonce"],
            lesson_id=state.get("lesson_id"),
            exam_id=state.get("exam_id"),
            answered_at=ctx.now,
        )
    )
    if mode in {"lesson", "review"}:
        await _review_card(ctx, question_id, correct)
    elif mode == "exam":
        exam = await ctx.session.get(ExamAttempt, state["exam_id"])
        assert exam is not None
        exam.answered += 1
        exam.correct += int(correct)
    text, options, explanation = ctx.pack.question_text(question_id, ctx.lang)
    chosen_display = order.index(chosen)
    if mode == "exam":
        feedback = ctx.t(
            "answer-recorded",
            question=text,
            letter=LETTERS[chosen_display],
            option=options[chosen],
        )
    else:
        right_display = order.index(ref.question.correct)
        feedback = ctx.t(
            "answer-right" if correct else "answer-wrong",
            question=text,
            letter=LETTERS[chosen_display],
            option=options[chosen],
            right_letter=LETTERS[right_display],
            right_option=options[ref.question.correct],
            explanation=explanation,
        )
    ctx.say(feedback, edit=True)

    queue = state["queue"][1:]
    changes: dict[str, Any] = {
        "queue": queue,
        "correct": state.get("correct", 0) + int(correct),
        "nonce": new_nonce(),
        "order": None,
    }
    if mode == "placement":
        changes["placement"] = {**state.get("placement", {}), question_id: correct}
    ctx.set_state(**changes)
    if queue:
        present_question(ctx)
        return
    await _finish_questions(ctx)


async def _review_card(ctx: Ctx, question_id: str, correct: bool) -> None:
    learner = _learner(ctx)
    result = await ctx.session.exec(
        select(ReviewCard).where(
            ReviewCard.learner_id == learner.id, ReviewCard.question_id == question_id
        )
    )
    card = result.first() or srs.new_card(learner.id, question_id, ctx.now)
    ctx.session.add(srs.review(card, correct, ctx.now))


async def _finish_questions(ctx: Ctx) -> None:
    state = ctx.state
    mode = state["mode"]
    if mode == "placement":
        await finish_placement(ctx)
    elif mode == "lesson":
        await _finish_lesson(ctx)
    elif mode == "review":
        ctx.say(ctx.t("reviews-done", correct=state["correct"], total=state["total"]))
        if state.get("then") == "lesson":
            await next_step(ctx)
        else:
            _idle(ctx)
    elif mode == "exam":
        await _finish_exam(ctx)


async def _finish_lesson(ctx: Ctx) -> None:
    learner = _learner(ctx)
    lesson_id = ctx.state["lesson_id"]
    result = await ctx.session.exec(
        select(LessonProgress).where(
            LessonProgress.learner_id == learner.id, LessonProgress.lesson_id == lesson_id
        )
    )
    progress_row = result.first()
    if progress_row is not None:
        progress_row.status = "done"
        progress_row.completed_at = ctx.now
    await ctx.session.flush()
    finished = await finished_lessons(ctx)
    progress = course.path_progress(ctx.pack, learner.level, learner.role or "other", finished)
    ctx.say(
        ctx.t(
            "lesson-done",
            correct=ctx.state["correct"],
            total=ctx.state["total"],
            bar=course.progress_bar(progress.ratio),
            done=progress.done,
            lessons=progress.total,
            level=ctx.pack.level_title(learner.level, ctx.lang),
        )
    )
    if progress.done >= progress.total:
        await offer_exam(ctx)
    else:
        _idle(ctx)


def _idle(ctx: Ctx) -> None:
    state = ctx.reset_state("idle")
    ctx.say(
        ctx.t("continue-or-stop"),
        buttons=(
            (
                a.button(ctx.t("button-next"), a.NEXT, state["nonce"]),
                a.button(ctx.t("button-stop"), a.STOP, state["nonce"]),
            ),
        ),
    )


async def on_quiz(ctx: Ctx) -> None:
    if ctx.state.get("step") != "lesson":
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    lesson_id = ctx.state["lesson_id"]
    start_questions(
        ctx, "lesson", course.lesson_quiz(ctx.pack, lesson_id, ctx.rng), lesson_id=lesson_id
    )


# --- the level exam --------------------------------------------------------------------------
async def _cooldown_until(ctx: Ctx) -> Any:
    learner = _learner(ctx)
    info = ctx.pack.level_info(learner.level)
    hours = info.exam.cooldown_hours if info else 24
    result = await ctx.session.exec(
        select(func.max(ExamAttempt.finished_at)).where(
            ExamAttempt.learner_id == learner.id,
            ExamAttempt.level == learner.level,
            ExamAttempt.passed == False,  # noqa: E712 - SQL comparison
        )
    )
    last_failed = result.one()
    if last_failed is None:
        return None
    until = last_failed + timedelta(hours=hours)
    return until if until > ctx.now else None


async def offer_exam(ctx: Ctx) -> None:
    learner = _learner(ctx)
    until = await _cooldown_until(ctx)
    if until is not None:
        ctx.reset_state("idle")
        ctx.say(ctx.t("exam-cooldown", when=ctx.fmt_datetime(until)))
        return
    ctx.reset_state("exam_intro")
    info = ctx.pack.level_info(learner.level)
    size = info.exam.size if info else 10
    ctx.say(
        ctx.t(
            "exam-intro",
            level=ctx.pack.level_title(learner.level, ctx.lang),
            count=size,
            needed=course.pass_mark(ctx.pack, learner.level, size),
        )
    )
    _exam_buttons(ctx)


def _exam_buttons(ctx: Ctx) -> None:
    nonce = ctx.state["nonce"]
    ctx.say(
        ctx.t("exam-ready"),
        buttons=(
            (a.button(ctx.t("exam-start"), a.EXAM, nonce, "go"),),
            (a.button(ctx.t("exam-later"), a.STOP, nonce),),
        ),
    )


async def start_exam(ctx: Ctx) -> None:
    learner = _learner(ctx)
    if ctx.state.get("step") != "exam_intro":
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    if await _cooldown_until(ctx) is not None:
        await offer_exam(ctx)
        return
    questions = course.exam_questions(ctx.pack, learner.level, ctx.rng)
    exam = ExamAttempt(
        learner_id=learner.id, level=learner.level, question_ids=questions, started_at=ctx.now
    )
    ctx.session.add(exam)
    await ctx.session.flush()
    ctx.say(ctx.t("exam-started"), edit=True)
    start_questions(ctx, "exam", questions, exam_id=exam.id)


async def _finish_exam(ctx: Ctx) -> None:
    learner = _learner(ctx)
    exam = await ctx.session.get(ExamAttempt, ctx.state["exam_id"])
    assert exam is not None
    total = len(exam.question_ids)
    needed = course.pass_mark(ctx.pack, exam.level, total)
    exam.passed = exam.correct >= needed
    exam.finished_at = ctx.now
    level_title = ctx.pack.level_title(exam.level, ctx.lang)
    if not exam.passed:
        info = ctx.pack.level_info(exam.level)
        retry = ctx.now + timedelta(hours=info.exam.cooldown_hours if info else 24)
        ctx.reset_state("idle")
        ctx.say(
            ctx.t(
                "exam-failed",
                correct=exam.correct,
                total=total,
                needed=needed,
                level=level_title,
                when=ctx.fmt_datetime(retry),
            )
        )
        return
    certificate = await certificate_for(ctx, exam.level)
    if certificate is None:
        certificate = Certificate(
            id=new_certificate_id(exam.level),
            learner_id=learner.id,
            level=exam.level,
            exam_id=exam.id,
            score=exam.correct,
            total=total,
            issued_at=ctx.now,
        )
        ctx.session.add(certificate)
        # The learner's mentors are told (queued with this transaction).
        await mentoring.on_certificate(ctx.session, ctx.settings, learner, exam.level, ctx.now)
    ctx.say(ctx.t("exam-passed", correct=exam.correct, total=total, level=level_title))
    ctx.say(render_certificate(ctx, certificate))
    ctx.reset_state("idle")
    higher = [lvl for lvl in ctx.pack.levels if lvl > exam.level]
    if higher:
        learner.level = higher[0]
        _idle(ctx)


def new_certificate_id(level: int) -> str:
    body = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(8))
    return f"HVS{level}-{body[:4]}-{body[4:]}"


def render_certificate(ctx: Ctx, certificate: Certificate) -> str:
    learner = _learner(ctx)
    return ctx.t(
        "certificate",
        level=ctx.pack.level_title(certificate.level, ctx.lang),
        number=certificate.level,
        code=certificate.id,
        name=learner.display_name or "—",
        date=ctx.fmt_date(certificate.issued_at),
        score=certificate.score,
        total=certificate.total,
    )


# --- presses on the study flow ----------------------------------------------------------------
async def on_press(ctx: Ctx, action: Action) -> None:
    step = ctx.state.get("step")
    if action.name == a.ANSWER and step == "question":
        await answer(ctx, action)
    elif action.name == a.QUIZ:
        await on_quiz(ctx)
    elif action.name == a.NEXT and step == "idle":
        ctx.say(ctx.t("button-next-pressed"), edit=True)
        await start_session(ctx)
    elif action.name == a.STOP and step in {"idle", "exam_intro"}:
        ctx.reset_state("idle")
        ctx.say(ctx.t("see-you"), edit=True)
    elif action.name == a.EXAM and action.arg == "go":
        await start_exam(ctx)
    else:
        ctx.toast(ctx.t("press-stale"), alert=True)


def answer_buttons(count: int, nonce: str) -> list[Button]:
    return [a.button(LETTERS[i], a.ANSWER, nonce, str(i)) for i in range(count)]
