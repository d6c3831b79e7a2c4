"""The study loop in the chat: placement, daily session (reviews, lesson, questions), exam.

The state machine of the conversation (questions are shown by :mod:`.questions`, the level exam
is :mod:`.exam`); the record (answers, review cards,
lessons done) is :mod:`hocvuso.learning.records`, exams and certificates
:mod:`hocvuso.learning.exams`, the course's paths :mod:`hocvuso.learning.course`.
"""

from __future__ import annotations

from typing import Any

from hocvuso.chat.context import Ctx, new_nonce
from hocvuso.chat.flows import exam
from hocvuso.chat.flows import questions as q
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.i18n import Markup, escape
from hocvuso.learning import course, exams, records, xapi
from hocvuso.storage.models import ExamAttempt


# --- placement ---------------------------------------------------------------------------
def placement_plan(ctx: Ctx) -> list[str]:
    learner = ctx.me
    return course.placement_questions(ctx.pack, learner.level, learner.role or "other", ctx.rng)


async def start_placement(ctx: Ctx) -> None:
    plan = ctx.state.get("placement_plan") or placement_plan(ctx)
    q.start_questions(ctx, "placement", plan, placement={})


async def finish_placement(ctx: Ctx) -> None:
    learner = ctx.me
    answers: dict[str, bool] = ctx.state.get("placement", {})
    mastered = course.mastered_areas(ctx.pack, answers)
    known = [
        ref
        for ref in course.path(ctx.pack, learner.level, learner.role or "other")
        if ref.area in mastered
    ]
    records.place_out(ctx.session, ctx.me_id, known, ctx.now)
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
    due = await records.due_questions(ctx.session, ctx.me_id, ctx.pack, ctx.now)
    if due:
        ctx.say(ctx.t("reviews-intro", count=len(due)))
        q.start_questions(ctx, "review", due, then="idle" if reviews_only else "lesson")
        return
    if reviews_only:
        ctx.say(ctx.t("reviews-none"))
        await _show_next_review_time(ctx)
        return
    await next_step(ctx)


async def _show_next_review_time(ctx: Ctx) -> None:
    upcoming = await records.next_review_at(ctx.session, ctx.me_id)
    if upcoming is not None:
        ctx.say(ctx.t("reviews-next", when=ctx.fmt_datetime(upcoming)))


async def next_step(ctx: Ctx) -> None:
    """Present the next lesson, or the exam when the level's lessons are all done."""
    learner = ctx.me
    finished = await records.finished_lessons(ctx.session, ctx.me_id)
    ref = course.next_lesson(ctx.pack, learner.level, learner.role or "other", finished)
    if ref is not None:
        await present_lesson(ctx, ref.lesson.id, finished)
        return
    if await exams.certificate_for(ctx.session, ctx.me_id, learner.level) is not None:
        higher = [lvl for lvl in ctx.pack.levels if lvl > learner.level]
        if higher:
            learner.level = higher[0]
            ctx.say(ctx.t("level-up", level=ctx.pack.level_title(learner.level, ctx.lang)))
            await next_step(ctx)
        else:
            ctx.reset_state("idle")
            ctx.say(ctx.t("course-complete"))
        return
    await exam.offer_exam(ctx)


async def present_lesson(ctx: Ctx, lesson_id: str, finished: set[str] | None = None) -> None:
    learner = ctx.me
    ref = ctx.pack.lessons[lesson_id]
    if finished is None:
        finished = await records.finished_lessons(ctx.session, ctx.me_id)
    await records.start_lesson(ctx.session, ctx.me_id, ref, ctx.now)
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


async def resume(ctx: Ctx) -> bool:
    """Show the pending prompt again (after a restart, /learn, or a stray message)."""
    step = ctx.state.get("step")
    if step == "question" and ctx.state.get("queue"):
        if await _drop_retired(ctx):
            await _go_on(ctx)
        else:
            q.present_question(ctx, reshuffle=False)
        return True
    if step == "lesson" and ctx.state.get("lesson_id") in ctx.pack.lessons:
        title, _ = ctx.pack.lesson_text(ctx.state["lesson_id"], ctx.lang)
        ctx.say(
            ctx.t("lesson-pending", title=title),
            buttons=((a.button(ctx.t("lesson-quiz"), a.QUIZ, ctx.state["nonce"]),),),
        )
        return True
    if step == "exam_intro":
        exam.exam_buttons(ctx)
        return True
    return False


