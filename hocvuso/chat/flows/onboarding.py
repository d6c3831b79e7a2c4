"""Onboarding: consent (Law on Personal Data Protection 2025), language, role, unit, placement."""

from __future__ import annotations

import re

from sqlmodel import select

from hocvuso.chat.context import Ctx, new_nonce
from hocvuso.chat.events import Command, Event, Press, Text
from hocvuso.chat.flows import staff, study
from hocvuso.chat.replies import rows
from hocvuso.content.schema import ROLES
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.i18n import clean_name
from hocvuso.organising import invites, units
from hocvuso.storage.models import ConsentRefusal, Learner, LearnerStatus
from hocvuso.storage.organising import Unit

UNIT_CODE = re.compile(r"^[A-Za-z0-9_.\-]{2,32}$")
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_\-]{1,60}$")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
ONBOARDING_STEPS = {"language", "role", "unit", "placement_intro"}


# --- before consent: nothing is stored about the person ------------------------------------
def show_consent(ctx: Ctx, payload: str = "") -> None:
    payload = payload if START_PAYLOAD.match(payload) else ""
    ctx.say(
        ctx.t("consent-text", version=ctx.settings.consent_version),
        buttons=(
            (a.button(ctx.t("consent-agree"), a.CONSENT_YES, "", payload),),
            (a.button(ctx.t("consent-decline"), a.CONSENT_NO),),
        ),
    )


async def before_consent(ctx: Ctx, event: Event) -> None:
    if isinstance(event, Press):
        action = a.parse(event.data)
        if action and action.name == a.CONSENT_YES:
            await agree(ctx, action.arg)
            return
        if action and action.name == a.CONSENT_NO:
            ctx.session.add(
                ConsentRefusal(
                    platform=ctx.person.platform,
                    consent_version=ctx.settings.consent_version,
                    refused_at=ctx.now,
                )
            )
            ctx.say(ctx.t("consent-declined"), edit=True)
            return
        ctx.toast(ctx.t("consent-first"), alert=True)
    payload = event.args if isinstance(event, Command) and event.name == "start" else ""
    show_consent(ctx, payload)


async def renew_consent(ctx: Ctx, event: Event) -> bool:
    """The terms changed since the learner agreed: True when the event may go ahead.

    /mydata and /forget always go ahead (the person's rights do not wait for consent); the
    buttons of the updated terms renew or decline it; anything else shows the updated terms.
    """
    learner = ctx.learner
    assert learner is not None
    if isinstance(event, Command) and event.name in {"mydata", "forget", "help"}:
        return True
    action = a.parse(event.data) if isinstance(event, Press) else None
    if action is not None and action.name == a.FORGET:
        return True
    if action is not None and action.name == a.CONSENT_YES:
        learner.consent_version = ctx.settings.consent_version
        learner.consent_at = ctx.now
        ctx.say(ctx.t("consent-renewed"), edit=True)
        if ctx.state.get("step") in ONBOARDING_STEPS or not ctx.state:
            if not ctx.state:
                ctx.reset_state("language")
            prompt(ctx)
        elif not await study.resume(ctx):
            ctx.say(ctx.t("hint-learn"))
        return False
    if action is not None and action.name == a.CONSENT_NO:
        ctx.say(ctx.t("consent-renew-declined"), edit=True)
        return False
    ctx.say(ctx.t("consent-updated"))
    show_consent(ctx)
    return False


async def agree(ctx: Ctx, payload: str) -> None:
    learner = Learner(
        platform=ctx.person.platform,
        bot_id=ctx.person.bot_id,
        chat_id=ctx.person.chat_id,
        display_name=clean_name(ctx.person.display_name, 128) or None,
        language=ctx.lang,
        timezone=ctx.settings.timezone,
        reminder_hour=ctx.settings.reminder_hour,
        consent_at=ctx.now,
        consent_version=ctx.settings.consent_version,
        status=LearnerStatus.ACTIVE,
        created_at=ctx.now,
    )
    ctx.session.add(learner)
    await ctx.session.flush()
    ctx.learner = learner
    ctx.say(ctx.t("consent-thanks"), edit=True)
    ctx.reset_state("language")
    if payload:
        await apply_payload(ctx, payload, onboarding=True)
    prompt(ctx)


