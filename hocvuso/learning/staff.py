"""Chat flows of organisers and mentors: /report, /broadcast, /mentees and nudges, invitations,
the mentee's reply path, mute, /leaderboard.

Every rule lives in :mod:`hocvuso.organising`; this module parses the chat event, calls it, and
renders the result or the refusal (a :class:`~hocvuso.organising.errors.StaffError`). Pending
input (a broadcast being composed, a custom nudge, a reply to a mentor) is kept in
``state["staff"]``, beside the learner's place in the course, which it never disturbs.
"""

from __future__ import annotations

import html
import re
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from hocvuso.i18n import Markup
from hocvuso.learning import actions as a
from hocvuso.learning.actions import Action
from hocvuso.learning.context import Ctx, new_nonce
from hocvuso.learning.events import Command, Text
from hocvuso.learning.replies import Document, rows
from hocvuso.organising import (
    audit,
    candidates,
    exports,
    invites,
    mentoring,
    pairing,
    reports,
    units,
)
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import Forbidden, StaffError
from hocvuso.organising.forecast import Target
from hocvuso.scheduler import broadcasts
from hocvuso.scheduler.queue import state_counts
from hocvuso.scheduler.quiet import not_before
from hocvuso.storage.models import Certificate, Learner
from hocvuso.storage.organising import LearnerPreference, Role, Unit
from hocvuso.storage.scheduling import Broadcast, DeliveryState

COMMANDS = (
    "report",
    "broadcast",
    "mentees",
    "invite_mentor",
    "mentor_candidates",
    "assign_mentor",
    "mentor_link",
    "leaderboard",
)
#: Refusals of typed input that keep the prompt open, so the person can type again.
RETYPE = {"nudge-bad-length", "broadcast-too-long"}
PAIR_ARG = re.compile(r"^\d{1,18}\.\d{1,18}$")
REPORT_ROWS = 40  # more sub-units than this: the rest are in the Excel file
MENTEE_BUTTONS = 10
LEADERBOARD_ROWS = 10


def target(ctx: Ctx) -> Target:
    s = ctx.settings
    return Target(level=s.target_level, percent=s.target_percent, deadline=s.target_deadline)


async def _actor(ctx: Ctx) -> perm.Actor:
    assert ctx.learner is not None and ctx.learner.id is not None
    return await perm.load_actor(ctx.session, ctx.learner.id)


def _staff(ctx: Ctx, **values: Any) -> None:
    ctx.set_state(staff=values or None)


# --- entry points (called by the engine) --------------------------------------------------------
async def on_command(ctx: Ctx, command: Command) -> None:
    try:
        actor = await _actor(ctx)
        handler = {
            "report": show_report,
            "broadcast": start_broadcast,
            "mentees": show_mentees,
            "invite_mentor": invite_mentor,
            "mentor_candidates": show_candidates,
            "assign_mentor": show_pairing_mentors,
            "mentor_link": show_mentor_link,
            "leaderboard": show_leaderboard,
        }[command.name]
        await handler(ctx, actor, command.args.strip())
    except StaffError as exc:
        ctx.say(exc.message(ctx.lang))


