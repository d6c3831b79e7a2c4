"""The level exam in the chat: offer (or the cool-down), start, grade, certificate, next level.

No feedback during the exam; grading and certification are :mod:`hocvuso.learning.exams`.
"""

from __future__ import annotations

from datetime import datetime

from hocvuso.chat.context import Ctx
from hocvuso.chat.flows import certificate as certificate_flow
from hocvuso.chat.flows import questions as q
from hocvuso.delivery import payloads as a
from hocvuso.learning import course, exams, xapi
from hocvuso.organising import mentoring
from hocvuso.storage.models import ExamAttempt


async def _cooldown_until(ctx: Ctx) -> datetime | None:
    learner = ctx.me
    return await exams.cooldown_until(ctx.session, ctx.pack, ctx.me_id, learner.level, ctx.now)


async def offer_exam(ctx: Ctx) -> None:
    learner = ctx.me
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
    exam_buttons(ctx)


def exam_buttons(ctx: Ctx) -> None:
    nonce = ctx.state["nonce"]
    ctx.say(
        ctx.t("exam-ready"),
        buttons=(
            (a.button(ctx.t("exam-start"), a.EXAM, nonce, "go"),),
            (a.button(ctx.t("exam-later"), a.STOP, nonce),),
        ),
    )


async def start_exam(ctx: Ctx) -> None:
    learner = ctx.me
    if ctx.state.get("step") != "exam_intro":
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    if await _cooldown_until(ctx) is not None:
        await offer_exam(ctx)
        return
    exam = await exams.start(ctx.session, ctx.pack, ctx.me_id, learner.level, ctx.rng, ctx.now)
    ctx.say(ctx.t("exam-started"), edit=True)
    q.start_questions(ctx, "exam", exam.question_ids, exam_id=exam.id)


async def finish_exam(ctx: Ctx) -> None:
    learner = ctx.me
    exam = await ctx.session.get(ExamAttempt, ctx.state["exam_id"])
    assert exam is not None
    result = await exams.finish(
        ctx.session, ctx.pack, exam, ctx.now, settings=ctx.settings, ring=ctx.ring
    )
    assert exam.id is not None
    await xapi.record_graded(
        ctx.session,
        ctx.settings,
        ctx.pack,
        ctx.me_id,
        exam.id,
        exam.level,
        correct=exam.correct,
        total=result.total,
        passed=bool(exam.passed),
        now=ctx.now,
    )
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
    ctx.say(q.render_certificate(ctx, result.certificate))
    await certificate_flow.send_pdf(ctx, result.certificate)
    ctx.reset_state("idle")
    higher = [lvl for lvl in ctx.pack.levels if lvl > exam.level]
    if higher:
        learner.level = higher[0]
        q.idle(ctx)
