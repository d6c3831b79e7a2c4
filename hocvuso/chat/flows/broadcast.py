"""``/broadcast``: compose → preview with the reach → confirm → progress, in the chat.

The checks, the queueing and the audit are :mod:`hocvuso.organising.broadcasting`'s, the same
as for the command line; this module keeps the draft in ``state["staff"]`` and renders.
"""

from __future__ import annotations

from typing import Any

from hocvuso.chat.context import Ctx, new_nonce
from hocvuso.chat.flows import staff
from hocvuso.delivery import broadcasts
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action, Button
from hocvuso.organising import broadcasting
from hocvuso.organising import permissions as perm
from hocvuso.storage.scheduling import DeliveryState

#: The longest announcement, as it is sent (see :func:`broadcasting.message_text`).
TEXT_LIMIT = broadcasting.CHAT_TEXT_LIMIT


def _refresh(ctx: Ctx, broadcast_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((a.button(ctx.t("broadcast-refresh"), a.BROADCAST_STATUS, "", str(broadcast_id)),),)


async def start(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    unit = await perm.access_unit(ctx.session, actor, perm.Action.BROADCAST, code or None)
    staff.set_pending(ctx, mode="compose", unit=unit.id if unit else None, nonce=new_nonce())
    name = unit.name if unit else ctx.t("report-all-units")
    ctx.say(ctx.t("broadcast-compose", unit=name))


async def preview(ctx: Ctx, actor: perm.Actor, draft: dict[str, Any], text: str) -> None:
    """The typed text: show it exactly as it will be sent, with how many people it will reach,
    and ask to confirm; a text too long to send is refused here, before any confirmation."""
    text = text.strip()
    message = broadcasting.message_text(text)
    if not 1 <= len(message) <= TEXT_LIMIT:
        ctx.say(ctx.t("broadcast-too-long", limit=TEXT_LIMIT, length=len(message)))
        return
    unit = await broadcasting.access_scope(ctx.session, actor, draft.get("unit"))
    connection = await ctx.session.connection()
    count = await broadcasts.audience_size(
        connection, broadcasting.tree_audience(unit), consent=ctx.settings.consent_version
    )
    nonce = new_nonce()
    staff.set_pending(ctx, mode="compose", unit=draft.get("unit"), nonce=nonce, text=text)
    ctx.say(
        ctx.t(
            "broadcast-preview",
            unit=unit.name if unit else ctx.t("report-all-units"),
            count=count,
            text=message,
        ),
        buttons=(
            (
                a.button(ctx.t("broadcast-send"), a.BROADCAST, nonce, "send"),
                a.button(ctx.t("broadcast-cancel"), a.BROADCAST, nonce, "cancel"),
            ),
        ),
    )


async def on_confirm(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    draft = staff.pending(ctx)
    if draft.get("mode") != "compose" or action.nonce != draft.get("nonce"):
        ctx.toast(ctx.t("press-stale"), alert=True)
        return
    if action.arg == "cancel" or not draft.get("text"):
        staff.set_pending(ctx)
        ctx.say(ctx.t("broadcast-cancelled"), edit=True)
        return
    unit = await broadcasting.access_scope(ctx.session, actor, draft.get("unit"))
    created = await broadcasting.do_broadcast(
        ctx.session,
        actor,
        broadcasting.message_text(draft["text"]),
        broadcasting.tree_audience(unit),
        ctx.now,
        consent=ctx.settings.consent_version,
        language=ctx.lang,
    )
    staff.set_pending(ctx)
    ctx.say(
        ctx.t("broadcast-queued", count=created.queued),
        edit=True,
        buttons=_refresh(ctx, created.broadcast_id),
    )


async def on_status(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    """The refresh button: the broadcast's delivery counts now."""
    broadcast_id = int(action.arg)
    counts = await broadcasting.access_progress(ctx.session, actor, broadcast_id, ctx.now)
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
        buttons=_refresh(ctx, broadcast_id),
    )
