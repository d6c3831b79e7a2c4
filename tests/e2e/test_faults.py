"""Faults: Redis and then PostgreSQL restarted in the middle of a 100-learner session storm.

The real ``hocvuso run`` (long polling) serves the strict fake Bot API, with a private Redis and a
private PostgreSQL of its own (tests/e2e/services.py: the machine's shared servers are never
touched). Each learner keeps studying: lesson buttons, answers, a command typed now and then.
Every action must get a visible reply: its normal one, or, while a service is down, the
Vietnamese "try again" message, after which the learner tries again and that works. Afterwards
every answer a learner saw accepted is in the database exactly once, and the first action each
learner starts after a restart gets its normal reply at the first try.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from hocvuso.content.loader import Pack
from hocvuso.i18n import t
from hocvuso.storage import db
from tests.e2e.harness import BotProcess, Learner
from tests.e2e.services import PrivatePostgres, private_services
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
LEARNERS = int(os.environ.get("HOCVUSO_TEST_FAULT_LEARNERS", "100"))
#: How long each service stays down (seconds between the kill and the start again).
REDIS_DOWN = 3.0
POSTGRES_DOWN = 3.0
#: A learner told to try again does so after this pause, at most this many times per action.
RETRY_PAUSE = 0.5
MAX_TRIES = 60
#: Actions between the faults: everyone is busy when a service goes down.
ANSWERS_BETWEEN = 50
ERROR_TEXT = t("vi", "error-generic")
#: What the bot says when it cannot do what was asked (any of these is a notice, not a reply).
NOTICES = tuple(t(lang, key) for lang in ("vi", "en") for key in ("error-generic", "slow-down"))


@dataclass
class Attempt:
    started: float
    finished: float
    normal: bool  # the action's own reply (an edit, a new message, a toast)
    notices: list[str]  # the "try again" texts it got instead (or as well)


@dataclass
class Action:
    what: str
    attempts: list[Attempt] = field(default_factory=list)


class StormLearner(Learner):
    """A learner who tries again when told to, and records what each attempt showed."""

    actions: list[Action]
    accepted_answers: int

    def setup(self) -> None:
        self.actions = []
        self.accepted_answers = 0

    def _look(self) -> tuple[int, int, int]:
        user = self.user
        edits = sum(len(m.history) for m in user.messages)
        return len(user.messages), edits, len(user.callback_answers)

    async def act(self, what: str, do: Callable[[], Awaitable[dict[str, Any]]]) -> Action:
        action = Action(what)
        self.actions.append(action)
        for _ in range(MAX_TRIES):
            messages, edits, toasts = self._look()
            started = time.monotonic()
            update = await do()
            await self._settle(update, started)
            new = self.user.messages[messages:]
            notices = [m.text or "" for m in new if any(n in (m.text or "") for n in NOTICES)]
            normal = (
                len(new) > len(notices)
                or self._look()[1] > edits
                or len(self.user.callback_answers) > toasts
            )
            action.attempts.append(Attempt(started, time.monotonic(), normal, notices))
            if not normal and not notices:
                raise AssertionError(f"{what}: no reply at all (silence); screen {self.screen()}")
            if normal:
                return action
            await asyncio.sleep(RETRY_PAUSE)
        raise AssertionError(f"{what}: still failing after {MAX_TRIES} tries")

    async def tap(self, label: str) -> Action:
        message = self.prompt()
        data = message.button(text=label)["callback_data"]

        async def do() -> dict[str, Any]:
            await self.user.press(message, data)
            return self._own_last_update()

        return await self.act(f"press {label}", do)

    async def type(self, words: str) -> Action:
        return await self.act(f"send {words}", lambda: self.user.send_text(words))

    def _own_last_update(self) -> dict[str, Any]:
        for update in reversed(self.fake.updates):
            query = update.get("callback_query")
            if query is not None and query["from"]["id"] == self.user.id:
                return update
        raise AssertionError("the press made no update")

    async def answer_on_screen(self) -> None:
        message, question_id = self.question_on_screen()
        await self.tap(self.letter(message, question_id, correct=True))
        self.accepted_answers += 1

    async def step(self, turn: int) -> None:
        labels = self.labels()
        if turn % 7 == 6:
            await self.type("/progress")
        elif labels and labels[0] == "A":
            await self.answer_on_screen()
        elif button := next((b for b in labels if "Làm câu hỏi" in b or "Học tiếp" in b), ""):
            await self.tap(button)
        else:  # the exam is offered, or the screen shows no lesson: ask for one
            await self.type("/learn")


async def storm_session(learner: StormLearner, stop: asyncio.Event) -> None:
    for label in (None, "Tôi đồng ý", "Tiếng Việt", "Cán bộ, công chức", "Bỏ qua"):
        await (learner.type("/start") if label is None else learner.tap(label))
    await learner.tap("Bỏ qua, học từ đầu")
    turn = 0
    while not stop.is_set():
        await learner.step(turn)
        turn += 1


def first_tries_after(learners: list[StormLearner], moment: float) -> list[Attempt]:
    """Each learner's first attempt at an action started after ``moment``."""
    firsts = []
    for learner in learners:
        later = [
            action.attempts[0]
            for action in learner.actions
            if action.attempts and action.attempts[0].started >= moment
        ]
        assert later, f"learner {learner.user.id} did nothing after the restart"
        firsts.append(min(later, key=lambda a: a.started))
    return firsts


def finished_between(learners: list[StormLearner], start: float, end: float) -> list[Attempt]:
    """Attempts whose replies (or notices) came between ``start`` and ``end``."""
    return [
        attempt
        for learner in learners
        for action in learner.actions
        for attempt in action.attempts
        if start <= attempt.finished < end
    ]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


