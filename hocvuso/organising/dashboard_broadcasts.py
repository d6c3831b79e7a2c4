"""The dashboard's broadcasts: compose → preview with the reach → confirm → progress, and the
list of the scope's recent announcements.

The rules are the chat's (:mod:`hocvuso.chat.flows.broadcast`): the text is
:func:`broadcasting.message_text` of what was typed, with the chat's limit; the reach is
:func:`hocvuso.delivery.broadcasts.audience_size` of the audience; the broadcast is queued by
:func:`broadcasting.do_broadcast` (the durable queue the scheduler's worker sends from), and its
progress is :func:`broadcasting.access_progress`. Organisers reach their units' subtrees;
admins may also choose levels and roles (the command line's ``--audience``), as
:func:`broadcasting.check_audience` allows.

A broadcast outside the person's scope, a unit outside it, and one that does not exist are one
and the same refusal (:class:`NotFound`). Page views are audited as ``dashboard.view``
(``page=broadcasts``); the broadcast itself by :func:`broadcasting.do_broadcast`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import col
from sqlmodel import select as orm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.schema import ROLES
from hocvuso.delivery import broadcasts
from hocvuso.i18n import Markup, plain
from hocvuso.organising import audit, broadcasting, units
from hocvuso.organising.dashboard import ABSOLUTE, Signed, unit_in_scope
from hocvuso.organising.errors import Forbidden, Invalid, NotFound
from hocvuso.organising.permissions import Action, Actor, check_role, covers
from hocvuso.storage import tables
from hocvuso.storage.organising import DashboardSession, Unit
from hocvuso.storage.scheduling import Broadcast, BroadcastKind, DeliveryState

#: The longest announcement, as sent: the chat's limit (one implementation of the rule).
TEXT_LIMIT = broadcasting.CHAT_TEXT_LIMIT
#: The levels an admin may choose (the content packs' levels are 1-4).
LEVELS = (1, 2, 3, 4)
#: The audience roles an admin may choose.
AUDIENCE_ROLES = ROLES
#: The list shows this many recent announcements.
LISTED = 50
#: An organiser's list looks at this many recent announcements to find those of their scope.
SCANNED = 1_000
WAITING = (DeliveryState.PENDING, DeliveryState.CLAIMED, DeliveryState.SENDING)
_REQUEST = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PAGE = "broadcasts"

D = tables.DELIVERY


@dataclass(frozen=True)
class Choice:
    """A unit in the compose form's list (``code`` "" is the whole system: admins)."""

    code: str
    name: str
    depth: int


@dataclass(frozen=True)
class Compose:
    """What the compose form offers this person."""

    units: tuple[Choice, ...]
    #: Levels and roles may be chosen (admins: the command line's audience options).
    filters: bool
    levels: tuple[int, ...] = LEVELS
    roles: tuple[str, ...] = AUDIENCE_ROLES


@dataclass(frozen=True)
class Draft:
    """What was typed and chosen in the form, exactly (kept through every step)."""

    unit: str = ""
    text: str = ""
    levels: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    learn_button: bool = True


class DraftError(Invalid):
    """A draft that cannot be sent as it is; the form is shown again with it."""

    def __init__(self, key: str, /, field: str, **variables: Any) -> None:
        super().__init__(key, **variables)
        self.field = field


@dataclass(frozen=True)
class Preview:
    draft: Draft
    unit: Unit | None
    audience: dict[str, list[Any]]
    #: The text as it is sent (Telegram HTML) and as learners read it.
    message: Markup
    reach: int

    @property
    def shown(self) -> str:
        return plain(self.message)


@dataclass(frozen=True)
class Progress:
    id: int
    created_at: datetime
    #: The audience's unit (None: the whole system or no unit).
    unit: Unit | None
    excerpt: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        return self.counts.get(DeliveryState.SENT, 0)

    @property
    def waiting(self) -> int:
        return sum(self.counts.get(s, 0) for s in WAITING)

    @property
    def failed(self) -> int:
        """Blocked, skipped, dead or unknown: final, and not known to have arrived."""
        return self.total - self.sent - self.waiting

    @property
    def done(self) -> bool:
        return self.waiting == 0

    @property
    def percent(self) -> int:
        """How much of it is final (sent or failed), rounded down (100 only when done)."""
        return 100 if not self.total else (self.total - self.waiting) * 100 // self.total


