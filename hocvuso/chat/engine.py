"""The learning engine: one entry point for every event from every transport.

``Engine.handle`` applies an event in one database transaction together with the record that
the update was processed and the replies it produced. A redelivered update is recognised: it is
not applied again, and if its replies were never confirmed as delivered they are returned again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat import routing
from hocvuso.chat.context import Ctx
from hocvuso.chat.events import Command, Event, Person, Press
from hocvuso.chat.flows import account, onboarding, reports
from hocvuso.chat.flows import certificate as certificate_flow
from hocvuso.chat.replies import Later, Outcome, Reply
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing, load_keyring
from hocvuso.organising.errors import StaffError
from hocvuso.organising.permissions import load_actor
from hocvuso.storage.models import Learner, LearnerStatus
from hocvuso.storage.tables import PROCESSED_UPDATE
from hocvuso.storage.types import utcnow

log = logging.getLogger(__name__)
#: How long an update waits for the database to come back (a server restart, a fail-over)
#: before the person is told to try again: one attempt after each pause.
RECONNECT_PAUSES = (0.25, 0.5, 1.0, 2.0, 2.0)
UpdateKey = tuple[int, int]  # (bot id, update id)
#: The commands of Telegram's command menu (organisers' and mentors' are listed in /help).
COMMANDS = routing.MENU

# The statements of every update, built once (building one costs more than running it).
_PROCESSED = PROCESSED_UPDATE
_THIS_UPDATE = (
    _PROCESSED.c.bot_id == bindparam("bot"),
    _PROCESSED.c.update_id == bindparam("update"),
)
_SEEN = select(
    _PROCESSED.c.learner_id,
    _PROCESSED.c.chat_id,
    _PROCESSED.c.replies,
    _PROCESSED.c.delivered_at,
).where(*_THIS_UPDATE)
_FORGET_STALE = delete(_PROCESSED).where(*_THIS_UPDATE)
_RECORD = insert(_PROCESSED)
_DELIVERED = (
    update(_PROCESSED)
    .where(
        _PROCESSED.c.bot_id == bindparam("bot"),
        _PROCESSED.c.update_id.in_(bindparam("ids", expanding=True)),
    )
    .values(delivered_at=bindparam("at"), replies=[])
)
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
_LEARNER = select(Learner).where(
    col(Learner.platform) == bindparam("platform"),
    col(Learner.bot_id) == bindparam("bot"),
    col(Learner.chat_id) == bindparam("chat"),
)
# FOR NO KEY UPDATE: serialises this person's updates, yet lets another person's transaction
# reference the row (a nudge, a reply, a notice queued for them takes a KEY SHARE lock through
# its foreign key; FOR UPDATE would deadlock with it).
_LEARNER_LOCKED = _LEARNER.with_for_update(key_share=True)
# The learner and whether this update was processed before, in one round trip (the common case:
# a known person). The update's row is joined on its key alone: it may be another chat's (a
# reused id), which ``_handle`` tells apart as before. No learner: no row, and ``_SEEN`` asks.
_LEARNER_SEEN = (
    select(  # type: ignore[call-overload]  # sqlmodel types up to four columns; any work
        Learner,
        _PROCESSED.c.update_id,
        _PROCESSED.c.learner_id,
        _PROCESSED.c.chat_id,
        _PROCESSED.c.replies,
        _PROCESSED.c.delivered_at,
    )
    .outerjoin(
        _PROCESSED,
        (_PROCESSED.c.bot_id == bindparam("ubot"))
        & (_PROCESSED.c.update_id == bindparam("update")),
    )
    .where(
        col(Learner.platform) == bindparam("platform"),
        col(Learner.bot_id) == bindparam("bot"),
        col(Learner.chat_id) == bindparam("chat"),
    )
)
_LEARNER_SEEN_LOCKED = _LEARNER_SEEN.with_for_update(key_share=True, of=Learner)


class KeyedLocks:
    """One asyncio lock per key, forgetting idle ones (bounded memory)."""

    def __init__(self, limit: int = 10_000) -> None:
        self._locks: OrderedDict[object, asyncio.Lock] = OrderedDict()
        self._limit = limit

    @asynccontextmanager
    async def hold(self, key: object) -> AsyncIterator[None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._locks.move_to_end(key)
        async with lock:
            yield
        while len(self._locks) > self._limit:
            oldest, old_lock = next(iter(self._locks.items()))
            if old_lock.locked():
                break
            del self._locks[oldest]


class Engine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        pack: Pack,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        ring: KeyRing | None = None,
    ) -> None:
        self.sessions = sessions
        self._ring = ring
        self.pack = pack
        self.settings = settings
        self.clock = clock
        self.rng = rng or random.SystemRandom()
        # SQLite has one writer: serialise all work. PostgreSQL: one learner at a time here,
        # and a row lock on the learner across processes.
        self._single_writer = settings.is_sqlite
        self._global = asyncio.Lock()
        self._locks = KeyedLocks()
        self._delivered: list[tuple[UpdateKey, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    def keyring(self) -> KeyRing:
        """The signing keys: given at start, else read once when a certificate is first signed."""
        if self._ring is None:
            self._ring = load_keyring(self.settings)
        return self._ring

    @asynccontextmanager
    async def _serial(self, person: Person) -> AsyncIterator[None]:
        if self._single_writer:
            async with self._global:
                yield
        else:
            async with self._locks.hold((person.platform, person.bot_id, person.chat_id)):
                yield

    async def handle(
        self, person: Person, event: Event, update_key: UpdateKey | None = None
    ) -> Outcome:
        async with self._serial(person):
            try:
                outcome = await self._applied(person, event, update_key)
            except IntegrityError:
                # Another process applied the same update (or created the same learner) first.
                log.info("concurrent duplicate of update %s", update_key)
                return Outcome(duplicate=True)
        return self._with_makers(outcome)

    def _with_makers(self, outcome: Outcome) -> Outcome:
        """Documents recorded in the (now committed) transaction are made when sent."""
        for i, reply in enumerate(outcome.replies):
            if reply.later is not None and reply.later.make is None:
                if outcome.learner_id is None:
                    continue  # nobody to make it for: :func:`ready` sends its fallback
                make = partial(self._make_later, outcome.learner_id, reply.later)
                outcome.replies[i] = replace(reply, later=replace(reply.later, make=make))
        return outcome

    async def _make_later(self, learner_id: int, later: Later) -> Reply | None:
        """Make a :class:`Later` document at send time, in a read-only session of its own: no
        learner row is locked and no other update waits for it."""
        try:
            async with self.sessions() as session:
                learner = await session.get(Learner, learner_id)
                if learner is None or learner.chat_id is None:
                    return None  # erased meanwhile
                ctx = self._ctx_for(session, learner)
                if later.kind.startswith(certificate_flow.KIND):
                    await certificate_flow.make_pdf(ctx, later.kind)
                return ctx.outcome.replies[-1] if ctx.outcome.replies else None
        except Exception:
            log.exception("a document could not be made when its reply was sent")
            return Reply(later.fallback)

    async def _applied(self, person: Person, event: Event, update_key: UpdateKey | None) -> Outcome:
        """Apply the update; while the database is unreachable, apply it again after a pause.

        Safe to repeat: a transaction that broke was rolled back, and one whose commit was
        sent before the connection broke is recognised by its ``processed_update`` row (and
        replayed). Without an update key nothing recognises it: it is applied again at most once.
        """
        pauses = RECONNECT_PAUSES if update_key is not None else (0.0,)
        for pause in (*pauses, None):
            try:
                return await self._handle(person, event, update_key)
            except (DBAPIError, OSError) as exc:
                if pause is None or not _connection_lost(exc):
                    raise
                log.warning("update %s: the database is unreachable; trying again", update_key)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _handle(self, person: Person, event: Event, update_key: UpdateKey | None) -> Outcome:
        async with self.sessions() as session, session.begin():
            if update_key is None:
                learner = await self._find_learner(session, person)
            else:
                key = {"bot": update_key[0], "update": update_key[1]}
                learner, seen = await self._find_learner_and_seen(session, person, key)
                if seen is not None:
                    learner_id, chat_id, replies, delivered_at = seen
                    if chat_id == person.chat_id:
                        return await self._replay(session, learner_id, replies, delivered_at)
                    # The id came back from another chat (Telegram starts update ids again
                    # after a week without updates): the row is someone else's and stale. Its
                    # replies never go to this chat; this update is new.
                    log.info("update %s: id reused by another chat; applying it", update_key)
                    await session.exec(_FORGET_STALE, params=key)
            ctx = Ctx(
                session=session,
                pack=self.pack,
                settings=self.settings,
                person=person,
                now=self.clock(),
                rng=self.rng,
                learner=learner,
                keys=self.keyring,
            )
            await self._dispatch(ctx, event)
            if ctx.learner is not None and ctx.learner.status != LearnerStatus.ERASED:
                ctx.learner.last_active_at = ctx.now
                ctx.outcome.learner_id = ctx.learner.id
            if update_key is not None:
                # Recorded with the update's effects, in the same commit; a second process that
                # applied the same update meanwhile fails here (primary key) and rolls back.
                await session.exec(
                    _RECORD,
                    params={
                        "bot_id": update_key[0],
                        "update_id": update_key[1],
                        "learner_id": ctx.outcome.learner_id,
                        "chat_id": person.chat_id,
                        "replies": [reply.to_json() for reply in ctx.outcome.replies],
                        "processed_at": ctx.now,
                        "delivered_at": None,
                    },
                )
            return ctx.outcome

    async def _find_learner(self, session: AsyncSession, person: Person) -> Learner | None:
        query = _LEARNER if self._single_writer else _LEARNER_LOCKED
        result = await session.exec(
            query,
            params={"platform": person.platform, "bot": person.bot_id, "chat": person.chat_id},
        )
        return result.first()

    async def _find_learner_and_seen(
        self, session: AsyncSession, person: Person, key: dict[str, int]
    ) -> tuple[Learner | None, tuple[Any, ...] | None]:
        """The person's learner (locked, on PostgreSQL) and the update's ``processed_update``
        columns if it was processed before: one statement for a known person, two for a
        newcomer."""
        query = _LEARNER_SEEN if self._single_writer else _LEARNER_SEEN_LOCKED
        params = {
            "platform": person.platform,
            "bot": person.bot_id,
            "chat": person.chat_id,
            "ubot": key["bot"],
            "update": key["update"],
        }
        row = (await session.exec(query, params=params)).first()
        if row is not None:
            learner, update_id, *seen = row
            return learner, (tuple(seen) if update_id is not None else None)
        seen_row = (await session.exec(_SEEN, params=key)).first()
        return None, (tuple(seen_row) if seen_row is not None else None)

    async def _replay(
        self,
        session: AsyncSession,
        learner_id: int | None,
        replies: list[dict[str, Any]],
        delivered_at: datetime | None,
    ) -> Outcome:
        outcome = Outcome(duplicate=True, learner_id=learner_id)
        if delivered_at is not None:
            return outcome
        for data in replies:
            reply = Reply.from_json(data)
            kind = data.get("document_kind") or ""
            if kind and reply.later is None and learner_id is not None:
                rebuilt = await self._rebuild_document(session, learner_id, kind)
                reply = rebuilt or reply
            outcome.replies.append(reply)
        return outcome

    async def _rebuild_document(
        self, session: AsyncSession, learner_id: int, kind: str
    ) -> Reply | None:
        """A document's bytes are never stored: a replayed reply makes it again."""
        learner = await session.get(Learner, learner_id)
        if learner is None or learner.chat_id is None:
            return None
        ctx = self._ctx_for(session, learner)
        if kind == "mydata":
            await account.send_export(ctx)
        elif kind.startswith(certificate_flow.KIND):
            await certificate_flow.resend(ctx, kind)
        elif kind.startswith("report:") and kind.removeprefix("report:").isdigit():
            try:
                actor = await load_actor(session, learner_id)
                await reports.send_report_file(ctx, actor, int(kind.removeprefix("report:")))
            except StaffError:
                return None  # the right to it was revoked meanwhile: nothing is sent again
        return ctx.outcome.replies[-1] if ctx.outcome.replies else None

    def _ctx_for(self, session: AsyncSession, learner: Learner) -> Ctx:
        assert learner.chat_id is not None
        return Ctx(
            session,
            self.pack,
            self.settings,
            Person(learner.platform, learner.chat_id, bot_id=learner.bot_id),
            self.clock(),
            self.rng,
            learner,
            keys=self.keyring,
        )

    async def mark_delivered(self, update_key: UpdateKey) -> None:
        """Record that an update's replies reached the person (they are not kept any longer).

        Group-committed: the keys that arrive while one statement runs go together in the next,
        so a busy bot spends one transaction on many updates; each caller still returns only
        once its own key is recorded.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._delivered.append((update_key, done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._mark_pending())
        await done

    async def _mark_pending(self) -> None:
        while self._delivered:
            batch, self._delivered = self._delivered, []
            try:
                by_bot: dict[int, list[int]] = {}
                for (bot_id, update_id), _ in batch:
                    by_bot.setdefault(bot_id, []).append(update_id)
                async with self.sessions() as session:
                    if not self._single_writer:
                        # One statement, atomic by itself: on PostgreSQL it runs without a
                        # BEGIN and a COMMIT around it (one round trip instead of three).
                        await session.connection(execution_options=_AUTOCOMMIT)
                    for bot_id, ids in by_bot.items():
                        await session.exec(
                            _DELIVERED, params={"bot": bot_id, "ids": ids, "at": self.clock()}
                        )
                    await session.commit()
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def mark_blocked(self, platform: str, chat_id: int, bot_id: int = 0) -> None:
        """The person blocked the bot: stop sending to them until they write again."""
        async with self.sessions() as session, session.begin():
            await session.exec(
                update(Learner)
                .where(
                    col(Learner.platform) == platform,
                    col(Learner.bot_id) == bot_id,
                    col(Learner.chat_id) == chat_id,
                )
                .values(status=LearnerStatus.BLOCKED)
            )

    # --- routing -----------------------------------------------------------------------
    async def _dispatch(self, ctx: Ctx, event: Event) -> None:
        """Consent first (nothing is stored before it), then the routing table."""
        learner = ctx.learner
        if learner is None:
            await onboarding.before_consent(ctx, event)
            return
        if learner.status == LearnerStatus.BLOCKED:
            learner.status = LearnerStatus.ACTIVE
        if learner.consent_version != self.settings.consent_version:
            if not await onboarding.renew_consent(ctx, event):
                return  # the updated terms first; the person's data rights always work
        if isinstance(event, Command):
            await routing.command(ctx, event)
        elif isinstance(event, Press):
            await routing.press(ctx, event)
        else:
            await routing.text(ctx, event)


def _connection_lost(exc: BaseException) -> bool:
    """Whether an error means the database could not be reached (not that a statement failed)."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if isinstance(exc.orig, BaseException) else exc
    if isinstance(exc, OSError):  # refused, reset, timed out
        return True
    # asyncpg while the server shuts down or starts (57P01, 57P03) or after it closed the link
    return type(exc).__name__ in {
        "AdminShutdownError",
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
    }
