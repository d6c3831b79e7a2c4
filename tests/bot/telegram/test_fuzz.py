"""Fuzzing the whole Telegram surface (issue 11): hypothesis-generated updates of every type
through the real aiogram dispatcher, the real pipeline and engine, against the strict fake Bot
API server, which refuses what Telegram would refuse.

One run per database (10,000 updates on SQLite, 1,000 on PostgreSQL) is shared by the tests
below: each checks one property of it. The people persist over the run, so they get deep into
the flows (onboarding, placement, lessons, exams, settings, staff screens) by pressing the
buttons the bot sent them, and their old, other people's and tampered button data come back.
Counts are printed (``-s``) and kept in :class:`Run`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import random
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import Update
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.bot.telegram.app import TelegramApp, build_all, make_bot
from hocvuso.bot.telegram.handlers import routers
from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.i18n import t
from hocvuso.storage import db
from hocvuso.storage.organising import MentorCode, Role, RoleInvite, Unit
from hocvuso.storage.types import utcnow
from tests.bot.telegram.updates import (
    UPDATE_TYPES,
    Action,
    InChat,
    Press,
    Raw,
    Redeliver,
    Say,
    Start,
    actions,
    chat_kinds,
    raw_update,
    who,
)
from tests.factories import TREE, add_learner, add_units, grant
from tests.fakes.telegram_api import ApiCall, FakeMessage, FakeTelegram, FakeUser, _CallbackQuery

#: Updates per database, and per hypothesis example.
SIZES = {"sqlite": int(os.environ.get("HOCVUSO_FUZZ_UPDATES", 10_000)), "postgresql": 1_000}
PER_EXAMPLE = 25
PEOPLE = 24
STAFF_CHATS = 900_000
STAFF = (Role.ORGANISER, Role.MENTOR, Role.ADMIN)
MESSAGE_KINDS = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
    "guest_message",
}


class ErrorLog(logging.Handler):
    """Every record at ERROR or above: the error router and the pipeline log what they catch."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Run:
    loop: asyncio.AbstractEventLoop
    database: AsyncEngine
    fake: FakeTelegram
    bot: Bot
    app: TelegramApp
    engine: Engine
    sessions: async_sessionmaker[AsyncSession]
    people: list[FakeUser]
    errors: ErrorLog
    fed: Counter[str] = field(default_factory=Counter)
    #: update id -> the person whose private chat it came from
    private: dict[int, int] = field(default_factory=dict)
    #: update ids of updates from groups, supergroups and channels
    groups: set[int] = field(default_factory=set)
    group_chats: set[int] = field(default_factory=set)
    #: presses Telegram sent again: a second answer to them is refused, and harmless
    answered_before: set[str] = field(default_factory=set)
    history: list[dict[str, Any]] = field(default_factory=list)
    unparsed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    seconds: float = 0.0
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    messages: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def updates(self) -> int:
        return sum(self.fed.values())

    # -- identities ---------------------------------------------------------------------
    def person(self, who: int) -> FakeUser:
        return self.people[who % len(self.people)]

    def chat(self, kind: str, who: int, number: int = 0) -> dict[str, Any]:
        if kind == "private":
            return self.person(who).chat_api()
        base = {"group": -100, "supergroup": -1_001_000_000_000, "channel": -1_002_000_000_000}
        chat_id = base[kind] - number
        if chat_id not in self.group_chats:
            # Known to the fake, so that a message the bot posts there goes through and is
            # counted (test_only_private_chats_are_served) instead of failing on its own.
            self.fake.user(chat_id, f"Nhóm {number}")
            self.group_chats.add(chat_id)
        return {"id": chat_id, "type": kind, "title": f"Nhóm {number} \u202e"}

    def issued(self) -> list[str]:
        return [
            data
            for person in self.people
            for message in person.messages
            for data in message.callback_data
        ]

    @staticmethod
    def with_buttons(person: FakeUser) -> list[FakeMessage]:
        return [m for m in person.visible_messages if m.callback_data]

    # -- feeding ------------------------------------------------------------------------
    async def feed(self, payload: dict[str, Any], sender: int | None) -> None:
        kind = next(k for k in payload if k != "update_id")
        try:
            update = Update.model_validate(payload, context={"bot": self.bot})
        except ValidationError as exc:
            self.unparsed.append((payload, str(exc)[:500]))
            return
        if sender is None:
            self.groups.add(update.update_id)
        else:
            self.private[update.update_id] = sender
        self.history.append(payload)
        self.fed[kind] += 1
        done = await self.app.pipeline.submit(update)
        await done

    def new(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(self.ids), kind: body}

    async def play(self, batch: list[Action]) -> None:
        for action in batch:
            await self.act(action)

    async def act(self, action: Action) -> None:
        if isinstance(action, Say):
            await self.say(action.who, action.text, edited=action.edited)
        elif isinstance(action, Press):
            await self.press(action)
        elif isinstance(action, Start):
            await self.start(action)
        elif isinstance(action, InChat):
            await self.in_chat(action)
        elif isinstance(action, Raw):
            await self.raw(action)
        elif isinstance(action, Redeliver) and self.history:
            again = self.history[action.pick % len(self.history)]
            uid = again["update_id"]
            if "callback_query" in again:
                self.answered_before.add(again["callback_query"]["id"])
            await self.feed(again, self.private.get(uid) if uid not in self.groups else None)

    async def say(self, who: int, words: str, *, edited: bool = False) -> None:
        person = self.person(who)
        person.started = True
        message = self.fake._new_user_message(person, words).to_api()
        if edited:
            message["edit_date"] = message["date"] + 1
        await self.feed(self.new("edited_message" if edited else "message", message), person.id)

    def query(self, person: FakeUser) -> str:
        query_id = str(random.getrandbits(63))
        self.fake._callback_queries[query_id] = _CallbackQuery(person, self.fake.clock())
        return query_id

    async def press(self, action: Press) -> None:
        person = self.person(action.who)
        shown = self.with_buttons(person)
        if not shown:
            await self.say(action.who, "/start")
            return
        # Mostly the newest prompt, like a person; now and then an old one (stale).
        message = shown[-1] if action.pick % 4 else shown[(action.pick // 4) % len(shown)]
        own = message.callback_data
        data: str | None = own[action.pick % len(own)]
        if action.source == "other":
            pool = self.issued()
            data = pool[action.pick % len(pool)]
        elif action.source == "tampered":
            data = tamper(own[action.pick % len(own)], action.data, action.pick)
        elif action.source == "random":
            data = action.data
        elif action.source == "none":
            data = None
        body: dict[str, Any] = {
            "id": self.query(person),
            "from": person.to_api(),
            "chat_instance": person._chat_instance,
        }
        if data is not None:
            body["data"] = data
        if action.form == "message":
            body["message"] = message.to_api()
        elif action.form == "inaccessible":
            body["message"] = {
                "chat": person.chat_api(),
                "message_id": message.message_id,
                "date": 0,
            }
        else:
            body["inline_message_id"] = f"AgAAA{action.pick}"
        if action.extra:
            body["future_field"] = {"from": "Bot API 99"}
        await self.feed(self.new("callback_query", body), person.id)

    async def start(self, action: Start) -> None:
        async with self.sessions() as session:
            codes = list((await session.exec(select(Unit.invite_code))).all())
            codes += ["m-" + c for c in (await session.exec(select(MentorCode.code))).all()]
            codes += ["r-" + t for t in (await session.exec(select(RoleInvite.token))).all()]
        payload = codes[action.pick % len(codes)]
        if action.tamper:
            payload = tamper(payload, "Z", action.pick)
        await self.say(action.who, f"/start {payload}")

    async def in_chat(self, action: InChat) -> None:
        person = self.person(action.who)
        chat = self.chat(action.kind, action.who, action.chat)
        if action.press:
            pool = self.issued()
            data = (
                pool[len(action.data) % len(pool)] if pool and len(action.data) % 2 else action.data
            )
            body = {
                "id": self.query(person),
                "from": person.to_api(),
                "chat_instance": str(chat["id"]),
                "data": data,
                "message": {
                    "message_id": next(self.messages),
                    "date": int(time.time()),
                    "chat": chat,
                    "from": self.fake.bot_user,
                    "text": "Câu hỏi",
                },
            }
            await self.feed(self.new("callback_query", body), None)
            return
        message: dict[str, Any] = {"message_id": next(self.messages), "date": int(time.time())}
        message["chat"] = chat
        if action.kind == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = person.to_api()
        if action.text is not None:
            message["text"] = action.text
            if action.text.startswith("/"):
                length = len(action.text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        else:
            message["sticker"] = {
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            }
        await self.feed(
            self.new("channel_post" if action.kind == "channel" else "message", message), None
        )

    async def raw(self, action: Raw) -> None:
        """An update of any type, its people and chats made ones the run knows: a private
        message comes from the person whose chat it is, a press is on one of their messages."""
        person = self.person(action.who)
        body = dict(action.body)
        private = action.chat == "private"
        if action.kind in MESSAGE_KINDS:
            body["chat"] = self.chat(action.chat, action.who, action.who)
            if action.chat == "channel":
                body.pop("from", None)
                body["sender_chat"] = body["chat"]
            else:
                body["from"] = person.to_api()
            if private:
                person.started = True
        elif action.kind == "callback_query":
            body["id"] = self.query(person)
            body["from"] = person.to_api()
            shown = person.visible_messages
            body.pop("inline_message_id", None)
            if shown:
                body["message"] = shown[-1].to_api()
            else:
                body.pop("message", None)
                body["inline_message_id"] = "AgAAAraw"
            private = True
        else:
            for key in ("from", "user"):
                if key in body:
                    body[key] = person.to_api()
            if "chat" in body:
                body["chat"] = self.chat(action.chat, action.who, action.who)
        await self.feed(self.new(action.kind, body), person.id if private else None)


def tamper(data: str, change: str, pick: int) -> str:
    """``data`` changed a little: a character replaced, cut short or lengthened."""
    how = pick % 3
    if how == 0 and data:
        i = pick % len(data)
        out = data[:i] + (change[:1] or "x") + data[i + 1 :]
    elif how == 1 and len(data) > 1:
        out = data[: 1 + pick % (len(data) - 1)]
    else:
        out = data + (change or "9")
    while len(out.encode()) > 64:
        out = out[:-1]
    return out or "x"


def build_app(engine: Engine, bot: Bot, settings_: Settings) -> TelegramApp:
    """``build_all`` for one bot. The routers are module objects and a router joins one
    dispatcher only: the previous test's dispatcher lets go of them first."""
    for router in routers():
        parent = router.parent_router
        if parent is not None:
            parent.sub_routers.remove(router)
            router._parent_router = None
    (app,) = build_all(engine, [bot], settings_)
    return app


# --- the run -------------------------------------------------------------------------------------
async def _set_up(database_url: str, pack: Pack, fake: FakeTelegram) -> Run:
    settings_ = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        _env_file=None,
    )
    database = db.make_engine(database_url)
    if database.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with database.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    sessions = db.make_sessionmaker(database)
    engine = Engine(sessions, pack, settings_, rng=random.Random(11))
    bot = make_bot(settings_)
    app = build_app(engine, bot, settings_)
    units = await add_units(sessions, *TREE)
    people = []
    for i, role in enumerate(STAFF):  # an organiser of A, a mentor in A1, an admin
        person = fake.user(STAFF_CHATS + i, f"Cán bộ {i}", language_code="vi")
        learner = await add_learner(
            sessions,
            unit="A1",
            name=person.first_name,
            created_at=utcnow(),
            chat_id=person.id,
            bot_id=bot.id,
            certified=[(level, utcnow()) for level in (1, 2, 3)],
        )
        unit = {Role.ORGANISER: units["A"], Role.MENTOR: units["A1"]}.get(role)
        await grant(sessions, learner, role, unit)
        people.append(person)
    names = ("Lan", "Nguyễn Văn A", "‮evil", "𝕳𝖔𝖈", "Tú & Tài", "<b>x</b>", "مرحبا", "Z\u0336")
    for i in range(PEOPLE):
        language = ("vi", "en", None, "fr", "zh-hans")[i % 5]
        people.append(
            fake.user(100_000 + i, names[i % len(names)], language_code=language, last_name=None)
        )
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    return Run(
        asyncio.get_running_loop(), database, fake, bot, app, engine, sessions, people, errors
    )


def _play(loop: asyncio.AbstractEventLoop, run: Run, updates: int) -> None:
    common = settings(
        deadline=None,
        derandomize=True,  # the same updates on every run and machine (CI reproducible)
        database=None,
        phases=[Phase.explicit, Phase.generate],  # properties are checked on the whole run
        suppress_health_check=list(HealthCheck),
    )

    @settings(common, max_examples=1)
    @given(st.tuples(*(raw_update(kind) for kind in UPDATE_TYPES)), who, chat_kinds)
    def every_type(bodies: tuple[tuple[str, dict[str, Any]], ...], by: int, chat: str) -> None:
        first = [Raw(by, chat, kind, body) for kind, body in bodies]  # type: ignore[arg-type]
        loop.run_until_complete(run.play(first))

    @settings(common, max_examples=-(-(updates - len(UPDATE_TYPES)) // PER_EXAMPLE))
    @given(st.lists(actions, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    def batch(batch: list[Action]) -> None:
        loop.run_until_complete(run.play(batch))

    every_type()
    batch()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pack: Pack
) -> Iterator[Run]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}"
        db.upgrade(url)
    else:
        url = request.getfixturevalue("pg_database")
    loop = asyncio.new_event_loop()
    fake = FakeTelegram()
    loop.run_until_complete(fake.start())
    run = loop.run_until_complete(_set_up(url, pack, fake))
    started = time.monotonic()
    try:
        _play(loop, run, SIZES[request.param])
        loop.run_until_complete(run.app.pipeline.join())
        run.seconds = time.monotonic() - started
        refused = [
            c
            for c in fake.errors
            if c.params.get("chat_id") not in run.group_chats and not _harmless(run, c)
        ]
        print(
            f"\nfuzz ({request.param}): {run.updates} updates fed in {run.seconds:.0f}s "
            f"({dict(run.fed.most_common())}); {len(fake.calls)} Bot API calls "
            f"({dict(Counter(c.method for c in fake.calls))}), {len(refused)} refused, "
            f"{len(fake.errors) - len(refused)} harmless or to groups and channels; "
            f"{len(run.errors.records)} errors logged; {len(run.unparsed)} not parsed"
        )
        yield run
    finally:
        logging.getLogger().removeHandler(run.errors)
        loop.run_until_complete(run.bot.session.close())
        loop.run_until_complete(run.database.dispose())
        loop.run_until_complete(fake.stop())
        loop.close()


# --- the properties ------------------------------------------------------------------------------
pytestmark = pytest.mark.timeout(1_200)  # the first test's share includes the run


def test_the_fuzz_feeds_every_update_type(fuzz: Run) -> None:
    assert fuzz.updates >= SIZES["postgresql"]
    assert set(UPDATE_TYPES) <= set(fuzz.fed)
    # An object the generator builds and aiogram's own models refuse (a rare combination of
    # rich-text types) is skipped, as long polling skips what it cannot read.
    assert len(fuzz.unparsed) <= fuzz.updates // 1_000, fuzz.unparsed[:3]


def test_no_update_raises(fuzz: Run) -> None:
    """Nothing reaches the error router or the pipeline's last resort."""
    failures = [f"{r.name}: {r.getMessage()}\n{_trace(r)}"[-3000:] for r in fuzz.errors.records]
    assert not failures, "\n\n".join(failures[:5])


def _trace(record: logging.LogRecord) -> str:
    if record.exc_info is None:
        return ""
    return "".join(traceback.format_exception(*record.exc_info)[-6:])


def _harmless(run: Run, call: ApiCall) -> bool:
    """Refusals the bot cannot avoid and that change nothing for the person: an answer to a
    press Telegram sent again (answered before a crash, the bot cannot know), and an edit to
    what the message already shows (an idempotent button pressed twice: the sender takes
    "not modified" as done)."""
    if call.method == "answerCallbackQuery":
        return call.params.get("callback_query_id") in run.answered_before
    return call.method == "editMessageText" and "not modified" in (call.description or "")


def test_no_bot_api_call_is_refused(fuzz: Run) -> None:
    """Every call the bot made to a private chat (or about a press) was one Telegram accepts."""
    refused = [
        f"{c.method} -> {c.error_code} {c.description} {c.params}"[:500]
        for c in fuzz.fake.errors
        if c.params.get("chat_id") not in fuzz.group_chats and not _harmless(fuzz, c)
    ]
    assert not refused, "\n".join(refused[:10])


def test_only_private_chats_are_served(fuzz: Run) -> None:
    """Groups, supergroups and channels get no message and become no learner."""
    written = [c for c in fuzz.fake.calls if c.params.get("chat_id") in fuzz.group_chats]
    rows = _query(fuzz, "SELECT count(*) FROM learner WHERE chat_id < 0")
    assert not written, [(c.method, c.params.get("text", "")[:60]) for c in written[:5]]
    assert rows == [(0,)]


def _query(run: Run, sql: str) -> list[tuple[Any, ...]]:
    async def go() -> list[tuple[Any, ...]]:
        async with run.database.connect() as connection:
            result = await connection.execute(text(sql))
            return [tuple(row) for row in result.all()]

    return run.loop.run_until_complete(go())


def _step(state: Any) -> str:
    """The conversation step of a learner's state (JSON: a dict, or its text on SQLite)."""
    if isinstance(state, str):
        state = json.loads(state)
    return str((state or {}).get("step"))


def test_store_invariants_hold(fuzz: Run) -> None:
    """One attempt per prompt, no row pointing at a missing one, every processed update
    recorded for the person who sent it."""
    twice = _query(
        fuzz,
        "SELECT learner_id, prompt_nonce, count(*) FROM quiz_attempt"
        " GROUP BY learner_id, prompt_nonce HAVING count(*) > 1",
    )
    assert not twice
    orphans = {}
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_keys:
            child, parent = key.parent, key.column
            count = _query(
                fuzz,
                f'SELECT count(*) FROM "{table.name}" c WHERE c."{child.name}" IS NOT NULL'
                f' AND NOT EXISTS (SELECT 1 FROM "{parent.table.name}" p'
                f' WHERE p."{parent.name}" = c."{child.name}")',
            )[0][0]
            if count:
                orphans[f"{table.name}.{child.name}"] = count
    # processed_update.learner_id has no foreign key (the row outlives nothing): checked too
    lost = _query(
        fuzz,
        "SELECT count(*) FROM processed_update u WHERE u.learner_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM learner l WHERE l.id = u.learner_id)",
    )[0][0]
    if lost:
        orphans["processed_update.learner_id"] = lost
    assert not orphans
    rows = _query(
        fuzz,
        "SELECT u.update_id, l.chat_id FROM processed_update u JOIN learner l"
        " ON l.id = u.learner_id",
    )
    strangers = [
        (update_id, chat, fuzz.private[update_id])
        for update_id, chat in rows
        if update_id in fuzz.private and chat != fuzz.private[update_id]
    ]
    assert not strangers
    exams = _query(
        fuzz,
        "SELECT e.id, e.answered, (SELECT count(*) FROM quiz_attempt a WHERE a.exam_id = e.id)"
        " FROM exam_attempt e JOIN learner l ON l.id = e.learner_id"
        f" WHERE l.chat_id < {STAFF_CHATS}",  # the staff's certificates were seeded
    )
    assert [e for e in exams if e[1] != e[2]] == []
    print(
        f"\nstore: {_query(fuzz, 'SELECT count(*) FROM learner')[0][0]} learners, "
        f"{_query(fuzz, 'SELECT count(*) FROM quiz_attempt')[0][0]} attempts, "
        f"{len(exams)} exams, {_query(fuzz, 'SELECT count(*) FROM processed_update')[0][0]}"
        " processed updates; steps: "
        f"{dict(Counter(_step(state) for (state,) in _query(fuzz, 'SELECT state FROM learner')))}"
    )


# --- what the fuzz found -------------------------------------------------------------------------
async def test_a_redelivered_press_over_the_rate_limit_gets_no_error_message(
    database_url: str, sessions: async_sessionmaker[AsyncSession], pack: Pack
) -> None:
    """Telegram sends a press again (the bot crashed before confirming it) while the person is
    over the rate limit: the "slow down" answer was given the first time and Telegram refuses
    a second answer. That refusal used to reach the error router, which sent the person
    "something went wrong"."""
    async with FakeTelegram() as fake:
        settings_ = Settings(  # type: ignore[call-arg]
            database_url=database_url,
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            rate_limit=1,
            _env_file=None,
        )
        bot = make_bot(settings_)
        app = build_app(Engine(sessions, pack, settings_), bot, settings_)
        errors = ErrorLog()
        logging.getLogger().addHandler(errors)
        try:
            person = fake.user(4242)

            async def feed(update: dict[str, Any]) -> None:
                await app.dispatcher.feed_update(
                    bot, Update.model_validate(update, context={"bot": bot}), sender=app.sender
                )

            await feed(await person.send_text("/start"))
            await person.press(person.messages[-1], person.messages[-1].callback_data[0])
            press = fake.updates[-1]
            await feed(press)  # over the limit: "slow down"
            await feed(press)  # the same update again
        finally:
            logging.getLogger().removeHandler(errors)
            await bot.session.close()
    assert t("vi", "error-generic") not in person.texts
    assert person.callback_answers == [person.callback_answers[0]]  # "slow down", once
    assert not errors.records
    # (Telegram refuses the second answer; the bot cannot know it answered before a crash.)