# --- compose, preview, confirm --------------------------------------------------------------
async def access_compose(session: AsyncSession, actor: Actor, now: datetime) -> Compose:
    """The units this person may broadcast to (their subtrees; admins: the whole system
    first); audited as a view."""
    check_role(actor, Action.BROADCAST)
    choices: list[Choice] = []
    if actor.is_admin:
        choices.append(Choice("", "", 0))
    seen: set[str] = set()
    for scope in actor.scopes(Action.BROADCAST):
        tops = await units.listing(session, scope)
        # A path is "/1/5/": the scope's own unit is at depth 0 (admins: the system is).
        base = scope.path.count("/") if scope is not None else 1
        for unit in tops:
            if unit.code not in seen:
                seen.add(unit.code)
                depth = unit.path.count("/") - base
                choices.append(Choice(unit.code, unit.name, depth))
    await _audit_view(session, actor, None, now, step="new")
    return Compose(tuple(choices), filters=actor.is_admin)


async def access_preview(
    session: AsyncSession, actor: Actor, draft: Draft, now: datetime, *, consent: str
) -> Preview:
    """The draft as it will be sent and how many learners it reaches (the chat's count);
    :class:`DraftError` for a text or an option that cannot be sent; audited as a view."""
    preview = await _checked(session, actor, draft, consent)
    await _audit_view(session, actor, preview.unit, now, step="preview", reach=preview.reach)
    return preview


async def do_confirm(
    session: AsyncSession,
    signed: Signed,
    draft: Draft,
    request: str,
    now: datetime,
    *,
    consent: str,
    language: str,
) -> int:
    """Queue the previewed draft (:func:`broadcasting.do_broadcast`, audited there) and return
    its id. ``request`` is the preview's one-time key: the same preview confirmed twice (a
    double click, a reload) queues one broadcast, and the second answer is its id too."""
    if not _REQUEST.match(request):
        raise DraftError("dash-bc-stale", field="nonce")
    # One confirmation of this session at a time: the session's row is written first (a
    # touch), which holds PostgreSQL's row lock and SQLite's write lock until the transaction
    # ends, so a second confirmation waits and then finds the first one's audit entry.
    connection = await session.connection()
    await connection.execute(
        update(DashboardSession)
        .where(col(DashboardSession.id_hash) == signed.key)
        .values(last_seen_at=now)
    )
    made = await broadcasting.sent_for(session, signed.actor, request, now - ABSOLUTE)
    if made is not None:
        return made
    preview = await _checked(session, signed.actor, draft, consent)
    created = await broadcasting.do_broadcast(
        session,
        signed.actor,
        preview.message,
        preview.audience,
        now,
        consent=consent,
        language=language,
        learn_button=draft.learn_button,
        request=request,
    )
    return created.broadcast_id


async def _checked(session: AsyncSession, actor: Actor, draft: Draft, consent: str) -> Preview:
    unit = await unit_in_scope(session, actor, draft.unit, Action.BROADCAST)
    text = draft.text.strip()
    message = broadcasting.message_text(text)
    if not text:
        raise DraftError("dash-bc-empty", field="text")
    if len(message) > TEXT_LIMIT:
        raise DraftError("dash-bc-too-long", field="text", limit=TEXT_LIMIT, length=len(message))
    levels = _levels(draft.levels)
    roles = list(dict.fromkeys(draft.roles))
    if any(role not in AUDIENCE_ROLES for role in roles):
        raise DraftError("dash-bc-bad-option", field="roles")
    audience = {**broadcasting.tree_audience(unit), "levels": levels, "roles": roles}
    audience = {key: value for key, value in audience.items() if value}
    await broadcasting.check_audience(session, actor, audience)
    connection = await session.connection()
    reach = await broadcasts.audience_size(connection, audience, consent=consent)
    return Preview(draft, unit, audience, message, reach)


def _levels(chosen: Sequence[str]) -> list[int]:
    levels: list[int] = []
    for value in chosen:
        if not value.isdigit() or int(value) not in LEVELS:
            raise DraftError("dash-bc-bad-option", field="levels")
        if int(value) not in levels:
            levels.append(int(value))
    return sorted(levels)


