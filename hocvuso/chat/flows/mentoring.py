"""Peer mentors and the organisers who pair them, in the chat: ``/mentees`` and nudges, the
mentee's reply, mute, ``/mentor_link``, ``/invite_mentor``, ``/mentor_candidates`` and the
invitation it sends, ``/assign_mentor``.

Rules, limits and audit are :mod:`hocvuso.organising`'s; this module parses and renders.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from hocvuso.chat.context import Ctx
from hocvuso.chat.flows import staff
from hocvuso.chat.replies import rows
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.delivery.quiet import not_before
from hocvuso.i18n import Markup
from hocvuso.organising import candidates, invites, mentoring, pairing, replies
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import Forbidden
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import MentorCode, Role

MENTEE_BUTTONS = 10


# --- /mentees and nudges ------------------------------------------------------------------------
async def show_mentees(ctx: Ctx, actor: perm.Actor, _args: str) -> None:
    found = await mentoring.mentees(
        ctx.session,
        actor,
        ctx.pack,
        staff.target(ctx),
        ctx.now,
        consent=ctx.settings.consent_version,
    )
    code = await mentoring.mentor_code(
        ctx.session, ctx.me.id or 0, ctx.now, days=ctx.settings.mentor_code_days
    )
    link = await invites.link_of(
        ctx.session, ctx.settings, ctx.person.bot_id, invites.MENTOR_PREFIX + code.code
    )
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


async def on_nudge(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    """A mentee's nudge button: choose the templated nudge or write one."""
    mentee_id = int(action.arg)
    mentee = await mentoring.check_nudge(
        ctx.session, actor, mentee_id, ctx.now, consent=ctx.settings.consent_version
    )
    ctx.say(
        ctx.t("nudge-choose", name=mentee.display_name or "—"),
        buttons=(
            (a.button(ctx.t("nudge-template-button"), a.NUDGE_SEND, "", str(mentee_id)),),
            (a.button(ctx.t("nudge-custom-button"), a.NUDGE_CUSTOM, "", str(mentee_id)),),
        ),
    )


