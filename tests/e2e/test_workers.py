"""Webhook mode with several worker processes behind one address (``--workers``)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack
from tests.e2e.harness import BotProcess, Learner
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
SECRET = "workers-secret_for-tests"
LEARNERS = int(os.environ.get("HOCVUSO_TEST_WORKER_LEARNERS", "300"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def rows(engine_db: AsyncEngine, sql: str) -> list[tuple[object, ...]]:
    async with engine_db.connect() as connection:
        return [tuple(r) for r in (await connection.execute(text(sql))).all()]


async def session(learner: Learner) -> None:
    await learner.onboard(role="Cán bộ, công chức", placement=False)
    # Three messages at once: applied in the order they were sent.
    for command in ("/progress", "/help", "/progress"):
        await learner.user.send_text(command)
    last = learner.fake.updates[-1]["update_id"]
    await learner.fake.wait_until(lambda: learner.fake.confirmed_offset > last, timeout=120)
    await learner.send("/learn")
    if any("Làm câu hỏi" in label for label in learner.labels()):
        await learner.press("Làm câu hỏi")
    for _ in range(10):
        if not (learner.labels() and learner.labels()[0] == "A"):
            break
        await learner.answer(correct=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_three_webhook_workers_keep_order_and_survive_a_killed_worker(
    database_url: str, engine_db: AsyncEngine, tmp_path: Path, core_pack: Pack
) -> None:
    port = free_port()
    async with FakeTelegram() as fake:
        bot = BotProcess(
            fake,
            database_url,
            tmp_path,
            args=("--webhook", "--workers", "3"),
            HOCVUSO_WEBHOOK_URL=f"http://127.0.0.1:{port}",
            HOCVUSO_WEBHOOK_HOST="127.0.0.1",
            HOCVUSO_WEBHOOK_PORT=str(port),
            HOCVUSO_WEBHOOK_SECRET=SECRET,
            HOCVUSO_LOG_LEVEL=os.environ.get("HOCVUSO_TEST_WORKER_LOG", "WARNING"),
        )
        await bot.start(ready_method="setWebhook")
        try:
            await fake.wait_until(lambda: len(bot.children()) == 3, timeout=30)
            learners = [
                Learner(fake, fake.user(7700 + i, f"Người học {i}"), core_pack)
                for i in range(LEARNERS)
            ]
            killed: list[int] = []

            async def kill_one_worker_halfway() -> None:
                await fake.wait_until(
                    lambda: sum(x.answered for x in learners) >= LEARNERS, timeout=300
                )
                # Replies are held, so that the workers are caught with requests in flight; the
                # one killed is one that holds connections (Telegram keeps its connections open,
                # so a worker that started last may have none).
                fake.hold("sendMessage", "editMessageText", "answerCallbackQuery")
                await fake.wait_until(lambda: fake.held_calls >= 30, timeout=60)
                victim = max(bot.children(), key=lambda pid: bot.connections(pid, port))
                assert bot.connections(victim, port) > 0
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                await asyncio.sleep(0.2)
                fake.release()

            await asyncio.gather(kill_one_worker_halfway(), *(session(x) for x in learners))
            # The supervisor started the killed worker again.
            await fake.wait_until(
                lambda: len(bot.children()) == 3 and killed[0] not in bot.children(), timeout=30
            )
        finally:
            await bot.stop()
        assert [x.user.chat_id for x in learners if x.saw_error()] == []
        answers = await rows(engine_db, "SELECT count(*) FROM quiz_attempt")
        assert answers[0][0] == sum(x.answered for x in learners) > 0
        twice = await rows(
            engine_db,
            "SELECT learner_id, prompt_nonce FROM quiz_attempt "
            "GROUP BY learner_id, prompt_nonce HAVING count(*) > 1",
        )
        assert twice == []
        # Per person, updates were applied in the order they were sent.
        out_of_order = await rows(
            engine_db,
            "SELECT a.learner_id, a.update_id, b.update_id FROM processed_update a "
            "JOIN processed_update b ON a.learner_id = b.learner_id "
            "AND a.update_id < b.update_id AND a.processed_at > b.processed_at",
        )
        assert out_of_order == []
        # A request in flight on the killed worker failed and was sent again, to another one.
        assert any(d.status != 200 for d in fake.webhook_deliveries)
        assert [e for e in fake.invalid_requests if "not modified" not in e.description] == []
