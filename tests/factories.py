"""Builders for tests: a controllable clock and a conversation driver over the engine."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Command, Event, Person, Press, Text
from hocvuso.chat.replies import Outcome, Reply
from hocvuso.content.loader import Pack
from hocvuso.delivery.payloads import Button
from hocvuso.organising import units
from hocvuso.organising.units import UnitSpec
from hocvuso.storage.organising import Unit

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

    @property
    def person(self) -> Person:
        return Person(self.platform, self.chat_id, self.name, self.language_code)

    async def event(self, event: Event, update_id: int | None = None) -> Outcome:
        key = (1, update_id if update_id is not None else next(_update_ids))
        self.last = await self.engine.handle(self.person, event, key)
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