async def _drop_retired(ctx: Ctx) -> bool:
    """Drop pending questions that a new version of the course retired (a changed question gets
    a new id); True if any was. An exam with a retired question is void instead: not passed,
    not failed (no cool-down), and offered again."""
    state = ctx.state
    queue: list[str] = state.get("queue") or []
    kept = [question_id for question_id in queue if question_id in ctx.pack.questions]
    if len(kept) == len(queue):
        return False
    if state.get("mode") == "exam":
        attempt = await ctx.session.get(ExamAttempt, state["exam_id"])
        assert attempt is not None
        attempt.finished_at = ctx.now  # passed stays unset: a void attempt
        ctx.reset_state("idle", voided=True)
        return True
    ctx.set_state(queue=kept, total=state["total"] - (len(queue) - len(kept)), order=None)
    return True


async def _go_on(ctx: Ctx) -> None:
    """After questions were retired: say so, then the next question, or the end of the set."""
    if ctx.state.get("voided"):
        ctx.say(ctx.t("exam-retired"))
        await exam.offer_exam(ctx)
        return
    ctx.say(ctx.t("question-retired"))
    if ctx.state["queue"]:
        q.present_question(ctx)
    else:
        await _finish_questions(ctx)


async def answer(ctx: Ctx, action: Action) -> None:
    if await _drop_retired(ctx):  # the question on screen is no longer in the course
        await _go_on(ctx)
        return
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
        ctx.me_id,
        question_id,
        mode=mode,
        chosen=chosen,
        correct=correct,
        nonce=state["nonce"],
        lesson_id=state.get("lesson_id"),
        exam_id=state.get("exam_id"),
        now=ctx.now,
    )
    exam_level: int | None = None
    if mode == "exam":
        attempt = await ctx.session.get(ExamAttempt, state["exam_id"])
        assert attempt is not None
        exams.record(attempt, correct)
        exam_level = attempt.level
    await xapi.record_answered(
        ctx.session,
        ctx.settings,
        ctx.pack,
        ctx.me_id,
        question_id,
        mode=mode,
        chosen=chosen,
        correct=correct,
        nonce=state["nonce"],
        lesson_id=state.get("lesson_id"),
        exam_level=exam_level,
        now=ctx.now,
    )
    text, options, explanation = ctx.pack.question_text(question_id, ctx.lang)
    chosen_display = order.index(chosen)
    if mode == "exam":
        feedback = ctx.t(
            "answer-recorded",
            question=text,
            letter=q.LETTERS[chosen_display],
            option=options[chosen],
        )
    else:
        right_display = order.index(ref.question.correct)
        feedback = ctx.t(
            "answer-right" if correct else "answer-wrong",
            question=text,
            letter=q.LETTERS[chosen_display],
            option=options[chosen],
            right_letter=q.LETTERS[right_display],
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
        q.present_question(ctx)
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
            q.idle(ctx)
    elif mode == "exam":
        await exam.finish_exam(ctx)


async def _finish_lesson(ctx: Ctx) -> None:
    learner = ctx.me
    lesson_id = ctx.state["lesson_id"]
    finished = await records.finish_lesson(ctx.session, ctx.me_id, lesson_id, ctx.now)
    await xapi.record_completed(
        ctx.session,
        ctx.settings,
        ctx.pack,
        ctx.me_id,
        lesson_id,
        correct=ctx.state["correct"],
        total=ctx.state["total"],
        now=ctx.now,
    )
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
        await exam.offer_exam(ctx)
    else:
        q.idle(ctx)


async def on_quiz(ctx: Ctx) -> None:
    if ctx.state.get("step") != "lesson":
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    lesson_id = ctx.state["lesson_id"]
    q.start_questions(
        ctx, "lesson", course.lesson_quiz(ctx.pack, lesson_id, ctx.rng), lesson_id=lesson_id
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
        await exam.start_exam(ctx)
    else:
        ctx.toast(ctx.t("press-stale"), alert=True)


async def on_typed_answer(ctx: Ctx, text: str) -> None:
    """A typed answer to the current question: "B", "b", "2" or "2." pick the second option."""
    choice = q.typed_choice(text, len(ctx.state.get("order") or []))
    if choice is not None:
        await answer(ctx, Action(a.ANSWER, ctx.state["nonce"], str(choice)))
        return
    ctx.say(ctx.t("use-buttons"))
    q.present_question(ctx, reshuffle=False)
