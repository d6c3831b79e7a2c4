"""What the flows of organisers and mentors share: the person's rights, pending input, help.

Every rule lives in :mod:`hocvuso.organising`; the flows (:mod:`.reports`, :mod:`.broadcast`,
:mod:`.mentoring`) parse the chat event, call it, and render the result or the refusal (a
:class:`~hocvuso.organising.errors.StaffError`, said in the person's language). Pending input (a
broadcast being composed, a custom nudge, a reply to a mentor) is kept in ``state["staff"]``,
beside the learner's place in the course, which it never disturbs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from hocvuso.chat.context import Ctx
from hocvuso.chat.events import Command
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.i18n import plain
from hocvuso.organising import invites, mentoring
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import StaffError
from hocvuso.organising.forecast import Target
from hocvuso.storage.organising import Role

StaffCommand = Callable[[Ctx, perm.Actor, str], Awaitable[None]]
StaffPress = Callable[[Ctx, perm.Actor, Action], Awaitable[None]]
#: The kinds of pending input, and what is said when a command abandons them.
PENDING = {"compose": "broadcast-abandoned", "nudge": "nudge-abandoned", "reply": "reply-abandoned"}


def target(ctx: Ctx) -> Target:
    s = ctx.settings
    return Target(level=s.target_level, percent=s.target_percent, deadline=s.target_deadline)


async def actor(ctx: Ctx) -> perm.Actor:
    return await perm.load_actor(ctx.session, ctx.me.id or 0)


def set_pending(ctx: Ctx, **values: Any) -> None:
    """Wait for typed input of this kind (no values: wait for nothing)."""
    ctx.set_state(staff=values or None)


def pending(ctx: Ctx) -> dict[str, Any]:
    return ctx.state.get("staff") or {}


def command(handler: StaffCommand) -> Callable[[Ctx, Command], Awaitable[None]]:
    """A staff command: the person's rights are loaded, a refusal is said in their language."""

    @wraps(handler)
    async def run(ctx: Ctx, event: Command) -> None:
        try:
            await handler(ctx, await actor(ctx), event.args.strip())
        except StaffError as exc:
            ctx.say(exc.message(ctx.lang))

    return run


def press(handler: StaffPress) -> Callable[[Ctx, Action], Awaitable[None]]:
    """A staff button: as :func:`command`, a refusal shown as an alert on the button."""

    @wraps(handler)
    async def run(ctx: Ctx, action: Action) -> None:
        try:
            await handler(ctx, await actor(ctx), action)
        except StaffError as exc:
            ctx.toast(plain(exc.message(ctx.lang))[:200], alert=True)

    return run


def abandon(ctx: Ctx) -> None:
    """Drop pending staff input (the person moved on with a command), saying so."""
    mode = pending(ctx).get("mode")
    set_pending(ctx)
    if mode in PENDING:
        ctx.say(ctx.t(PENDING[mode]))


async def show_help(ctx: Ctx) -> None:
    """/help: the commands of the roles the person holds (nothing more for a learner)."""
    held = (await actor(ctx)).roles
    if Role.MENTOR in held:
        ctx.say(ctx.t("help-mentor"))
    if held & {Role.ORGANISER, Role.ADMIN}:
        ctx.say(ctx.t("help-organiser"))


async def on_start_payload(ctx: Ctx, kind: str, value: str) -> None:
    """``/start r-<token>`` (a role invitation) or ``/start m-<code>`` (a mentor's link)."""
    learner = ctx.me
    try:
        if kind == "role":
            grant, unit = await invites.do_accept_role_invite(ctx.session, learner, value, ctx.now)
            ctx.say(ctx.t(f"role-granted-{grant.role}", unit=unit.name if unit else "—"))
        else:
            await ask_mentor_link(ctx, value)
    except StaffError as exc:
        ctx.say(exc.message(ctx.lang))


async def ask_mentor_link(ctx: Ctx, code: str) -> None:
    """A mentor's link was opened: the person confirms before anything is linked."""
    mentor, linked = await mentoring.mentor_of_code(
        ctx.session, ctx.settings, ctx.me, code, ctx.now
    )
    name = mentor.display_name or "—"
    if linked:
        ctx.say(ctx.t("mentee-already-linked", mentor=name))
        return
    ctx.say(
        ctx.t("mentor-link-confirm", mentor=name),
        buttons=(
            (
                a.button(ctx.t("mentor-link-yes"), a.MENTOR_LINK_YES, "", code),
                a.button(ctx.t("mentor-link-no"), a.MENTOR_LINK_NO, "", code),
            ),
        ),
    )
