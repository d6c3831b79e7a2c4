"""End-to-end harness: the real ``hocvuso run`` process against the fake Bot API server.

``BotProcess`` starts and kills the bot as a separate OS process. ``Learner`` plays a person in
Telegram: sends texts, presses buttons on the messages they see, reads questions off the screen
and picks the right (or a wrong) answer by looking it up in the content pack.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hocvuso.content.loader import Pack
from tests.fakes.telegram_api import FakeMessage, FakeTelegram, FakeUser

ROOT = Path(__file__).resolve().parents[2]
OPTION_LINE = re.compile(r"^([A-L])\. (.*)$")


class BotProcess:
    """``python -m hocvuso.cli run`` with its environment pointed at the fake server."""

    def __init__(
        self,
        fake: FakeTelegram,
        database_url: str,
        workdir: Path,
        *,
        args: tuple[str, ...] = (),
        **env: str,
    ) -> None:
        self.fake = fake
        self.args = args
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.env = {
            **os.environ,
            "HOCVUSO_TELEGRAM_TOKEN": fake.token,
            "HOCVUSO_TELEGRAM_API_URL": fake.base_url,
            "HOCVUSO_DATABASE_URL": database_url,
            "HOCVUSO_DATA_DIR": str(workdir / "data"),
            "HOCVUSO_RATE_LIMIT": "100000",
            "HOCVUSO_LOG_LEVEL": "INFO",
            # No quiet hours (start = end): these tests run at any hour of the day, and a notice
            # held until the learners' morning would look like a lost one. Quiet hours have
            # their own tests (tests/scheduler, tests/organising/test_mentoring.py).
            "HOCVUSO_QUIET_HOURS_START": "0",
            "HOCVUSO_QUIET_HOURS_END": "0",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self, ready_method: str = "deleteWebhook") -> None:
        """Start and wait until it is ready: long polling begins with deleteWebhook, webhook
        mode ends its start with setWebhook."""
        self.starts += 1
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hocvuso.cli",
            "run",
            *self.args,
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        log.close()
        ready = len(self.fake.calls_to(ready_method))
        await self.fake.wait_until(
            lambda: len(self.fake.calls_to(ready_method)) > ready or self._died(), timeout=60
        )
        if self._died():
            raise AssertionError(f"the bot exited at start:\n{self.log()}")

    def children(self) -> list[int]:
        """The process ids of its child processes (the workers of ``--workers``)."""
        assert self.process is not None
        pid = self.process.pid
        path = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(c) for c in path.read_text().split()] if path.exists() else []

    @staticmethod
    def connections(pid: int, port: int) -> int:
        """How many established TCP connections process ``pid`` holds on its local ``port``
        (from /proc: the process's socket inodes matched against the kernel's TCP table)."""
        inodes = set()
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir() if fd_dir.exists() else ():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        count = 0
        for table in ("tcp", "tcp6"):
            path = Path(f"/proc/{pid}/net/{table}")
            for line in path.read_text().splitlines()[1:] if path.exists() else ():
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                established = fields[3] == "01"
                if local_port == port and established and fields[9] in inodes:
                    count += 1
        return count

    def _died(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    async def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a crash or an OOM kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            await self.kill()


@dataclass
class Learner:
    fake: FakeTelegram
    user: FakeUser
    pack: Pack
    timings: list[float] = field(default_factory=list)
    answered: int = 0

    async def _settle(self, update: dict[str, Any], started: float, wait: float = 30) -> None:
        """Wait until the bot has applied the update and sent everything it produced."""
        update_id = update["update_id"]
        first_reply = None
        deadline = time.monotonic() + wait

        def replied() -> bool:
            return self.fake.confirmed_offset > update_id

        while not replied():
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update_id} not handled; screen: {self.screen()}")
            await self.fake.wait_until(replied, timeout=max(0.1, deadline - time.monotonic()))
        first_reply = time.monotonic()
        self.timings.append(first_reply - started)

    async def send(self, text: str) -> None:
        started = time.monotonic()
        update = await self.user.send_text(text)
        await self._settle(update, started)

    def prompt(self) -> FakeMessage:
        """The newest bot message that has buttons."""
        for message in reversed(self.user.visible_messages):
            if message.buttons:
                return message
        raise AssertionError(f"no message with buttons; screen: {self.screen()}")

    def screen(self) -> list[str]:
        return [m.text or m.caption or "" for m in self.user.visible_messages[-4:]]

    def labels(self) -> list[str]:
        try:
            return self.prompt().button_texts
        except AssertionError:
            return []

    async def press(self, label: str, message: FakeMessage | None = None) -> None:
        message = message or self.prompt()
        button = message.button(text=label)
        started = time.monotonic()
        await self.user.press(message, button["callback_data"])
        update = self.fake.updates[-1]
        await self._settle(update, started)

    def question_on_screen(self) -> tuple[FakeMessage, str]:
        message = self.prompt()
        text = message.text or ""
        for question_id, ref in self.pack.questions.items():
            if ref.question.text in text:
                return message, question_id
        raise AssertionError(f"no known question on screen: {text[:300]}")

    def letter(self, message: FakeMessage, question_id: str, correct: bool) -> str:
        question = self.pack.questions[question_id].question
        right = question.options[question.correct]
        for line in (message.text or "").splitlines():
            match = OPTION_LINE.match(line.strip())
            if match and (match.group(2) == right) == correct:
                return match.group(1)
        raise AssertionError("option not found on screen")

    async def answer(self, correct: bool = True) -> str:
        message, question_id = self.question_on_screen()
        await self.press(self.letter(message, question_id, correct), message)
        self.answered += 1
        return question_id

    async def onboard(self, role: str, placement: bool) -> None:
        await self.send("/start")
        await self.press("Tôi đồng ý")
        await self.press("Tiếng Việt")
        await self.press(role)
        await self.press("Bỏ qua")
        await self.press("Làm bài xếp lớp" if placement else "Bỏ qua, học từ đầu")

    def saw_error(self) -> bool:
        return any("đã có lỗi xảy ra" in t for t in self.user.texts)


async def study_until_exam(learner: Learner, *, max_steps: int = 2000) -> int:
    """Take lessons and answer their questions until the exam is offered; returns lessons."""
    lessons = 0
    for _ in range(max_steps):
        labels = " ".join(learner.labels())
        if "Bắt đầu thi" in labels:
            return lessons
        if "Làm câu hỏi" in labels:
            lessons += 1
            await learner.press("Làm câu hỏi")
        elif "Học tiếp" in labels:
            await learner.press("Học tiếp")
        elif labels.startswith("A"):
            await learner.answer(correct=True)
        else:
            raise AssertionError(f"stuck; screen: {learner.screen()}")
    raise AssertionError("too many steps")


async def short_session(learner: Learner, lessons: int = 2, *, max_questions: int = 50) -> None:
    """A newcomer's first 5–10 minutes: onboarding, then a few lessons with their questions."""
    await learner.onboard(role="Cán bộ, công chức", placement=False)
    for _ in range(lessons):
        await learner.press("Làm câu hỏi")
        for _ in range(max_questions):
            if not (learner.labels() and learner.labels()[0] == "A"):
                break
            await learner.answer(correct=True)
        else:
            raise AssertionError(
                f"still answering after {max_questions} questions in one lesson; "
                f"screen: {learner.screen()}"
            )
        await learner.press("Học tiếp")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]
