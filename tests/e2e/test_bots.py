"""Two bots on one store: each person is a learner of the bot they talk to, and a broadcast
reaches every learner of both bots, each through their own bot and at that bot's own limits."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack
from tests.e2e.harness import ROOT, BotProcess, Learner
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
HUE_TOKEN = "7000000002:AAE_hue-bot-token_for-the-tests_x"


async def cli(database_url: str, *args: str, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hocvuso.cli",
        *args,
        cwd=ROOT,
        env={**os.environ, "HOCVUSO_DATABASE_URL": database_url, "COLUMNS": "200", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return int(process.returncode or 0), output.decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_two_bots_share_one_store_and_a_broadcast_reaches_both_through_their_own_bot(
    mode: str,
    fake: FakeTelegram,
    database_url: str,
    engine_db: AsyncEngine,
    tmp_path: Path,
    core_pack: Pack,
) -> None:
    hue = fake.add_bot(HUE_TOKEN, bot_username="hocvuso_hue_bot")
    env = {"HOCVUSO_TELEGRAM_TOKEN": fake.token, "HOCVUSO_TOKEN_HUE": HUE_TOKEN}

    # The token is never typed: only the name of the variable that holds it.
    code, output = await cli(database_url, "bots", "add", "hue", "--token-env", "HOCVUSO_NONE")
    assert code == 1 and "HOCVUSO_NONE is not set" in output
    code, output = await cli(
        database_url, "bots", "add", "hue", "--token-env", "HOCVUSO_TOKEN_HUE", **env
    )
    assert code == 0, output
    assert HUE_TOKEN.split(":")[1] not in output

    ready = "deleteWebhook"
    serving: dict[str, str] = {}
    if mode == "webhook":  # both bots at one address, each at its own path
        port = free_port()
        ready = "setWebhook"
        serving = {
            "HOCVUSO_WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "HOCVUSO_WEBHOOK_HOST": "127.0.0.1",
            "HOCVUSO_WEBHOOK_PORT": str(port),
            "HOCVUSO_WEBHOOK_SECRET": "two-bots-secret-token",
        }
    bot = BotProcess(fake, database_url, tmp_path, HOCVUSO_TOKEN_HUE=HUE_TOKEN, **serving)
    await bot.start(ready_method=ready)
    try:
        await hue.wait_until(lambda: len(hue.calls_to(ready)) == 1, timeout=30)
        if mode == "webhook":
            assert hue.webhook_url == f"http://127.0.0.1:{port}/telegram/webhook/{hue.bot_id}"
            assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram/webhook"
        # 9001 talks to both bots: a learner of each.
        hanoi_people = [
            Learner(fake, fake.user(9000 + i, f"Hà Nội {i}"), core_pack) for i in (1, 2)
        ]
        hue_people = [Learner(hue, hue.user(9000 + i, f"Huế {i}"), core_pack) for i in (1, 3, 4)]
        await asyncio.gather(
            *(p.onboard(role="Cán bộ, công chức", placement=False) for p in hanoi_people),
            *(p.onboard(role="Cán bộ, công chức", placement=False) for p in hue_people),
        )
        async with engine_db.connect() as connection:
            per_bot = dict(
                (
                    await connection.execute(
                        text("SELECT bot_id, count(*) FROM learner GROUP BY bot_id")
                    )
                ).all()
            )
        assert per_bot == {fake.bot_id: 2, hue.bot_id: 3}

        code, output = await cli(database_url, "bots", "list", **env)
        assert code == 0, output
        assert "main" in output and "hue" in output and "@hocvuso_hue_bot" in output

        # Queued from the command line; the running process sends through both bots.
        code, output = await cli(
            database_url,
            "broadcast",
            "send",
            "--queue-only",
            "--text",
            "Họp trực tuyến về chữ ký số chiều thứ Sáu.",
            **env,
        )
        assert code == 0, output
        everyone = hanoi_people + hue_people

        def told(person: Learner) -> bool:
            return any("chữ ký số" in t for t in person.user.texts)

        await fake.wait_until(lambda: all(told(p) for p in everyone), timeout=60)
    finally:
        await bot.stop()
    # Each message went through the bot its learner talks to, once.
    assert (
        sum("chữ ký số" in (c.params.get("text") or "") for c in fake.calls_to("sendMessage")) == 2
    )
    assert (
        sum("chữ ký số" in (c.params.get("text") or "") for c in hue.calls_to("sendMessage")) == 3
    )
    fake.assert_no_invalid_requests()
    hue.assert_no_invalid_requests()