async def counts(url: str) -> tuple[dict[int, int], list[tuple[Any, ...]]]:
    engine = db.make_engine(url)
    try:
        async with engine.connect() as connection:
            per_chat = dict(
                (
                    await connection.execute(
                        text(
                            "SELECT l.chat_id, count(*) FROM quiz_attempt a "
                            "JOIN learner l ON l.id = a.learner_id GROUP BY l.chat_id"
                        )
                    )
                ).all()
            )
            twice = (
                await connection.execute(
                    text(
                        "SELECT learner_id, prompt_nonce FROM quiz_attempt "
                        "GROUP BY learner_id, prompt_nonce HAVING count(*) > 1"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    return {int(k): int(v) for k, v in per_chat.items()}, [tuple(r) for r in twice]


@pytest.mark.skipif(
    PrivatePostgres.unavailable() is not None, reason=str(PrivatePostgres.unavailable())
)
@pytest.mark.timeout(600)  # about 1.5 min alone; several times that on a machine shared by many
async def test_redis_and_postgres_restarts_mid_storm_lose_nothing_and_never_go_silent(
    tmp_path: Path, core_pack: Pack
) -> None:
    async with private_services() as (redis, postgres), FakeTelegram() as fake:
        url = await postgres.create_database("hocvuso")
        await db.upgrade_async(url)
        bot = BotProcess(
            fake,
            url,
            tmp_path,
            HOCVUSO_REDIS_URL=redis.url,
            HOCVUSO_LOG_LEVEL=os.environ.get("HOCVUSO_TEST_FAULT_LOG", "WARNING"),
        )
        await bot.start()
        learners = [
            StormLearner(fake, fake.user(8100 + i, f"Học viên {i}"), core_pack)
            for i in range(LEARNERS)
        ]
        for learner in learners:
            learner.setup()
        stop = asyncio.Event()
        marks: dict[str, float] = {"start": time.monotonic()}

        def answers() -> int:
            return sum(x.accepted_answers for x in learners)

        def everyone_acted_since(moment: float) -> bool:
            return all(
                any(a.attempts and a.attempts[0].started >= moment for a in x.actions)
                for x in learners
            )

        async def faults() -> None:
            # Mid-session: about half of the learners are still being onboarded.
            await fake.wait_until(
                lambda: sum(len(x.actions) for x in learners) >= 4 * LEARNERS, timeout=120
            )
            marks["redis_down"] = time.monotonic()
            await redis.restart(down_for=REDIS_DOWN)
            marks["redis_up"] = time.monotonic()
            base = answers()
            # Everyone is served again (and busy) before the next fault.
            await fake.wait_until(
                lambda: (
                    everyone_acted_since(marks["redis_up"]) and answers() >= base + ANSWERS_BETWEEN
                ),
                timeout=120,
            )
            marks["postgres_down"] = time.monotonic()
            await postgres.restart(down_for=POSTGRES_DOWN)
            marks["postgres_up"] = time.monotonic()
            await fake.wait_until(lambda: everyone_acted_since(marks["postgres_up"]), timeout=120)
            stop.set()

        try:
            await asyncio.gather(faults(), *(storm_session(x, stop) for x in learners))
        finally:
            await bot.stop()
        recorded, twice = await counts(url)

    actions = [a for x in learners for a in x.actions]
    retried = [a for a in actions if len(a.attempts) > 1]
    figures = {
        "learners": LEARNERS,
        "actions": len(actions),
        "attempts": sum(len(a.attempts) for a in actions),
        "answers": answers(),
        "retried actions": len(retried),
        "storm (s)": round(time.monotonic() - marks["start"], 1),
        "first fault after (s)": round(marks["redis_down"] - marks["start"], 1),
        "redis down (s)": round(marks["redis_up"] - marks["redis_down"], 2),
        "postgres down (s)": round(marks["postgres_up"] - marks["postgres_down"], 2),
    }
    end = time.monotonic()
    before = finished_between(learners, marks["start"], marks["redis_down"])
    figures["reply time before the faults, median (s)"] = round(
        median([x.finished - x.started for x in before]), 2
    )
    for name, until in (("redis", marks["postgres_down"]), ("postgres", end)):
        down, up = marks[f"{name}_down"], marks[f"{name}_up"]
        during = finished_between(learners, down, up)
        figures[f"{name}: replies during the outage"] = sum(x.normal for x in during)
        figures[f"{name}: notices during the outage"] = sum(len(x.notices) for x in during)
        figures[f"{name}: notices in all"] = sum(
            len(x.notices) for x in finished_between(learners, down, until)
        )
        # Service is back: each learner's first action after the restart gets its own reply
        # at the first try, no "try again".
        firsts = first_tries_after(learners, up)
        assert [a for a in firsts if not a.normal or a.notices] == [], name
        waits = [a.finished - a.started for a in firsts]
        figures[f"{name}: first reply after the restart, median/max (s)"] = (
            round(median(waits), 2),
            round(max(waits), 2),
        )
    print("\nfault storm:", figures)
    # Whatever the learners saw instead of a reply is the Vietnamese "try again" message, and
    # never after the action's own reply (they would do again what was done).
    attempts = [at for x in learners for a in x.actions for at in a.attempts]
    assert {n for at in attempts for n in at.notices} <= {ERROR_TEXT}
    assert [at for at in attempts if at.normal and at.notices] == []
    # Every retried action worked in the end (act() fails otherwise), and every answer a
    # learner saw accepted is recorded exactly once.
    assert twice == []
    assert recorded == {x.user.id: x.accepted_answers for x in learners if x.accepted_answers}
    fake.assert_no_invalid_requests()