# --- progress and the list ------------------------------------------------------------------
async def access_broadcast(
    session: AsyncSession, actor: Actor, broadcast_id: int, now: datetime, *, poll: bool = False
) -> Progress:
    """One broadcast's progress (:func:`broadcasting.access_progress`). Audited as a page view;
    ``poll`` (the page refreshing its figures every few seconds) is the same view going on
    and is not audited again."""
    check_role(actor, Action.BROADCAST)
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.kind != BroadcastKind.ANNOUNCEMENT:
        raise NotFound("dash-bc-unknown")
    try:
        counts = await broadcasting.access_progress(
            session, actor, broadcast_id, now, audited=False
        )
    except Forbidden:
        raise NotFound("dash-bc-unknown") from None
    unit = (await _units_of(session, [broadcast])).get(broadcast_id)
    if not poll:
        await _audit_view(session, actor, unit, now, broadcast=broadcast_id)
    return _progress(broadcast, unit, counts)


async def access_list(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    *,
    limit: int = LISTED,
    export: str | None = None,
) -> list[Progress]:
    """The recent announcements of the person's scope (admins: all), newest first, with their
    progress; the same rule as :func:`broadcasting.access_progress` decides what is shown.
    Audited as a view, or with ``export`` (csv | xlsx) as a download."""
    check_role(actor, Action.BROADCAST)
    query = (
        orm_select(Broadcast)
        .where(Broadcast.kind == BroadcastKind.ANNOUNCEMENT)
        .order_by(col(Broadcast.id).desc())
        .limit(limit if actor.is_admin else SCANNED)
    )
    found = list((await session.exec(query)).all())
    paths = await units.of_codes(
        session, sorted({c for b in found for c in b.audience.get("trees") or []})
    )

    def visible(broadcast: Broadcast) -> bool:
        trees = broadcast.audience.get("trees") or []
        if not trees:
            return actor.is_admin
        return all(
            code in paths and covers(actor, Action.BROADCAST, paths[code].path) for code in trees
        )

    shown = [b for b in found if visible(b)][:limit]
    counts = await _counts(session, [b.id for b in shown if b.id is not None])
    unit_of = await _units_of(session, shown)
    if export:
        await audit.record_by(
            session, actor, audit.DASHBOARD_EXPORT, None, now, page=PAGE, format=export
        )
    else:
        await _audit_view(session, actor, None, now, step="list", count=len(shown))
    return [_progress(b, unit_of.get(b.id or 0), counts.get(b.id or 0, {})) for b in shown]


async def _counts(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, int]]:
    if not ids:
        return {}
    connection = await session.connection()
    rows = await connection.execute(
        select(D.c.broadcast_id, D.c.state, func.count())
        .where(D.c.broadcast_id.in_(ids))
        .group_by(D.c.broadcast_id, D.c.state)
    )
    counts: dict[int, dict[str, int]] = {}
    for broadcast_id, state, count in rows.all():
        counts.setdefault(int(broadcast_id), {})[str(state)] = int(count)
    return counts


async def _units_of(session: AsyncSession, found: Sequence[Broadcast]) -> dict[int, Unit]:
    """Each broadcast's first audience unit."""
    firsts = {b.id: (b.audience.get("trees") or [None])[0] for b in found if b.id is not None}
    known = await units.of_codes(session, sorted({c for c in firsts.values() if c}))
    return {i: known[c] for i, c in firsts.items() if i is not None and c in known}


def _progress(broadcast: Broadcast, unit: Unit | None, counts: dict[str, int]) -> Progress:
    text = plain(Markup(broadcast.text))
    excerpt = text if len(text) <= 80 else text[:79].rstrip() + "…"
    assert broadcast.id is not None
    return Progress(broadcast.id, broadcast.created_at, unit, excerpt, counts)


async def _audit_view(
    session: AsyncSession, actor: Actor, unit: Unit | None, now: datetime, **details: Any
) -> None:
    await audit.record_by(
        session, actor, audit.DASHBOARD_VIEW, unit.id if unit else None, now, page=PAGE, **details
    )


__all__ = [
    "LEVELS",
    "TEXT_LIMIT",
    "Choice",
    "Compose",
    "Draft",
    "DraftError",
    "Preview",
    "Progress",
    "access_broadcast",
    "access_compose",
    "access_list",
    "access_preview",
    "do_confirm",
]