async def on_nudge_template(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    """Send the templated nudge (``do_nudge`` checks the limits itself)."""
    mentee = await mentoring.do_nudge(
        ctx.session, ctx.settings, actor, ctx.me, int(action.arg), None, ctx.now
    )
    ctx.say(nudge_sent(ctx, mentee), edit=True)


async def on_nudge_custom(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    """Write a custom nudge: the next message is its text."""
    mentee_id = int(action.arg)
    mentee = await mentoring.check_nudge(
        ctx.session, actor, mentee_id, ctx.now, consent=ctx.settings.consent_version
    )
    staff.set_pending(ctx, mode="nudge", mentee=mentee_id)
    who = mentee.display_name or "—"
    ctx.say(ctx.t("nudge-write", name=who, limit=mentoring.CUSTOM_LIMIT), edit=True)


async def send_custom_nudge(ctx: Ctx, actor: perm.Actor, draft: dict[str, Any], text: str) -> None:
    mentee = await mentoring.do_nudge(
        ctx.session, ctx.settings, actor, ctx.me, draft["mentee"], text, ctx.now
    )
    staff.set_pending(ctx)
    ctx.say(nudge_sent(ctx, mentee))


def nudge_sent(ctx: Ctx, mentee: Learner) -> str:
    """Sent, or (in the mentee's quiet hours) held until their morning, saying when."""
    name = mentee.display_name or "—"
    wake = not_before(ctx.now, mentee.timezone, ctx.settings)
    if wake <= ctx.now:
        return ctx.t("nudge-sent", name=name)
    local = wake.astimezone(ZoneInfo(mentee.timezone)).strftime("%H:%M")
    return ctx.t("nudge-sent-later", name=name, time=local)


# --- the mentee's side: reply, mute -------------------------------------------------------------
async def on_reply(ctx: Ctx, _actor: perm.Actor, action: Action) -> None:
    """The mentee answers a nudge: the next message goes to the mentor."""
    await replies.check_reply(ctx.session, ctx.me, int(action.arg))
    staff.set_pending(ctx, mode="reply", nudge=int(action.arg))
    ctx.say(ctx.t("reply-write", limit=mentoring.CUSTOM_LIMIT))


async def send_reply(ctx: Ctx, _actor: perm.Actor, draft: dict[str, Any], text: str) -> None:
    mentor = await replies.do_reply(
        ctx.session, ctx.settings, ctx.me, draft["nudge"], text, ctx.now
    )
    staff.set_pending(ctx)
    ctx.say(ctx.t("reply-sent", name=mentor.display_name or "—"))


async def on_mute(ctx: Ctx, _actor: perm.Actor, action: Action) -> None:
    muted = action.arg == "1"
    await mentoring.set_muted(ctx.session, ctx.me.id or 0, muted, ctx.now)
    toggle = a.button(
        ctx.t("nudge-unmute-button" if muted else "nudge-mute-button"),
        a.MUTE,
        "",
        "0" if muted else "1",
    )
    ctx.say(ctx.t("nudges-muted" if muted else "nudges-unmuted"), buttons=((toggle,),))


# --- finding and inviting mentors ---------------------------------------------------------------
async def show_mentor_link(ctx: Ctx, actor: perm.Actor, _args: str) -> None:
    if Role.MENTOR not in actor.roles:
        raise Forbidden("forbidden-mentees")
    code = await mentoring.mentor_code(
        ctx.session, ctx.me.id or 0, ctx.now, days=ctx.settings.mentor_code_days
    )
    await say_mentor_link(ctx, code, "mentor-link")


async def on_new_code(ctx: Ctx, actor: perm.Actor, _action: Action) -> None:
    """ "Tạo đường dẫn mới": a new invite link; the old one stops working."""
    if Role.MENTOR not in actor.roles:
        raise Forbidden("forbidden-mentees")
    code = await mentoring.do_rotate_code(ctx.session, ctx.me.id or 0, ctx.now)
    await say_mentor_link(ctx, code, "mentor-link-renewed", edit=True)


async def say_mentor_link(ctx: Ctx, code: MentorCode, key: str, *, edit: bool = False) -> None:
    link = await invites.link_of(
        ctx.session, ctx.settings, ctx.person.bot_id, invites.MENTOR_PREFIX + code.code
    )
    until = mentoring.code_expires(code, ctx.settings.mentor_code_days)
    ctx.say(
        ctx.t(key, link=link, until=ctx.fmt_date(until)),
        buttons=((a.button(ctx.t("mentor-link-new-button"), a.MENTOR_CODE_NEW),),),
        edit=edit,
    )


# --- the mentee's side: confirming a mentor's link, leaving a mentor ----------------------------
async def on_link_yes(ctx: Ctx, _actor: perm.Actor, action: Action) -> None:
    mentor = await mentoring.do_link_by_code(ctx.session, ctx.settings, ctx.me, action.arg, ctx.now)
    ctx.say(ctx.t("mentee-linked", mentor=mentor.display_name or "—"), edit=True)


async def on_link_no(ctx: Ctx, _actor: perm.Actor, _action: Action) -> None:
    ctx.say(ctx.t("mentor-link-declined"), edit=True)


async def show_my_mentors(ctx: Ctx, _actor: perm.Actor, _args: str) -> None:
    """/my_mentor: the person's mentors, each with a button to leave them."""
    found = await mentoring.mentors_of(ctx.session, ctx.me.id or 0)
    if not found:
        ctx.say(ctx.t("my-mentor-none"))
        return
    names = [ctx.t("my-mentor-line", name=m.display_name or "—") for m in found]
    buttons = [
        a.button(
            ctx.t("my-mentor-leave-button", name=(m.display_name or "—")[:24]),
            a.MENTOR_LEAVE,
            "",
            str(m.id),
        )
        for m in found
    ]
    ctx.say(Markup("\n".join([ctx.t("my-mentor-title"), *names])), buttons=rows(buttons, 1))


async def on_leave(ctx: Ctx, _actor: perm.Actor, action: Action) -> None:
    mentor = await mentoring.do_leave(ctx.session, ctx.settings, ctx.me, int(action.arg), ctx.now)
    ctx.say(ctx.t("my-mentor-left", name=mentor.display_name or "—"), edit=True)


async def invite_mentor(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    unit = await perm.access_unit(ctx.session, actor, perm.Action.INVITE_MENTOR, code or None)
    invite = await invites.create_role_invite(ctx.session, actor, Role.MENTOR, unit, ctx.now)
    ctx.say(
        ctx.t(
            "mentor-invite",
            unit=unit.name if unit else "—",
            link=await invites.link_of(
                ctx.session, ctx.settings, ctx.person.bot_id, invites.ROLE_PREFIX + invite.token
            ),
            until=ctx.fmt_datetime(invite.expires_at),
        )
    )


async def show_candidates(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    """Certified learners of the subtree who are not mentors yet, each with an invite button."""
    found, total = await candidates.access_candidates(
        ctx.session, actor, code or None, ctx.now, consent=ctx.settings.consent_version
    )
    if not found:
        ctx.say(ctx.t("mentor-candidates-none"))
        return
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


async def on_invite(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    """ "Mời": the candidate gets a personal invitation to become a mentor."""
    candidate, invite, new = await candidates.do_invite(
        ctx.session, ctx.settings, actor, ctx.me, int(action.arg), ctx.now
    )
    name = candidate.display_name or "—"
    if new:
        ctx.toast(ctx.t("mentor-invitation-sent", name=name))
    else:  # an invitation to them is still open: nothing is sent twice
        until = ctx.fmt_date(invite.expires_at)
        ctx.toast(ctx.t("mentor-invitation-open", name=name, until=until), alert=True)


async def on_accept(ctx: Ctx, _actor: perm.Actor, action: Action) -> None:
    """The invitee accepts their personal role invitation."""
    grant, unit = await candidates.do_accept(ctx.session, ctx.settings, ctx.me, action.arg, ctx.now)
    ctx.say(ctx.t(f"role-granted-{grant.role}", unit=unit.name if unit else "—"))


# --- /assign_mentor -----------------------------------------------------------------------------
async def show_pairing_mentors(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    """The subtree's mentors, fewest mentees first."""
    found = await pairing.access_mentors(
        ctx.session, actor, code or None, ctx.now, consent=ctx.settings.consent_version
    )
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
    mentor, found = await pairing.access_unmentored(
        ctx.session,
        actor,
        mentor_id,
        staff.target(ctx).level,
        ctx.now,
        consent=ctx.settings.consent_version,
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


async def on_pair_mentor(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    await show_pairing_mentees(ctx, actor, int(action.arg))


async def on_pair(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    mentor_id, mentee_id = (int(part) for part in action.arg.split("."))
    mentor, mentee = await pairing.do_pair(
        ctx.session, ctx.settings, actor, mentor_id, mentee_id, ctx.now
    )
    ctx.toast(ctx.t("paired", mentor=mentor.display_name or "—", name=mentee.display_name or "—"))
    await show_pairing_mentees(ctx, actor, mentor_id)