async def on_press(ctx: Ctx, action: Action) -> None:
    try:
        actor = await _actor(ctx)
        if action.name == a.BROADCAST:
            await _broadcast_press(ctx, actor, action)
        elif action.name == a.BROADCAST_STATUS and action.arg.isdigit():
            await _broadcast_status(ctx, actor, int(action.arg))
        elif action.name in {a.NUDGE, a.NUDGE_SEND, a.NUDGE_CUSTOM} and action.arg.isdigit():
            await _nudge_press(ctx, actor, action.name, int(action.arg))
        elif action.name == a.MENTEE_REPLY and action.arg.isdigit():
            await mentoring.check_reply(ctx.session, _me(ctx), int(action.arg))
            _staff(ctx, mode="reply", nudge=int(action.arg))
            ctx.say(ctx.t("reply-write", limit=mentoring.CUSTOM_LIMIT))
        elif action.name == a.MENTOR_INVITE and action.arg.isdigit():
            candidate = await candidates.do_invite(
                ctx.session, ctx.settings, actor, _me(ctx), int(action.arg), ctx.now
            )
            ctx.toast(ctx.t("mentor-invitation-sent", name=candidate.display_name or "—"))
        elif action.name == a.ACCEPT_ROLE and action.arg:
            grant, unit = await candidates.do_accept(
                ctx.session, ctx.settings, _me(ctx), action.arg, ctx.now
            )
            ctx.say(ctx.t(f"role-granted-{grant.role}", unit=unit.name if unit else "—"))
        elif action.name == a.REPORT_FILE and action.arg.isdigit():
            await send_report_file(ctx, actor, int(action.arg))
        elif action.name == a.PAIR_MENTOR and action.arg.isdigit():
            await show_pairing_mentees(ctx, actor, int(action.arg))
        elif action.name == a.PAIR and PAIR_ARG.match(action.arg):
            mentor_id, mentee_id = (int(part) for part in action.arg.split("."))
            mentor, mentee = await pairing.do_pair(
                ctx.session, ctx.settings, actor, mentor_id, mentee_id, ctx.now
            )
            ctx.toast(
                ctx.t("paired", mentor=mentor.display_name or "—", name=mentee.display_name or "—")
            )
            await show_pairing_mentees(ctx, actor, mentor_id)
        elif action.name == a.MUTE and action.arg in {"0", "1"}:
            await _mute(ctx, action.arg == "1")
        elif action.name == a.LEADERBOARD and action.arg in {"0", "1"}:
            await mentoring.set_leaderboard(
                ctx.session, _me(ctx).id or 0, action.arg == "1", ctx.now
            )
            ctx.toast(ctx.t("leaderboard-shown" if action.arg == "1" else "leaderboard-hidden"))
            await show_leaderboard(ctx, actor, "")
        else:
            ctx.toast(ctx.t("press-invalid"), alert=True)
    except StaffError as exc:
        ctx.toast(exc.message(ctx.lang)[:200], alert=True)


async def on_text(ctx: Ctx, event: Text) -> bool:
    """Text that answers a pending staff prompt; False when there is none."""
    pending = ctx.state.get("staff") or {}
    mode = pending.get("mode")
    if mode not in {"compose", "nudge", "reply"}:
        return False
    try:
        actor = await _actor(ctx)
        if mode == "compose":
            await _broadcast_preview(ctx, pending, event.text)
        elif mode == "nudge":
            mentee = await mentoring.do_nudge(
                ctx.session, ctx.settings, actor, _me(ctx), pending["mentee"], event.text, ctx.now
            )
            _staff(ctx)
            ctx.say(_nudge_sent(ctx, mentee))
        else:
            mentor = await mentoring.do_reply(
                ctx.session, ctx.settings, _me(ctx), pending["nudge"], event.text, ctx.now
            )
            _staff(ctx)
            ctx.say(ctx.t("reply-sent", name=mentor.display_name or "—"))
    except StaffError as exc:
        if exc.key not in RETYPE:  # refused for good: the next message is ordinary chat again
            _staff(ctx)
        ctx.say(exc.message(ctx.lang))
    return True


async def on_start_payload(ctx: Ctx, kind: str, value: str) -> None:
    """``/start r-<token>`` (a role invitation) or ``/start m-<code>`` (a mentor's link)."""
    learner = _me(ctx)
    try:
        if kind == "role":
            grant, unit = await invites.do_accept_role_invite(ctx.session, learner, value, ctx.now)
            ctx.say(
                ctx.t(
                    f"role-granted-{grant.role}",
                    unit=unit.name if unit else "—",
                )
            )
        else:
            mentor = await mentoring.do_link_by_code(ctx.session, learner, value, ctx.now)
            ctx.say(ctx.t("mentee-linked", mentor=mentor.display_name or "—"))
    except StaffError as exc:
        ctx.say(exc.message(ctx.lang))


