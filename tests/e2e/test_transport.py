"""Telegram transport details: webhook mode with its secret token, and flood limits."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack
from tests.e2e.harness import BotProcess, Learner
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
SECRET = "s3cret-token_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_webhook_mode_serves_learners_and_refuses_requests_without_the_secret(
    fake: FakeTelegram, database_url: str, engine_db: AsyncEngine, tmp_path: Path, core_pack: Pack
) -> None:
    port = free_port()
    bot = BotProcess(
        fake,
        database_url,
        tmp_path,
        HOCVUSO_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        HOCVUSO_WEBHOOK_HOST="127.0.0.1",
        HOCVUSO_WEBHOOK_PORT=str(port),
        HOCVUSO_WEBHOOK_SECRET=SECRET,
    )
    await bot.start(ready_method="setWebhook")
    try:
        assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram/webhook"
        assert fake.webhook_secret == SECRET
        person = Learner(fake, fake.user(6001, "Hoàng Mai"), core_pack)
        await person.user.send_text("/start")
        consent = await person.user.wait_for_message(timeout=20)
        assert "Tôi đồng ý" in " ".join(consent.button_texts)
        # Someone who is not Telegram (no secret header, or a wrong one) is refused.
        update = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 6002, "type": "private"},
                "from": {"id": 6002, "is_bot": False, "first_name": "X"},
                "text": "/start",
            },
        }
        async with aiohttp.ClientSession() as http:
            url = fake.webhook_url
            async with http.post(url, json=update) as response:
                assert response.status == 401
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 401
            # An update this aiogram cannot read (a newer Bot API's object) is skipped with
            # "200 OK", as long polling skips it; refused, Telegram would resend it for hours.
            future = {
                "update_id": 999_998,
                "message": {
                    **update["message"],
                    "chat": {"id": 6001, "type": "private"},
                    "from": {"id": 6001, "is_bot": False, "first_name": "Mai"},
                    "forward_origin": {"type": "origin_from_the_future", "date": 0},
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(url, json=future, headers=headers) as response:
                assert response.status == 200
            async with http.post(url, data=b"{not json", headers=headers) as response:
                assert response.status == 400
        assert 6002 not in fake.users
        await person.user.press(consent, text="Tôi đồng ý")  # and she is served as before
        await person.user.wait_for_message(lambda m: "Tiếng Việt" in " ".join(m.button_texts), 20)
        fake.assert_no_invalid_requests()
    finally:
        await bot.stop()


@pytest.mark.parametrize("args", [("--webhook",), ("--webhook", "--workers", "2")])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_webhook_mode_does_not_start_without_a_secret_in_development_either(
    fake: FakeTelegram,
    database_url: str,
    engine_db: AsyncEngine,
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    port = free_port()
    bot = BotProcess(
        fake,
        database_url,
        tmp_path,
        args=args,
        HOCVUSO_ENVIRONMENT="development",
        HOCVUSO_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        HOCVUSO_WEBHOOK_HOST="127.0.0.1",
        HOCVUSO_WEBHOOK_PORT=str(port),
    )
    bot.env.pop("HOCVUSO_WEBHOOK_SECRET", None)
    try:
        with pytest.raises(AssertionError, match="the bot exited at start"):
            await bot.start(ready_method="setWebhook")
        assert "Webhook mode needs HOCVUSO_WEBHOOK_SECRET" in bot.log()
        assert "Traceback" not in bot.log()
        assert fake.webhook_url is None
        assert not fake.calls_to("setWebhook")
        # Nothing listens at the address: a forged update reaches no one.
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectionError):
                await http.post(f"http://127.0.0.1:{port}/telegram/webhook", json={})
    finally:
        await bot.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_flood_limits_are_waited_out_and_nothing_is_lost(
    database_url: str, engine_db: AsyncEngine, tmp_path: Path, core_pack: Pack
) -> None:
    # One message per second per chat, as Telegram enforces: an answer produces an edit and a
    # new question, so the second call gets a 429 with retry_after and must be retried.
    async with FakeTelegram(per_chat_rate=1.0) as fake:
        bot = BotProcess(fake, database_url, tmp_path)
        await bot.start()
        try:
            person = Learner(fake, fake.user(6101, "Ngô Lan"), core_pack)
            await person.onboard(role="Khác", placement=False)
            await person.press("Làm câu hỏi")
            await person.answer(correct=True)
            assert "Câu 2/3" in (person.prompt().text or "")
            assert fake.rate_limited_count > 0
            assert not person.saw_error()
            fake.assert_no_invalid_requests()
        finally:
            await bot.stop()
