"""Builders for tests, in one place: a controllable clock, a conversation driver over the engine,
units, learners (through the models, or straight into the store), roles, deliveries."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Command, Event, Person, Press, Text
from hocvuso.chat.replies import Outcome, Reply, ready
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.delivery.payloads import Button
from hocvuso.organising import roles, units
from hocvuso.organising.units import UnitSpec
from hocvuso.storage.models import Certificate, ExamAttempt, Learner, QuizAttempt, ReviewCard
from hocvuso.storage.organising import Role, Unit
from hocvuso.storage.scheduling import Delivery

_update_ids = itertools.count(1)
TAGS = re.compile(r"<[^>]+>")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def plain(text: str) -> str:
    return TAGS.sub("", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass
class Conversation:
    """Drives the engine the way a person would: types, presses buttons by label."""

    engine: Engine
    pack: Pack
    chat_id: int
    name: str = "Learner"
    platform: str = "telegram"
    language_code: str = "vi"
    transcript: list[Reply] = field(default_factory=list)
    last: Outcome = field(default_factory=Outcome)
    handled: Outcome = field(default_factory=Outcome)

    @property
    def person(self) -> Person:
        return Person(self.platform, self.chat_id, self.name, self.language_code)

    async def event(self, event: Event, update_id: int | None = None) -> Outcome:
        """Apply the event and send its replies, as a transport does: documents recorded to be
        made at send time are made here (``handled`` keeps the outcome as the engine gave it)."""
        key = (1, update_id if update_id is not None else next(_update_ids))
        self.handled = await self.engine.handle(self.person, event, key)
        made = [await ready(reply) for reply in self.handled.replies]
        self.last = replace(self.handled, replies=[reply for reply in made if reply is not None])
        self.transcript.extend(self.last.replies)
        return self.last

    async def send(self, text: str) -> Outcome:
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return await self.event(Command(name.lower(), args.strip()))
        return await self.event(Text(text))

    def buttons(self) -> list[Button]:
        for reply in reversed(self.transcript):
            if reply.buttons:
                return [b for row in reply.buttons for b in row]
        return []

    def button(self, label: str) -> Button:
        found = [b for b in self.buttons() if label in b.label]
        assert found, f"no button {label!r} in {[b.label for b in self.buttons()]}"
        return found[0]

    async def press(self, label: str) -> Outcome:
        return await self.event(Press(self.button(label).data))

    @property
    def text(self) -> str:
        """The plain text of the replies to the last event."""
        return "\n".join(plain(r.text) for r in self.last.replies)

    def current_question_id(self) -> str:
        """Find which question the last prompt shows (by its text)."""
        for reply in reversed(self.transcript):
            if reply.buttons and "an:" in reply.buttons[0][0].data:
                body = plain(reply.text)
                for qid, ref in self.pack.questions.items():
                    if ref.question.text in body:
                        return qid
        raise AssertionError("no question on screen")

    def letter_for(self, correct: bool) -> str:
        """The letter of the right (or a wrong) option in the question on screen."""
        qid = self.current_question_id()
        question = self.pack.questions[qid].question
        for reply in reversed(self.transcript):
            if reply.buttons and "an:" in reply.buttons[0][0].data:
                body = plain(reply.text)
                for line in body.splitlines():
                    match = re.match(r"^([A-L])\. (.*)$", line)
                    if match and (match.group(2) == question.options[question.correct]) == correct:
                        return match.group(1)
        raise AssertionError("option not found")

    async def answer(self, correct: bool = True) -> Outcome:
        return await self.press_exact(self.letter_for(correct))

    async def press_any(self, label: str) -> Outcome:
        """Press a button of any message shown so far (the latest with this label)."""
        found = [
            b
            for reply in reversed(self.transcript)
            for row in reply.buttons
            for b in row
            if label in b.label
        ]
        assert found, f"no button {label!r} in the transcript"
        return await self.event(Press(found[0].data))

    async def press_exact(self, label: str) -> Outcome:
        found = [b for b in self.buttons() if b.label == label]
        assert found, f"no button {label!r}"
        return await self.event(Press(found[0].data))

    async def onboard(self, role: str = "Cán bộ", placement: bool = False) -> None:
        await self.send("/start")
        await self.press("Tôi đồng ý")
        await self.press("Tiếng Việt")
        await self.press(role)
        await self.press("Bỏ qua")
        await self.press("Làm bài xếp lớp" if placement else "Bỏ qua, học từ đầu")


async def add_units(
    sessions: async_sessionmaker[AsyncSession], *specs: tuple[str, str, str | None]
) -> dict[str, Unit]:
    """Import ``(code, name, parent code)`` units; returns them by code (with invite codes)."""
    async with sessions() as session, session.begin():
        await units.import_units(
            session,
            [UnitSpec(code, name, parent) for code, name, parent in specs],
            actor_id=None,
            via="cli",
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
        return {u.code: u for u in await units.listing(session)}


# --- organisers and mentors ---------------------------------------------------------------
_chats = itertools.count(7_000_000)
_certificates = itertools.count(1)
CERT = Certificate.__table__  # type: ignore[attr-defined]
EXAM = ExamAttempt.__table__  # type: ignore[attr-defined]

#: A small tree: A (A1, A2 with A2x below it) and B (B1).
TREE = (
    ("A", "Đơn vị A", None),
    ("A1", "Phòng A1", "A"),
    ("A2", "Phòng A2", "A"),
    ("A2x", "Tổ A2x", "A2"),
    ("B", "Đơn vị B", None),
    ("B1", "Phòng B1", "B"),
)


async def add_learner(
    sessions: async_sessionmaker[AsyncSession],
    *,
    unit: str | None,
    name: str = "Học viên",
    created_at: datetime,
    last_active_at: datetime | None = None,
    certified: Sequence[tuple[int, datetime]] = (),
    **fields: Any,
) -> Learner:
    """A learner who has been through onboarding, with certificates (level, issued at)."""
    async with sessions() as session, session.begin():
        values: dict[str, Any] = {
            "platform": "telegram",
            "chat_id": next(_chats),
            "display_name": name,
            "role": "civil_servant",
            "unit_code": unit,
            "consent_at": created_at,
            "consent_version": TERMS,
            "placement_done": True,
            "state": {"step": "idle", "nonce": "x"},
            "created_at": created_at,
            "last_active_at": last_active_at,
        }
        learner = Learner(**{**values, **fields})
        session.add(learner)
        await session.flush()
        connection = await session.connection()
        for level, issued in certified:
            exam = await connection.execute(
                insert(EXAM)
                .values(
                    learner_id=learner.id,
                    level=level,
                    question_ids=[],
                    correct=5,
                    answered=5,
                    passed=True,
                    started_at=issued,
                    finished_at=issued,
                )
                .returning(EXAM.c.id)
            )
            await connection.execute(
                insert(CERT).values(
                    id=f"T{next(_certificates)}",
                    learner_id=learner.id,
                    level=level,
                    exam_id=exam.scalar_one(),
                    score=5,
                    total=5,
                    issued_at=issued,
                )
            )
        return learner


async def grant(
    sessions: async_sessionmaker[AsyncSession], learner: Learner, role: Role, unit: Unit | None
) -> None:
    async with sessions() as session, session.begin():
        stored = await session.get(Learner, learner.id)
        assert stored is not None
        await roles.do_grant_unchecked(
            session, stored, role, unit, by=None, via="cli", now=stored.created_at
        )


def talk(engine: Engine, pack: Pack, learner: Learner) -> Conversation:
    """Drive the engine as this (already onboarded) learner."""
    assert learner.chat_id is not None
    return Conversation(engine, pack, chat_id=learner.chat_id, name=learner.display_name or "")


# --- the store directly (scheduler, delivery) ----------------------------------------------
_store_chats = itertools.count(5_000_000)
_nonces = itertools.count(1)
LEARNER = Learner.__table__  # type: ignore[attr-defined]
CARD = ReviewCard.__table__  # type: ignore[attr-defined]
ATTEMPT = QuizAttempt.__table__  # type: ignore[attr-defined]
DELIVERY = Delivery.__table__  # type: ignore[attr-defined]
CONSENTED = datetime(2026, 10, 1, tzinfo=UTC)
#: The terms in force (``Settings.consent_version``): the learners built here agreed to them.
TERMS: str = Settings.model_fields["consent_version"].default


async def insert_learner(database: AsyncEngine, **fields: Any) -> int:
    """A learner row written straight to the store (scheduler and delivery tests)."""
    values: dict[str, Any] = {
        "platform": "telegram",
        "chat_id": next(_store_chats),
        "language": "vi",
        "timezone": "Asia/Ho_Chi_Minh",
        "reminder_hour": 19,
        "consent_at": CONSENTED,
        "consent_version": TERMS,
        "status": "active",
        "level": 1,
        "placement_done": True,
        "state": {},
        "created_at": CONSENTED,
        **fields,
    }
    async with database.begin() as connection:
        result = await connection.execute(insert(LEARNER).values(**values).returning(LEARNER.c.id))
        return int(result.scalar_one())


#: Terms older than those in force: a learner still on them declined (or has not answered)
#: the updated terms.
OLD_TERMS = "2026-11"


async def set_terms(database: AsyncEngine, learner_id: int, version: str) -> None:
    """The learner's answer to the terms: ``OLD_TERMS`` (declined the update) or ``TERMS``
    (accepted it), as the consent screen records it."""
    async with database.begin() as connection:
        await connection.execute(
            update(LEARNER).where(LEARNER.c.id == learner_id).values(consent_version=version)
        )


async def add_cards(database: AsyncEngine, learner_id: int, *dues: datetime) -> None:
    async with database.begin() as connection:
        await connection.execute(
            insert(CARD),
            [
                {"learner_id": learner_id, "question_id": f"q{i}", "state": 2, "due": due}
                for i, due in enumerate(dues)
            ],
        )


async def add_answers(database: AsyncEngine, learner_id: int, *moments: datetime) -> None:
    async with database.begin() as connection:
        await connection.execute(
            insert(ATTEMPT),
            [
                {
                    "learner_id": learner_id,
                    "question_id": "q",
                    "mode": "lesson",
                    "chosen": 0,
                    "correct": True,
                    "prompt_nonce": f"n{next(_nonces)}",
                    "answered_at": moment,
                }
                for moment in moments
            ],
        )


async def deliveries(database: AsyncEngine, **where: Any) -> list[Any]:
    query = select(DELIVERY).order_by(DELIVERY.c.id)
    for name, value in where.items():
        query = query.where(DELIVERY.c[name] == value)
    async with database.connect() as connection:
        return list((await connection.execute(query)).all())


_delivery_keys = itertools.count(1)


async def insert_delivery(database: AsyncEngine, learner_id: int, **fields: Any) -> int:
    """A delivery row written straight to the store (any state, any age)."""
    values: dict[str, Any] = {
        "key": f"test:{next(_delivery_keys)}",
        "kind": "announcement",
        "learner_id": learner_id,
        "text": "Chị Lan nằm viện tuần này",
        "buttons": [[["Học ngay", "lr::"]]],
        "state": "pending",
        "created_at": CONSENTED,
        "not_before": CONSENTED,
        **fields,
    }
    async with database.begin() as connection:
        result = await connection.execute(
            insert(DELIVERY).values(**values).returning(DELIVERY.c.id)
        )
        return int(result.scalar_one())


async def insert_rows(database: AsyncEngine, table: str, *rows: dict[str, Any]) -> None:
    """Rows of any table (by name) written straight to the store."""
    async with database.begin() as connection:
        await connection.execute(insert(SQLModel.metadata.tables[table]), list(rows))


async def rows_of(database: AsyncEngine, table: str) -> list[Any]:
    """Every row of a table (by name), in key order."""
    stored = SQLModel.metadata.tables[table]
    async with database.connect() as connection:
        query = select(stored).order_by(*stored.primary_key.columns)
        return list((await connection.execute(query)).all())


@dataclass
class Seeded:
    """A person with a row in every table that can hold their data (see
    :func:`seed_every_table`), and the keys of the rows that are theirs, by table."""

    person: Learner
    others: list[Learner]
    rows: dict[str, list[dict[str, Any]]]


async def seed_every_table(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit], at: datetime
) -> Seeded:
    """Chị Lan: a certified mentor and organiser of A1 with a mentee and a mentor of her own,
    drafts, nudges sent and received, a reply about her hospital stay, invitations, a mentor
    code, an announcement she asked for, audit entries and a reply not yet delivered."""
    later = at + timedelta(hours=10, minutes=17)
    person = await add_learner(
        sessions,
        unit="A1",
        name="Chị Lan",
        created_at=at,
        last_active_at=later,
        certified=[(1, later)],
        state={"step": "idle", "staff": {"mode": "compose", "text": "Bản nháp: họp thôn"}},
        reminders_paused_until=later,
        language="en",
        timezone="Asia/Bangkok",
        reminder_hour=8,
    )
    mentee = await add_learner(sessions, unit="A1", name="Anh Học", created_at=at)
    mentor = await add_learner(sessions, unit="A1", name="Cô Dạy", created_at=at)
    await grant(sessions, person, Role.MENTOR, tree["A1"])
    await grant(sessions, person, Role.ORGANISER, tree["A1"])
    pid, me, mo = person.id or 0, mentee.id or 0, mentor.id or 0
    async with sessions() as session, session.begin():
        connection = await session.connection()
        tables = SQLModel.metadata.tables

        async def add(table: str, **values: Any) -> dict[str, Any]:
            stored = tables[table]
            keys = list(stored.primary_key.columns)
            result = await connection.execute(insert(stored).values(**values).returning(*keys))
            return dict(result.one()._mapping)

        grants = tables["role_grant"]
        found = await connection.execute(select(grants.c.id).where(grants.c.learner_id == pid))
        rows: dict[str, list[dict[str, Any]]] = {"role_grant": [dict(r._mapping) for r in found]}

        async def own(table: str, **values: Any) -> None:
            rows.setdefault(table, []).append(await add(table, **values))

        await own("mentor_link", mentor_id=pid, mentee_id=me, created_at=at)
        await own("mentor_link", mentor_id=mo, mentee_id=pid, created_at=at)
        sent = await add("nudge", mentor_id=pid, mentee_id=me, custom=True, sent_at=later)
        got = await add("nudge", mentor_id=mo, mentee_id=pid, custom=False, sent_at=later)
        rows["nudge"] = [sent, got]
        delivery = {"bot_id": 0, "state": "pending", "created_at": later, "not_before": later}
        await own("delivery", key=f"nudge:{got['id']}", kind="nudge", learner_id=pid,
                  text="Cô Dạy nhắc chị học", buttons=[], **delivery)  # fmt: skip
        await own("delivery", key=f"nudge:{sent['id']}", kind="nudge", learner_id=me,
                  text="Chị Lan: học bài 3 nhé", buttons=[], **delivery)  # fmt: skip
        await own("delivery", key=f"reply:{pid}:{got['id']}:1", kind="mentor", learner_id=mo,
                  text="Chị Lan: em nằm viện tuần này", buttons=[], **delivery)  # fmt: skip
        await own("mentor_code", mentor_id=pid, code="m-lan", created_at=at)
        await own("learner_preference", learner_id=pid, nudges_muted=True,
                  leaderboard_opt_in=True, updated_at=at)  # fmt: skip
        invite = {"role": "mentor", "unit_id": tree["A1"].id, "created_at": at,
                  "expires_at": later}  # fmt: skip
        await own("role_invite", token="made", created_by=pid, **invite)
        await own("role_invite", token="for-her", invitee_id=pid, created_by=mo, **invite)
        await own("role_invite", token="used", used_by=pid, used_at=later, **invite)
        await own("dashboard_login", token_hash="a" * 64, learner_id=pid, created_at=at,
                  expires_at=later, used_at=later)  # fmt: skip
        await own("dashboard_session", id_hash="b" * 64, learner_id=pid, created_at=later,
                  last_seen_at=later, expires_at=later, csrf_secret="c" * 32)  # fmt: skip
        await own("broadcast", kind="announcement", text="Họp thôn tối nay", audience={},
                  created_at=later, requested_by=pid, progress_reported=0)  # fmt: skip
        await own("audit_log", at=later, actor_id=mo, via="chat", action="mentor.link",
                  unit_id=tree["A1"].id, details={"mentor": mo, "mentee": pid})  # fmt: skip
        await own("audit_log", at=later, actor_id=pid, via="chat", action="broadcast.send",
                  unit_id=tree["A1"].id, details={"broadcast": 1})  # fmt: skip
        await own("processed_update", bot_id=0, update_id=99, learner_id=pid,
                  replies=[{"text": "Đây là dữ liệu của chị"}], processed_at=later)  # fmt: skip
        await own("review_card", learner_id=pid, question_id="q1", state=2, due=later)
        await own("lesson_progress", learner_id=pid, lesson_id="t1-s1", level=1,
                  status="done", started_at=later, completed_at=later)  # fmt: skip
        await own("quiz_attempt", learner_id=pid, question_id="q1", mode="lesson", chosen=0,
                  correct=True, prompt_nonce="n-lan", answered_at=later)  # fmt: skip
        for state, n in (("pending", 1), ("sent", 2)):
            await own("xapi_statement", id=f"00000000-0000-5000-8000-00000000000{n}",
                      learner_id=pid, verb="answered", statement={"id": n}, state=state,
                      attempts=n - 1, created_at=later, next_try_at=later)  # fmt: skip
    return Seeded(person, [mentee, mentor], rows)