async def _audit_view(
    ctx: Ctx, actor: perm.Actor, action: str, unit: Unit | None, **details: Any
) -> None:
    """Organisers' views that show people or figures are audited like their changes."""
    await audit.record(
        ctx.session, actor.learner_id, "chat", action, unit.id if unit else None, ctx.now, **details
    )


def abandon(ctx: Ctx) -> None:
    """Drop pending staff input (the person moved on with a command), saying so."""
    pending = ctx.state.get("staff") or {}
    _staff(ctx)
    key = {"compose": "broadcast-abandoned", "nudge": "nudge-abandoned", "reply": "reply-abandoned"}
    if pending.get("mode") in key:
        ctx.say(ctx.t(key[pending["mode"]]))


async def show_help(ctx: Ctx) -> None:
    """/help: the commands of the roles the person holds (nothing more for a learner)."""
    held = (await _actor(ctx)).roles
    if Role.MENTOR in held:
        ctx.say(ctx.t("help-mentor"))
    if held & {Role.ORGANISER, Role.ADMIN}:
        ctx.say(ctx.t("help-organiser"))


def _me(ctx: Ctx) -> Learner:
    assert ctx.learner is not None and ctx.learner.id is not None
    return ctx.learner


# --- /report --------------------------------------------------------------------------------------
def render_row(ctx: Ctx, row: reports.Row, label: str | None = None) -> str:
    certified = " · ".join(f"C{n}: {c}" for n, c in zip(reports.LEVELS, row.certified, strict=True))
    return ctx.t(
        "report-row",
        name=label or exports.row_name(row, ctx.lang),
        code=row.code,
        joined=row.joined,
        active=row.active,
        certified=certified,
        level=row.target.level,
        rate=exports.percent(row.certified_percent, ctx.lang),
        percent=exports.percent(row.percent_of_target, ctx.lang),
        forecast=exports.forecast_text(row, ctx.lang),
    )


