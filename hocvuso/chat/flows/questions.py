"""Showing questions (options in a fresh random order, lettered buttons), reading a typed
answer, the "continue or stop" prompt, and a certificate: shared by the study loop and the exam."""

from __future__ import annotations

from typing import Any

from hocvuso.chat.context import Ctx
from hocvuso.chat.replies import rows
from hocvuso.credentials.issuer import issuer_from
from hocvuso.delivery import payloads as a
from hocvuso.i18n import Markup, escape
from hocvuso.storage.models import Certificate

LETTERS = "ABCDEFGHIJKL"


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


def idle(ctx: Ctx) -> None:
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


def typed_choice(text: str, count: int) -> int | None:
    value = text.strip().rstrip(".)").upper()
    if len(value) == 1 and value in LETTERS[:count]:
        return LETTERS.index(value)
    # isdecimal, not isdigit: "²" is a digit that int() refuses; and a short number only
    # (int() refuses over 4,300 digits)
    if value.isdecimal() and len(value) <= 3 and 1 <= int(value) <= count:
        return int(value) - 1
    return None


def render_certificate(ctx: Ctx, certificate: Certificate) -> str:
    learner = ctx.learner
    assert learner is not None
    if certificate.revoked_at is not None:
        return ctx.t("certificate-revoked-note", code=certificate.id)
    return ctx.t(
        "certificate",
        level=ctx.pack.level_title(certificate.level, ctx.lang),
        number=certificate.level,
        code=certificate.id,
        name=learner.display_name or "—",
        date=ctx.fmt_date(certificate.issued_at),
        score=certificate.score,
        total=certificate.total,
        url=issuer_from(ctx.settings).verify_url(certificate.id),
    )
