"""The one routing table of the conversation: every command and every button, to one handler.

Transports hand every event to the engine (the aiogram routers only filter what reaches it);
the engine applies consent first, then calls :func:`command`, :func:`press` or :func:`text`.
A button's argument is checked against the shape its route declares before any handler runs,
so handlers receive only well-formed payloads (anything else: "invalid button").
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from hocvuso.chat.context import Ctx
from hocvuso.chat.events import Command, Press, Text
from hocvuso.chat.flows import (
    account,
    broadcast,
    dashboard,
    mentoring,
    onboarding,
    reports,
    staff,
    study,
)
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import StaffError

CommandHandler = Callable[[Ctx, Command], Awaitable[None]]
PressHandler = Callable[[Ctx, Action], Awaitable[None]]
TypedInput = Callable[[Ctx, perm.Actor, dict[str, Any], str], Awaitable[None]]

ANY = re.compile(r"^.*$")
ID = re.compile(r"^\d{1,18}$")
FLAG = re.compile(r"^[01]$")
PAIR = re.compile(r"^\d{1,18}\.\d{1,18}$")
TOKEN = re.compile(r"^[A-Za-z0-9_\-]{1,60}$")
#: Refusals of typed input that keep the prompt open, so the person can type again.
RETYPE = {"nudge-bad-length", "broadcast-too-long"}


@dataclass(frozen=True)
class Route:
    handler: PressHandler
    #: The shape of the button's argument.
    arg: re.Pattern[str] = ANY


# --- commands -----------------------------------------------------------------------------------
def _plain(show: Callable[[Ctx], Awaitable[None] | None]) -> CommandHandler:
    """A command that takes no arguments."""

    async def run(ctx: Ctx, _command: Command) -> None:
        shown = show(ctx)
        if shown is not None:
            await shown

    return run


async def _help(ctx: Ctx, _command: Command) -> None:
    ctx.say(ctx.t("help"))
    await staff.show_help(ctx)


def _in_onboarding(ctx: Ctx) -> bool:
    return not ctx.state or ctx.state.get("step") in onboarding.ONBOARDING_STEPS


async def _onboarding_command(ctx: Ctx, command: Command) -> None:
    """Any other command before onboarding is done asks the pending onboarding question."""
    if command.name == "start" and command.args:
        await onboarding.apply_payload(ctx, command.args, onboarding=True)
    if not ctx.state:
        ctx.reset_state("language")
    onboarding.prompt(ctx)


async def _start(ctx: Ctx, command: Command) -> None:
    if _in_onboarding(ctx):
        await _onboarding_command(ctx, command)
        return
    if command.args:
        await onboarding.apply_payload(ctx, command.args, onboarding=False)
    ctx.say(ctx.t("welcome-back", name=ctx.me.display_name or ""))
    if not await study.resume(ctx):
        ctx.say(ctx.t("hint-learn"))


async def _learn(ctx: Ctx, command: Command) -> None:
    if _in_onboarding(ctx):
        await _onboarding_command(ctx, command)
        return
    if await study.resume(ctx):
        return
    if not ctx.me.placement_done:
        ctx.reset_state("placement_intro", placement_plan=study.placement_plan(ctx))
        onboarding.prompt(ctx)
        return
    await study.start_session(ctx, reviews_only=command.name == "review")


async def _unknown(ctx: Ctx, command: Command) -> None:
    if _in_onboarding(ctx):
        await _onboarding_command(ctx, command)
        return
    ctx.say(ctx.t("unknown-command"))


#: Telegram's command menu (organisers' and mentors' commands are listed by /help).
MENU: tuple[str, ...] = ("start", "learn", "review", "progress", "settings", "certificate")
MENU += ("mydata", "forget", "leaderboard", "help")
#: Learners' commands, then those that depend on the person's roles (checked per command).
LEARNER_COMMANDS: dict[str, CommandHandler] = {
    "start": _start,
    "learn": _learn,
    "review": _learn,
    "progress": _plain(account.show_progress),
    "settings": _plain(account.show_settings),
    "certificate": _plain(account.show_certificates),
    "mydata": _plain(account.send_export),
    "forget": _plain(account.ask_forget),
    "help": _help,
    "my_mentor": staff.command(mentoring.show_my_mentors),
}
STAFF_COMMANDS: dict[str, CommandHandler] = {
    "leaderboard": staff.command(reports.show_leaderboard),
    "report": staff.command(reports.show_report),
    "dashboard": staff.command(dashboard.send_login_link),
    "broadcast": staff.command(broadcast.start),
    "mentees": staff.command(mentoring.show_mentees),
    "invite_mentor": staff.command(mentoring.invite_mentor),
    "mentor_candidates": staff.command(mentoring.show_candidates),
    "assign_mentor": staff.command(mentoring.show_pairing_mentors),
    "mentor_link": staff.command(mentoring.show_mentor_link),
}
COMMANDS = {**LEARNER_COMMANDS, **STAFF_COMMANDS}


async def command(ctx: Ctx, event: Command) -> None:
    if staff.pending(ctx) and event.name != "help":
        staff.abandon(ctx)  # a command leaves a draft, a nudge or a reply being written
    await COMMANDS.get(event.name, _unknown)(ctx, event)


# --- buttons ------------------------------------------------------------------------------------
async def _consent_again(ctx: Ctx, _action: Action) -> None:
    ctx.toast(ctx.t("consent-already"))


async def _learn_now(ctx: Ctx, _action: Action) -> None:
    await command(ctx, Command("learn"))


async def _flow(ctx: Ctx, action: Action) -> None:
    """Buttons of the current prompt: they carry its nonce, anything older is stale."""
    if action.nonce != ctx.state.get("nonce"):
        ctx.toast(ctx.t("press-stale"), alert=True)
    elif ctx.state.get("step") in onboarding.ONBOARDING_STEPS:
        await onboarding.on_press(ctx, action)
    else:
        await study.on_press(ctx, action)


PRESSES: dict[str, Route] = {
    a.CONSENT_YES: Route(_consent_again),
    a.CONSENT_NO: Route(_consent_again),
    a.LEARN: Route(_learn_now),
    **{name: Route(account.on_settings_press) for name in a.SETTINGS},
    a.FORGET: Route(account.on_forget),
    **{name: Route(_flow) for name in a.FLOW - {a.FORGET}},
    a.BROADCAST: Route(staff.press(broadcast.on_confirm)),
    a.BROADCAST_STATUS: Route(staff.press(broadcast.on_status), ID),
    a.NUDGE: Route(staff.press(mentoring.on_nudge), ID),
    a.NUDGE_SEND: Route(staff.press(mentoring.on_nudge_template), ID),
    a.NUDGE_CUSTOM: Route(staff.press(mentoring.on_nudge_custom), ID),
    a.MENTEE_REPLY: Route(staff.press(mentoring.on_reply), ID),
    a.MENTOR_INVITE: Route(staff.press(mentoring.on_invite), ID),
    a.ACCEPT_ROLE: Route(staff.press(mentoring.on_accept), TOKEN),
    a.REPORT_FILE: Route(staff.press(reports.on_report_file), ID),
    a.PAIR_MENTOR: Route(staff.press(mentoring.on_pair_mentor), ID),
    a.PAIR: Route(staff.press(mentoring.on_pair), PAIR),
    a.MUTE: Route(staff.press(mentoring.on_mute), FLAG),
    a.LEADERBOARD: Route(staff.press(reports.on_leaderboard), FLAG),
    a.MENTOR_LINK_YES: Route(staff.press(mentoring.on_link_yes), TOKEN),
    a.MENTOR_LINK_NO: Route(staff.press(mentoring.on_link_no), TOKEN),
    a.MENTOR_LEAVE: Route(staff.press(mentoring.on_leave), ID),
    a.MENTOR_CODE_NEW: Route(staff.press(mentoring.on_new_code)),
}


async def press(ctx: Ctx, event: Press) -> None:
    action = a.parse(event.data)
    route = PRESSES.get(action.name) if action is not None else None
    if action is None or route is None or not route.arg.match(action.arg):
        ctx.toast(ctx.t("press-invalid"), alert=True)
        return
    await route.handler(ctx, action)


# --- typed text ---------------------------------------------------------------------------------
TYPED_INPUT: dict[str, TypedInput] = {
    "compose": broadcast.preview,
    "nudge": mentoring.send_custom_nudge,
    "reply": mentoring.send_reply,
}


async def _pending_input(ctx: Ctx, event: Text) -> bool:
    """Text that answers a pending staff prompt; False when there is none."""
    draft = staff.pending(ctx)
    answer = TYPED_INPUT.get(str(draft.get("mode")))
    if answer is None:
        return False
    try:
        await answer(ctx, await staff.actor(ctx), draft, event.text)
    except StaffError as exc:
        if exc.key not in RETYPE:  # refused for good: the next message is ordinary chat again
            staff.set_pending(ctx)
        ctx.say(exc.message(ctx.lang))
    return True


async def text(ctx: Ctx, event: Text) -> None:
    if ctx.state.get("step") in onboarding.ONBOARDING_STEPS:
        await onboarding.on_text(ctx, event)
        return
    if staff.pending(ctx) and await _pending_input(ctx, event):
        return
    if ctx.state.get("step") == "question":
        await study.on_typed_answer(ctx, event.text)
        return
    ctx.say(ctx.t("hint-learn"))