async def show_report(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    unit = await perm.access_unit(ctx.session, actor, perm.Action.REPORT, code or None)
    report = await reports.unit_report(ctx.session, unit, target(ctx), ctx.now)
    await _audit_view(ctx, actor, "report.view", unit)
    parts = [exports.title(report, ctx.lang)]
    parts += [render_row(ctx, row) for row in report.rows[:REPORT_ROWS]]
    if len(report.rows) > REPORT_ROWS:
        parts.append(ctx.t("report-more", count=len(report.rows) - REPORT_ROWS))
    parts.append(render_row(ctx, report.total, ctx.t("report-total")))
    if report.unassigned:
        parts.append(ctx.t("report-unassigned", count=report.unassigned))
    suggested = await candidates.count(ctx.session, unit, consent=ctx.settings.consent_version)
    if suggested:
        parts.append(ctx.t("report-candidates", count=suggested))
    download = a.button(ctx.t("report-download"), a.REPORT_FILE, "", str(unit.id if unit else 0))
    ctx.say(Markup("\n\n".join(parts)), buttons=((download,),))


async def send_report_file(ctx: Ctx, actor: perm.Actor, unit_id: int) -> None:
    """The same report as an Excel file (every row), for office use; audited as an export."""
    unit = None
    if unit_id:
        try:
            found = await units.by_id(ctx.session, unit_id)
            unit = await perm.access_unit(ctx.session, actor, perm.Action.REPORT, found.code)
        except StaffError:  # a guessed id: refused without naming the unit behind it
            raise Forbidden("forbidden-report") from None
    else:
        perm.check_role(actor, perm.Action.REPORT)
        if not actor.is_admin:
            raise Forbidden("forbidden-report")
    report = await reports.unit_report(ctx.session, unit, target(ctx), ctx.now)
    await _audit_view(ctx, actor, "report.export", unit, format="xlsx")
    name = f"bao-cao-{report.unit_code or 'toan-he-thong'}-{report.today:%Y-%m-%d}.xlsx"
    ctx.say(
        exports.title(report, ctx.lang),
        document=Document(name, exports.to_xlsx(report, ctx.lang), kind=f"report:{unit_id}"),
    )


# --- /broadcast: compose → preview → confirm → progress ------------------------------------------
def _audience(unit: Unit | None) -> dict[str, list[Any]]:
    return {"trees": [unit.code]} if unit is not None else {}


async def start_broadcast(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    unit = await perm.access_unit(ctx.session, actor, perm.Action.BROADCAST, code or None)
    _staff(ctx, mode="compose", unit=unit.id if unit else None, nonce=new_nonce())
    name = unit.name if unit else ctx.t("report-all-units")
    ctx.say(ctx.t("broadcast-compose", unit=name))


async def _scope_unit(ctx: Ctx, actor: perm.Actor, unit_id: int | None) -> Unit | None:
    """The compose scope, checked again (a role may have been revoked meanwhile)."""
    if unit_id is None:
        perm.check_role(actor, perm.Action.BROADCAST)
        if not actor.is_admin:
            raise Forbidden("forbidden-broadcast")
        return None
    unit = await units.by_id(ctx.session, unit_id)
    return await perm.access_unit(ctx.session, actor, perm.Action.BROADCAST, unit.code)


async def _broadcast_preview(ctx: Ctx, pending: dict[str, Any], text: str) -> None:
    text = text.strip()
    if not 1 <= len(text) <= broadcasts.TEXT_LIMIT - 200:
        ctx.say(ctx.t("broadcast-too-long", limit=broadcasts.TEXT_LIMIT - 200))
        return
    unit = await _scope_unit(ctx, await _actor(ctx), pending.get("unit"))
    connection = await ctx.session.connection()
    count = await broadcasts.audience_size(connection, _audience(unit))
    nonce = new_nonce()
    _staff(ctx, mode="compose", unit=pending.get("unit"), nonce=nonce, text=text)
    ctx.say(
        ctx.t(
            "broadcast-preview",
            unit=unit.name if unit else ctx.t("report-all-units"),
            count=count,
            text=text,
        ),
        buttons=(
            (
                a.button(ctx.t("broadcast-send"), a.BROADCAST, nonce, "send"),
                a.button(ctx.t("broadcast-cancel"), a.BROADCAST, nonce, "cancel"),
            ),
        ),
    )


async def _broadcast_press(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    pending = ctx.state.get("staff") or {}
    if pending.get("mode") != "compose" or action.nonce != pending.get("nonce"):
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    if action.arg == "cancel" or not pending.get("text"):
        _staff(ctx)
        ctx.say(ctx.t("broadcast-cancelled"), edit=True)
        return
    unit = await _scope_unit(ctx, actor, pending.get("unit"))
    connection = await ctx.session.connection()
    created = await broadcasts.announce_on(
        connection,
        html.escape(pending["text"], quote=False),
        _audience(unit),
        language=ctx.lang,
        requested_by=actor.learner_id,
    )
    await audit.record(
        ctx.session,
        actor.learner_id,
        "chat",
        "broadcast.send",
        unit.id if unit else None,
        ctx.now,
        broadcast=created.broadcast_id,
        queued=created.queued,
    )
    _staff(ctx)
    ctx.say(
        ctx.t("broadcast-queued", count=created.queued),
        edit=True,
        buttons=(
            (
                a.button(
                    ctx.t("broadcast-refresh"), a.BROADCAST_STATUS, "", str(created.broadcast_id)
                ),
            ),
        ),
    )


async def _broadcast_status(ctx: Ctx, actor: perm.Actor, broadcast_id: int) -> None:
    broadcast = await ctx.session.get(Broadcast, broadcast_id)
    trees = (broadcast.audience.get("trees") or []) if broadcast else []
    if broadcast is None or (not trees and not actor.is_admin):
        raise Forbidden("forbidden-broadcast")
    try:
        for code in trees:
            await perm.access_unit(ctx.session, actor, perm.Action.BROADCAST, code)
    except Forbidden:  # another unit's broadcast: refused like an unknown one, naming nothing
        raise Forbidden("forbidden-broadcast") from None
    counts = await state_counts(await ctx.session.connection(), broadcast_id)
    unit = await units.of_codes(ctx.session, trees[:1])
    await _audit_view(
        ctx,
        actor,
        "broadcast.status",
        unit.get(trees[0]) if trees else None,
        broadcast=broadcast_id,
    )
    sent = counts.get(DeliveryState.SENT, 0)
    total = sum(counts.values())
    waiting = sum(counts.get(s, 0) for s in ("pending", "claimed", "sending"))
    ctx.say(
        ctx.t(
            "broadcast-progress",
            sent=sent,
            total=total,
            waiting=waiting,
            failed=total - sent - waiting,
            time=ctx.fmt_datetime(ctx.now),
        ),
        edit=True,
        buttons=(
            (a.button(ctx.t("broadcast-refresh"), a.BROADCAST_STATUS, "", str(broadcast_id)),),
        ),
    )


# --- mentors ------------------------------------------------------------------------------------
async def show_mentees(ctx: Ctx, actor: perm.Actor, _args: str) -> None:
    found = await mentoring.mentees(ctx.session, actor, ctx.pack, target(ctx), ctx.now)
    code = await mentoring.mentor_code(ctx.session, _me(ctx).id or 0, ctx.now)
    link = invites.start_link(ctx.settings, invites.MENTOR_PREFIX + code)
    if not found:
        ctx.say(ctx.t("mentees-none", link=link))
        return
    lines = [ctx.t("mentees-title", count=len(found))]
    for mentee in found:
        last = ctx.fmt_date(mentee.last_active_at) if mentee.last_active_at else "—"
        lines.append(
            ctx.t(
                "mentee-line",
                name=mentee.name,
                standing=ctx.t(f"standing-{mentee.standing.value.replace('_', '-')}"),
                done=mentee.done,
                lessons=mentee.lessons,
                level=mentee.level,
                last=last,
            )
        )
    lines.append(ctx.t("mentees-invite", link=link))
    # Buttons only for those a nudge can reach now (not certified, not muted, not nudged in the
    # last 72 hours), so that the ten buttons are never taken by people who cannot be nudged.
    helpable = [m for m in found if m.standing != mentoring.Standing.CERTIFIED and m.can_nudge]
    buttons = [
        a.button(ctx.t("nudge-button", name=m.name[:24]), a.NUDGE, "", str(m.id))
        for m in helpable[:MENTEE_BUTTONS]
    ]
    ctx.say(Markup("\n".join(lines)), buttons=rows(buttons, 1))


async def _nudge_press(ctx: Ctx, actor: perm.Actor, name: str, mentee_id: int) -> None:
    if name == a.NUDGE_SEND:  # do_nudge checks the limits itself
        mentee = await mentoring.do_nudge(
            ctx.session, ctx.settings, actor, _me(ctx), mentee_id, None, ctx.now
        )
        ctx.say(_nudge_sent(ctx, mentee), edit=True)
        return
    mentee = await mentoring.check_nudge(ctx.session, actor, mentee_id, ctx.now)
    who = mentee.display_name or "—"
    if name == a.NUDGE:
        ctx.say(
            ctx.t("nudge-choose", name=who),
            buttons=(
                (a.button(ctx.t("nudge-template-button"), a.NUDGE_SEND, "", str(mentee_id)),),
                (a.button(ctx.t("nudge-custom-button"), a.NUDGE_CUSTOM, "", str(mentee_id)),),
            ),
        )
    else:
        _staff(ctx, mode="nudge", mentee=mentee_id)
        ctx.say(ctx.t("nudge-write", name=who, limit=mentoring.CUSTOM_LIMIT), edit=True)


def _nudge_sent(ctx: Ctx, mentee: Learner) -> str:
    """Sent, or (in the mentee's quiet hours) held until their morning, saying when."""
    name = mentee.display_name or "—"
    wake = not_before(ctx.now, mentee.timezone, ctx.settings)
    if wake <= ctx.now:
        return ctx.t("nudge-sent", name=name)
    local = wake.astimezone(ZoneInfo(mentee.timezone)).strftime("%H:%M")
    return ctx.t("nudge-sent-later", name=name, time=local)


async def _mute(ctx: Ctx, muted: bool) -> None:
    await mentoring.set_muted(ctx.session, _me(ctx).id or 0, muted, ctx.now)
    ctx.say(
        ctx.t("nudges-muted" if muted else "nudges-unmuted"),
        buttons=(
            (
                a.button(
                    ctx.t("nudge-unmute-button" if muted else "nudge-mute-button"),
                    a.MUTE,
                    "",
                    "0" if muted else "1",
                ),
            ),
        ),
    )


async def show_mentor_link(ctx: Ctx, actor: perm.Actor, _args: str) -> None:
    if Role.MENTOR not in actor.roles:
        raise Forbidden("forbidden-mentees")
    code = await mentoring.mentor_code(ctx.session, _me(ctx).id or 0, ctx.now)
    ctx.say(
        ctx.t("mentor-link", link=invites.start_link(ctx.settings, invites.MENTOR_PREFIX + code))
    )


async def invite_mentor(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    unit = await perm.access_unit(ctx.session, actor, perm.Action.INVITE_MENTOR, code or None)
    invite = await invites.create_role_invite(ctx.session, actor, Role.MENTOR, unit, ctx.now)
    ctx.say(
        ctx.t(
            "mentor-invite",
            unit=unit.name if unit else "—",
            link=invites.start_link(ctx.settings, invites.ROLE_PREFIX + invite.token),
            until=ctx.fmt_datetime(invite.expires_at),
        )
    )


async def show_candidates(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    """Certified learners of the subtree who are not mentors yet, each with an invite button."""
    unit = await perm.access_unit(ctx.session, actor, perm.Action.INVITE_MENTOR, code or None)
    found = await candidates.listing(ctx.session, actor, unit, consent=ctx.settings.consent_version)
    await _audit_view(ctx, actor, "mentor.candidates", unit, shown=len(found))
    if not found:
        ctx.say(ctx.t("mentor-candidates-none"))
        return
    total = await candidates.count(ctx.session, unit, consent=ctx.settings.consent_version)
    lines = [ctx.t("mentor-candidates-title", count=total)]
    lines += [
        ctx.t(
            "mentor-candidate-line",
            name=c.name,
            unit=c.unit_name,
            date=ctx.fmt_date(c.certified_at),
        )
        for c in found
    ]
    buttons = [
        a.button(ctx.t("mentor-invite-button", name=c.name[:24]), a.MENTOR_INVITE, "", str(c.id))
        for c in found
    ]
    ctx.say(Markup("\n".join(lines)), buttons=rows(buttons, 1))


async def show_pairing_mentors(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    """/assign_mentor: the subtree's mentors, fewest mentees first."""
    unit = await perm.access_unit(ctx.session, actor, perm.Action.LINK_MENTEE, code or None)
    found = await pairing.mentors(ctx.session, actor, unit)
    await _audit_view(ctx, actor, "mentor.pairing_mentors", unit, shown=len(found))
    if not found:
        ctx.say(ctx.t("pairing-no-mentors"))
        return
    buttons = [
        a.button(
            ctx.t("pairing-mentor-button", name=m.name[:24], count=m.mentees or 0),
            a.PAIR_MENTOR,
            "",
            str(m.id),
        )
        for m in found
    ]
    ctx.say(ctx.t("pairing-choose-mentor"), buttons=rows(buttons, 1))


async def show_pairing_mentees(ctx: Ctx, actor: perm.Actor, mentor_id: int) -> None:
    """Colleagues with no mentor in the scope both share, those who need help most first."""
    mentor = await perm.access_learner(ctx.session, actor, perm.Action.LINK_MENTEE, mentor_id)
    # The organiser's scope that holds the mentor (access_learner has checked there is one).
    scope: Unit | None = None
    if not actor.is_admin:
        home = await units.by_code(ctx.session, mentor.unit_code or "")
        scope = next(
            s
            for s in actor.scopes(perm.Action.LINK_MENTEE)
            if s is not None and units.in_subtree(s, home.path)
        )
    found = await pairing.unmentored(
        ctx.session,
        actor,
        scope,
        mentor_id,
        target(ctx).level,
        consent=ctx.settings.consent_version,
    )
    await _audit_view(
        ctx, actor, "mentor.pairing_mentees", scope, mentor=mentor_id, shown=len(found)
    )
    name = mentor.display_name or "—"
    if not found:
        ctx.say(ctx.t("pairing-no-mentees", mentor=name), edit=True)
        return
    lines = [ctx.t("pairing-choose-mentee", mentor=name)]
    for person in found:
        last = ctx.fmt_date(person.last_active_at) if person.last_active_at else "—"
        lines.append(
            ctx.t("pairing-mentee-line", name=person.name, unit=person.unit_name, last=last)
        )
    buttons = [
        a.button(
            ctx.t("pairing-mentee-button", name=p.name[:24]), a.PAIR, "", f"{mentor_id}.{p.id}"
        )
        for p in found
    ]
    ctx.say(Markup("\n".join(lines)), buttons=rows(buttons, 1), edit=True)


# --- /leaderboard: completion % per unit, names only of those who opted in ----------------------
async def show_leaderboard(ctx: Ctx, _actor: perm.Actor, _args: str) -> None:
    me = _me(ctx)
    if not me.unit_code:
        ctx.say(ctx.t("leaderboard-no-unit"))
        return
    mine = await units.by_code(ctx.session, me.unit_code)
    parent = await ctx.session.get(Unit, mine.parent_id) if mine.parent_id else None
    report = await reports.unit_report(ctx.session, parent, target(ctx), ctx.now)
    ranked = sorted(
        (r for r in report.rows if r.joined and r.code != (parent.code if parent else None)),
        key=lambda r: (-(r.certified_percent or 0), r.code),
    )
    lines = [ctx.t("leaderboard-title", level=report.target.level)]
    for place, row in enumerate(ranked[:LEADERBOARD_ROWS], start=1):
        marker = "👉 " if row.code == mine.code else ""
        rate = exports.percent(row.certified_percent, ctx.lang)
        lines.append(f"{place}. {marker}{html.escape(row.name)} — {rate}")
    names = await _opted_in(ctx, mine.code, report.target.level)
    if names:
        lines.append(ctx.t("leaderboard-people", names=", ".join(names)))
    shown = (await mentoring.preference(ctx.session, me.id or 0)).leaderboard_opt_in
    ctx.say(
        Markup("\n".join(lines)),
        buttons=(
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


async def _opted_in(ctx: Ctx, unit_code: str, level: int) -> list[str]:
    result = await ctx.session.exec(
        select(Learner.display_name)
        .join(LearnerPreference, col(LearnerPreference.learner_id) == Learner.id)
        .join(Certificate, col(Certificate.learner_id) == Learner.id)
        .where(
            Learner.unit_code == unit_code,
            col(LearnerPreference.leaderboard_opt_in),
            Certificate.level == level,
            col(Learner.display_name).is_not(None),
        )
        .order_by(col(Certificate.issued_at))
        .limit(20)
    )
    return [html.escape(name) for name in result.all() if name]
