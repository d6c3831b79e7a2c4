"""The learner's own record: progress, settings, certificates, data export and erasure."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, delete, func
from sqlmodel import SQLModel, col, select

from hocvuso.content.schema import ROLES
from hocvuso.learning import actions as a
from hocvuso.learning import course, study
from hocvuso.learning.actions import Action
from hocvuso.learning.context import Ctx, new_nonce
from hocvuso.learning.onboarding import LANGUAGE_NAMES
from hocvuso.learning.replies import Button, Document, rows
from hocvuso.organising import mentoring, privacy
from hocvuso.storage.models import (
    Certificate,
    ExamAttempt,
    LearnerStatus,
    LessonProgress,
    ProcessedUpdate,
    QuizAttempt,
    ReviewCard,
)
from hocvuso.storage.organising import Unit
from hocvuso.storage.scheduling import Delivery

#: Reminders are never sent in quiet hours (21:00-07:00), so only these hours can be chosen.
REMINDER_HOURS = tuple(range(7, 21))
STREAK_WINDOW_DAYS = 400


async def streak_days(ctx: Ctx) -> int:
    """Consecutive local days with at least one answer, ending today or yesterday."""
    learner = ctx.learner
    assert learner is not None
    since = ctx.now - timedelta(days=STREAK_WINDOW_DAYS)
    result = await ctx.session.exec(
        select(QuizAttempt.answered_at).where(
            QuizAttempt.learner_id == learner.id, QuizAttempt.answered_at >= since
        )
    )
    days: set[date] = {ctx.local(moment).date() for moment in result.all()}
    return streak_of(days, ctx.local(ctx.now).date())


def streak_of(days: set[date], today: date) -> int:
    """Consecutive days in ``days`` ending ``today`` or, if not studied yet today, yesterday."""
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


async def show_progress(ctx: Ctx) -> None:
    learner = ctx.learner
    assert learner is not None
    finished = await study.finished_lessons(ctx)
    progress = course.path_progress(ctx.pack, learner.level, learner.role or "other", finished)
    totals = await ctx.session.exec(
        select(
            func.count(), func.coalesce(func.sum(case((col(QuizAttempt.correct), 1), else_=0)), 0)
        ).where(QuizAttempt.learner_id == learner.id)
    )
    answered, correct = totals.one()
    correct = correct or 0
    certificates = await ctx.session.exec(
        select(Certificate).where(Certificate.learner_id == learner.id)
    )
    levels = ", ".join(
        ctx.pack.level_title(c.level, ctx.lang)
        for c in sorted(certificates.all(), key=lambda c: c.level)
    )
    ctx.say(
        ctx.t(
            "progress",
            level=ctx.pack.level_title(learner.level, ctx.lang),
            bar=course.progress_bar(progress.ratio),
            done=progress.done,
            lessons=progress.total,
            answered=int(answered),
            accuracy=round(100 * int(correct) / int(answered)) if answered else 0,
            due=await study.count_due(ctx),
            streak=await streak_days(ctx),
            certificates=levels or ctx.t("progress-no-certificate"),
        )
    )


async def show_certificates(ctx: Ctx) -> None:
    learner = ctx.learner
    assert learner is not None
    result = await ctx.session.exec(
        select(Certificate)
        .where(Certificate.learner_id == learner.id)
        .order_by(col(Certificate.level))
    )
    certificates = result.all()
    if not certificates:
        finished = await study.finished_lessons(ctx)
        progress = course.path_progress(ctx.pack, learner.level, learner.role or "other", finished)
        ctx.say(
            ctx.t(
                "certificate-none",
                remaining=progress.total - progress.done,
                level=ctx.pack.level_title(learner.level, ctx.lang),
            )
        )
        return
    for certificate in certificates:
        ctx.say(study.render_certificate(ctx, certificate))


# --- settings ----------------------------------------------------------------------------
async def _unit_label(ctx: Ctx) -> str:
    code = ctx.learner.unit_code if ctx.learner else None
    if not code:
        return "—"
    unit = (await ctx.session.exec(select(Unit).where(Unit.code == code))).first()
    return f"{unit.name} ({code})" if unit else code


async def show_settings(ctx: Ctx) -> None:
    learner = ctx.learner
    assert learner is not None
    preference = await mentoring.preference(ctx.session, learner.id or 0)
    other = "en" if learner.language == "vi" else "vi"
    text = ctx.t(
        "settings",
        language=LANGUAGE_NAMES.get(learner.language, learner.language),
        hour=f"{learner.reminder_hour:02d}:00",
        role=ctx.t(f"role-{learner.role or 'other'}"),
        unit=await _unit_label(ctx),
        timezone=learner.timezone,
    )
    paused = learner.reminders_paused_until
    if paused is not None and paused > ctx.now:
        last_day = ctx.fmt_date(paused - timedelta(seconds=1))
        text += "\n" + ctx.t("settings-paused", until=last_day)
    muted, shown = preference.nudges_muted, preference.leaderboard_opt_in
    text += "\n" + ctx.t("settings-nudges-off" if muted else "settings-nudges-on")
    text += "\n" + ctx.t("settings-leaderboard-on" if shown else "settings-leaderboard-off")
    ctx.say(
        text,
        buttons=(
            (a.button(f"🌐 {LANGUAGE_NAMES[other]}", a.SET_LANGUAGE, "", other),),
            (a.button(ctx.t("settings-hour"), a.SET_HOUR),),
            (a.button(ctx.t("settings-pause"), a.SET_PAUSE),),
            (a.button(ctx.t("settings-role"), a.SET_ROLE),),
            (
                a.button(
                    ctx.t("nudge-unmute-button" if muted else "nudge-mute-button"),
                    a.MUTE,
                    "",
                    "0" if muted else "1",
                ),
            ),
            (
                a.button(
                    ctx.t("leaderboard-hide" if shown else "leaderboard-show"),
                    a.LEADERBOARD,
                    "",
                    "0" if shown else "1",
                ),
            ),
        ),
    )


# "Tạm nghỉ": ``sp::`` shows the choices, ``sp::3`` pauses three days, ``sp::0`` resumes;
# the reminder message carries the first one too.
PAUSE_DAYS = (1, 3, 7, 14, 30)


def pause_buttons(ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
    buttons = [a.button(ctx.t("pause-days", days=n), a.SET_PAUSE, "", str(n)) for n in PAUSE_DAYS]
    return (*rows(buttons, 3), (a.button(ctx.t("pause-resume"), a.SET_PAUSE, "", "0"),))


def pause_reminders(ctx: Ctx, days: int) -> None:
    """Pause reminders and campaign messages for ``days`` (0: resume now)."""
    learner = ctx.learner
    assert learner is not None
    if days == 0:
        learner.reminders_paused_until = None
        ctx.say(ctx.t("pause-resumed"), edit=True)
        return
    until = ctx.local(ctx.now).replace(hour=0, minute=0, second=0, microsecond=0)
    learner.reminders_paused_until = (until + timedelta(days=days + 1)).astimezone(ctx.now.tzinfo)
    ctx.say(
        ctx.t("pause-set", days=days, until=ctx.fmt_date(until + timedelta(days=days))), edit=True
    )


async def on_settings_press(ctx: Ctx, action: Action) -> None:
    learner = ctx.learner
    assert learner is not None
    if action.name == a.SET_LANGUAGE and action.arg in LANGUAGE_NAMES:
        learner.language = action.arg
        ctx.say(ctx.t("language-set", language=LANGUAGE_NAMES[action.arg]), edit=True)
    elif action.name == a.SET_HOUR and not action.arg:
        buttons = [a.button(f"{h:02d}:00", a.SET_HOUR, "", str(h)) for h in REMINDER_HOURS]
        ctx.say(ctx.t("settings-choose-hour"), buttons=rows(buttons, 4), edit=True)
    elif action.name == a.SET_PAUSE and not action.arg:
        ctx.say(ctx.t("pause-choose"), buttons=pause_buttons(ctx), edit=True)
    elif (
        action.name == a.SET_PAUSE and action.arg.isdigit() and int(action.arg) in (0, *PAUSE_DAYS)
    ):
        pause_reminders(ctx, int(action.arg))
    elif action.name == a.SET_HOUR and action.arg.isdigit() and int(action.arg) in REMINDER_HOURS:
        learner.reminder_hour = int(action.arg)
        ctx.say(ctx.t("settings-hour-set", hour=f"{learner.reminder_hour:02d}:00"), edit=True)
    elif action.name == a.SET_ROLE and not action.arg:
        buttons = [a.button(ctx.t(f"role-{r}"), a.SET_ROLE, "", r) for r in ROLES]
        ctx.say(ctx.t("choose-role"), buttons=rows(buttons, 1), edit=True)
    elif action.name == a.SET_ROLE and action.arg in ROLES:
        learner.role = action.arg
        ctx.say(ctx.t("role-set", role=ctx.t(f"role-{action.arg}")), edit=True)
    else:
        ctx.toast(ctx.t("press-invalid"), alert=True)


# --- export and erasure (data subject rights, Law on Personal Data Protection 2025) ---------
def _rows(items: list[SQLModel], drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in item.model_dump(mode="json").items() if k not in drop} for item in items
    ]


async def export_data(ctx: Ctx) -> dict[str, Any]:
    learner = ctx.learner
    assert learner is not None
    data: dict[str, Any] = {
        "exported_at": ctx.now.isoformat(),
        "learner": learner.model_dump(mode="json", exclude={"state"}),
    }
    for name, model in (
        ("lesson_progress", LessonProgress),
        ("quiz_attempts", QuizAttempt),
        ("review_cards", ReviewCard),
        ("exams", ExamAttempt),
        ("certificates", Certificate),
    ):
        result = await ctx.session.exec(
            select(model).where(model.learner_id == learner.id)  # type: ignore[attr-defined]
        )
        data[name] = _rows(list(result.all()), drop=("learner_id",))
    data["organising"] = await privacy.export(ctx.session, learner.id or 0)
    return data


async def send_export(ctx: Ctx) -> None:
    payload = json.dumps(await export_data(ctx), ensure_ascii=False, indent=2).encode()
    ctx.say(
        ctx.t("mydata-caption"),
        document=Document("hocvuso-du-lieu-ca-nhan.json", payload, kind="mydata"),
    )


def ask_forget(ctx: Ctx) -> None:
    nonce = new_nonce()
    ctx.set_state(forget_nonce=nonce)
    ctx.say(
        ctx.t("forget-confirm"),
        buttons=(
            (a.button(ctx.t("forget-yes"), a.FORGET, nonce, "yes"),),
            (a.button(ctx.t("forget-no"), a.FORGET, nonce, "no"),),
        ),
    )


async def on_forget(ctx: Ctx, action: Action) -> None:
    learner = ctx.learner
    assert learner is not None
    if action.nonce != ctx.state.get("forget_nonce"):
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    if action.arg != "yes":
        ctx.set_state(forget_nonce=None)
        ctx.say(ctx.t("forget-cancelled"), edit=True)
        return
    await erase(ctx)
    ctx.say(ctx.t("forget-done"), edit=True)


async def erase(ctx: Ctx) -> None:
    """Erase personal data. Kept, unlinkable to the person: answers, progress, certificates."""
    learner = ctx.learner
    assert learner is not None
    session = ctx.session
    await session.exec(delete(ReviewCard).where(col(ReviewCard.learner_id) == learner.id))  # type: ignore[call-overload]
    await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.learner_id) == learner.id)  # type: ignore[call-overload]
    )
    # Queued reminders and campaign messages are messages to the person: they go too.
    await session.exec(delete(Delivery).where(col(Delivery.learner_id) == learner.id))  # type: ignore[call-overload]
    # Mentor links, nudges and preferences go; roles are revoked.
    await mentoring.forget(session, learner.id, ctx.now)
    learner.chat_id = None
    learner.display_name = None
    learner.state = {}
    learner.status = LearnerStatus.ERASED
    learner.erased_at = ctx.now
    learner.consent_at = None
    ctx.outcome.learner_id = None