# --- joining a unit, or accepting an invitation, by deep link or typed code --------------------
async def apply_payload(ctx: Ctx, payload: str, *, onboarding: bool) -> None:
    """``/start <payload>``: a role invitation, a mentor's link, or a unit invite code.

    During onboarding an unknown unit code is not mentioned (the unit question comes next);
    afterwards it is, and a known code of another unit moves the learner there.
    """
    learner = ctx.learner
    assert learner is not None
    if not START_PAYLOAD.match(payload):
        return
    kind, value = invites.payload_kind(payload)
    if kind != "unit":
        await staff.on_start_payload(ctx, kind, value)
        return
    unit = await units.by_invite(ctx.session, value)
    if unit is None:
        if not onboarding:
            ctx.say(ctx.t("unit-unknown-link"))
    elif learner.unit_code == unit.code:
        if not onboarding:
            ctx.say(ctx.t("unit-already", unit=unit.name))
    elif learner.unit_code:
        learner.unit_code = unit.code
        ctx.say(ctx.t("unit-moved", unit=unit.name, code=unit.code))
    else:
        join_unit(ctx, unit)


def join_unit(ctx: Ctx, unit: Unit, *, announce: bool = True) -> None:
    assert ctx.learner is not None
    ctx.learner.unit_code = unit.code
    if announce:
        ctx.say(ctx.t("unit-joined", unit=unit.name, code=unit.code))


# --- after consent ---------------------------------------------------------------------------
def prompt(ctx: Ctx) -> None:
    """Show the onboarding step the learner is at."""
    step = ctx.state.get("step")
    nonce = ctx.state["nonce"]
    if step == "language":
        ctx.say(
            ctx.t("choose-language"),
            buttons=(
                tuple(
                    a.button(name, a.LANGUAGE, nonce, code) for code, name in LANGUAGE_NAMES.items()
                ),
            ),
        )
    elif step == "role":
        ctx.say(
            ctx.t("choose-role"),
            buttons=rows([a.button(ctx.t(f"role-{r}"), a.ROLE, nonce, r) for r in ROLES], 1),
        )
    elif step == "unit":
        ctx.say(
            ctx.t("ask-unit"),
            buttons=((a.button(ctx.t("unit-skip"), a.UNIT_SKIP, nonce, "skip"),),),
        )
    elif step == "placement_intro":
        ctx.say(
            ctx.t("placement-intro", count=len(ctx.state.get("placement_plan", []))),
            buttons=rows(
                [
                    a.button(ctx.t("placement-start"), a.PLACEMENT, nonce, "go"),
                    a.button(ctx.t("placement-skip"), a.PLACEMENT, nonce, "skip"),
                ],
                1,
            ),
        )


async def on_press(ctx: Ctx, action: Action) -> None:
    learner = ctx.learner
    assert learner is not None
    step = ctx.state.get("step")
    if action.name == a.LANGUAGE and step == "language" and action.arg in LANGUAGE_NAMES:
        learner.language = action.arg
        ctx.say(ctx.t("language-set", language=LANGUAGE_NAMES[action.arg]), edit=True)
        _advance(ctx, "role")
    elif action.name == a.ROLE and step == "role" and action.arg in ROLES:
        learner.role = action.arg
        ctx.say(ctx.t("role-set", role=ctx.t(f"role-{action.arg}")), edit=True)
        _advance(ctx, "placement_intro" if learner.unit_code else "unit")
    elif action.name == a.UNIT_SKIP and step == "unit":
        ctx.say(ctx.t("unit-skipped"), edit=True)
        _advance(ctx, "placement_intro")
    elif action.name == a.PLACEMENT and step == "placement_intro" and action.arg in {"go", "skip"}:
        if action.arg == "go":
            ctx.say(ctx.t("placement-started"), edit=True)
            await study.start_placement(ctx)
        else:
            learner.placement_done = True
            ctx.say(ctx.t("placement-skipped"), edit=True)
            await study.start_session(ctx)
    else:
        ctx.toast(ctx.t("press-invalid"), alert=True)


def _advance(ctx: Ctx, step: str) -> None:
    plan: list[str] = []
    if step == "placement_intro":
        learner = ctx.learner
        assert learner is not None
        plan = study.placement_plan(ctx)
        if not plan:  # nothing to place against: start learning
            learner.placement_done = True
    ctx.learner.state = {"step": step, "nonce": new_nonce(), "placement_plan": plan}  # type: ignore[union-attr]
    prompt(ctx)


async def on_text(ctx: Ctx, event: Text) -> None:
    if ctx.state.get("step") == "unit":
        code = event.text.strip()
        if not UNIT_CODE.match(code):
            ctx.say(ctx.t("unit-invalid"))
            return
        unit = await units.by_invite(ctx.session, code)
        if unit is None:
            ctx.say(ctx.t("unit-unknown"))
            return
        join_unit(ctx, unit)
        _advance(ctx, "placement_intro")
        return
    ctx.say(ctx.t("use-buttons"))
    prompt(ctx)


async def refusals(ctx: Ctx) -> int:
    result = await ctx.session.exec(select(ConsentRefusal))
    return len(result.all())
