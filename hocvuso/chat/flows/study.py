"""The study loop in the chat: placement, daily session (reviews, lesson, questions), exam.

The state machine of the conversation and its rendering; the record (answers, review cards,
lessons done) is :mod:`hocvuso.learning.records`, exams and certificates
:mod:`hocvuso.learning.exams`, the course's paths :mod:`hocvuso.learning.course`.
"""

from __future__ import annotations

from typing import Any

from hocvuso.chat.context import Ctx, new_nonce
from hocvuso.chat.replies import rows
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.i18n import Markup, escape
from hocvuso.learning import course, exams, records
from hocvuso.organising import mentoring
from hocvuso.storage.models import Certificate, ExamAttempt, Learner

LETTERS = "ABCDEFGHIJKL"


def _learner(ctx: Ctx) -> Learner:
    assert ctx.learner is not None and ctx.learner.id is not None
    return ctx.learner


def _id(ctx: Ctx) -> int:
    return _learner(ctx).id or 0


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
    known = [
        ref
        for ref in course.path(ctx.pack, learner.level, learner.role or "other")
        if ref.area in mastered
    ]
    records.place_out(ctx.session, _id(ctx), known, ctx.now)
    skipped = len(known)
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
    cards = await records.due_cards(ctx.session, _id(ctx), ctx.pack, ctx.now)
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
    upcoming = await records.next_review_at(ctx.session, _id(ctx))
    if upcoming is not None:
        ctx.say(ctx.t("reviews-next", when=ctx.fmt_datetime(upcoming)))


async def next_step(ctx: Ctx) -> None:
    """Present the next lesson, or the exam when the level's lessons are all done."""
    learner = _learner(ctx)
    finished = await records.finished_lessons(ctx.session, _id(ctx))
    ref = course.next_lesson(ctx.pack, learner.level, learner.role or "other", finished)
    if ref is not None:
        await present_lesson(ctx, ref.lesson.id, finished)
        return
    if await exams.certificate_for(ctx.session, _id(ctx), learner.level) is not None:
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
    if finished is None:
        finished = await records.finished_lessons(ctx.session, _id(ctx))
    await records.start_lesson(ctx.session, _id(ctx), ref, ctx.now)
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
    await records.record_answer(
        ctx.session,
        _id(ctx),
        question_id,
        mode=mode,
        chosen=chosen,
        correct=correct,
        nonce=state["nonce"],
        lesson_id=state.get("lesson_id"),
        exam_id=state.get("exam_id"),
        now=ctx.now,
    )
    if mode == "exam":
        exam = await ctx.session.get(ExamAttempt, state["exam_id"])
        assert exam is not None
        exams.record(exam, correct)
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
    finished = await records.finish_lesson(ctx.session, _id(ctx), lesson_id, ctx.now)
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
    return await exams.cooldown_until(ctx.session, ctx.pack, _id(ctx), learner.level, ctx.now)


async def offer_exam(ctx: Ctx) -> None:
    learner = _learner(ctx)
    until = await _cooldown_until(ctx)
    if until is not None:
        ctx.reset_state("idle")
        ctx.say(ctx.t("exam-cooldown", when=ctx.fmt_datetime(until)))
        return
    ctx.reset_state("exam_intro")
    size = exams.size(ctx.pack, learner.level)
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
    exam = await exams.start(ctx.session, ctx.pack, _id(ctx), learner.level, ctx.rng, ctx.now)
    ctx.say(ctx.t("exam-started"), edit=True)
    start_questions(ctx, "exam", exam.question_ids, exam_id=exam.id)


async def _finish_exam(ctx: Ctx) -> None:
    learner = _learner(ctx)
    exam = await ctx.session.get(ExamAttempt, ctx.state["exam_id"])
    assert exam is not None
    result = await exams.finish(ctx.session, ctx.pack, exam, ctx.now)
    level_title = ctx.pack.level_title(exam.level, ctx.lang)
    if result.certificate is None:
        assert result.retry_at is not None
        ctx.reset_state("idle")
        ctx.say(
            ctx.t(
                "exam-failed",
                correct=exam.correct,
                total=result.total,
                needed=result.needed,
                level=level_title,
                when=ctx.fmt_datetime(result.retry_at),
            )
        )
        return
    if result.issued:  # the learner's mentors are told (queued with this transaction)
        await mentoring.on_certificate(ctx.session, ctx.settings, learner, exam.level, ctx.now)
    ctx.say(ctx.t("exam-passed", correct=exam.correct, total=result.total, level=level_title))
    ctx.say(render_certificate(ctx, result.certificate))
    ctx.reset_state("idle")
    higher = [lvl for lvl in ctx.pack.levels if lvl > exam.level]
    if higher:
        learner.level = higher[0]
        _idle(ctx)


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


async def on_typed_answer(ctx: Ctx, text: str) -> None:
    """A typed answer to the current question: "B", "b", "2" or "2." pick the second option."""
    choice = typed_choice(text, len(ctx.state.get("order") or []))
    if choice is not None:
        await answer(ctx, Action(a.ANSWER, ctx.state["nonce"], str(choice)))
        return
    ctx.say(ctx.t("use-buttons"))
    present_question(ctx, reshuffle=False)


def typed_choice(text: str, count: int) -> int | None:
    value = text.strip().rstrip(".)").upper()
    if len(value) == 1 and value in LETTERS[:count]:
        return LETTERS.index(value)
    if value.isdigit() and 1 <= int(value) <= count:
        return int(value) - 1
    return None
