"""The learner's own record: progress, settings, certificates, data export and erasure."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import case, func
from sqlmodel import col, select

from hocvuso.chat.context import Ctx, new_nonce
from hocvuso.chat.flows import certificate as certificate_flow
from hocvuso.chat.flows import questions
from hocvuso.chat.flows.onboarding import LANGUAGE_NAMES
from hocvuso.chat.replies import Document, rows
from hocvuso.content.schema import ROLES
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action, Button
from hocvuso.learning import course, records
from hocvuso.organising import mentoring, privacy
from hocvuso.storage.models import Certificate, QuizAttempt
from hocvuso.storage.organising import Unit

#: Reminders are never sent in quiet hours (21:00-07:00), so only these hours can be chosen.
REMINDER_HOURS = tuple(range(7, 21))


async def show_progress(ctx: Ctx) -> None:
    learner = ctx.learner
    assert learner is not None
    finished = await records.finished_lessons(ctx.session, learner.id or 0)
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
            due=await records.count_due(ctx.session, learner.id or 0, ctx.now),
            streak=await records.streak_days(ctx.session, learner.id or 0, ctx.zone, ctx.now),
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
        finished = await records.finished_lessons(ctx.session, learner.id or 0)
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
        ctx.say(questions.render_certificate(ctx, certificate))
        if certificate.revoked_at is None:
            await certificate_flow.send_pdf(ctx, certificate)


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
async def send_export(ctx: Ctx) -> None:
    payload = json.dumps(
        await privacy.export_person(ctx.session, ctx.me, ctx.now), ensure_ascii=False, indent=2
    ).encode()
    ctx.say(
        ctx.t("mydata-caption"),
        document=Document("hocvuso-du-lieu-ca-nhan.json", payload, kind="mydata"),
    )


def ask_forget(ctx: Ctx) -> None:
    nonce = new_nonce()
    ctx.set_state(forget_nonce=nonce)
    ctx.say(
        ctx.t("forget-confirm"),
        buttons=rows(
            [a.button(ctx.t(f"forget-{arg}"), a.FORGET, nonce, arg) for arg in ("yes", "no")], 1
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
    await privacy.do_erase(ctx.session, ctx.me, ctx.now)
    ctx.outcome.learner_id = None
