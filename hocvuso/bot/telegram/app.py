"""The Telegram bot: wiring, long polling (the default) and webhook mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.types import BotCommand, LinkPreviewOptions
from aiohttp import web

from hocvuso.bot.telegram.handlers import routers
from hocvuso.bot.telegram.middlewares import ThrottleMiddleware
from hocvuso.bot.telegram.sender import Sender
from hocvuso.chat.engine import COMMANDS, Engine
from hocvuso.config import Settings
from hocvuso.i18n import t
from hocvuso.storage.state import make_rate_limiter

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]


def make_bot(settings: Settings) -> Bot:
    if settings.telegram_token is None:
        raise SystemExit(
            "HOCVUSO_TELEGRAM_TOKEN is not set. Get a token from @BotFather, or try "
            "`hocvuso chat` to learn in the terminal without Telegram."
        )
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=settings.telegram_token.get_secret_value(),
        session=session,
        # link_preview, not link_preview_is_disabled: that one sends disable_web_page_preview,
        # which the Bot API replaced with link_preview_options in 7.0.
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML,
            link_preview=LinkPreviewOptions(is_disabled=True),
        ),
    )


@dataclass
class TelegramApp:
    bot: Bot
    dispatcher: Dispatcher
    sender: Sender


def build(engine: Engine, bot: Bot, settings: Settings) -> TelegramApp:
    async def on_blocked(chat_id: int) -> None:
        await engine.mark_blocked("telegram", chat_id)

    sender = Sender(bot, on_blocked)
    dispatcher = Dispatcher(engine=engine, sender=sender, settings=settings)
    throttle = ThrottleMiddleware(make_rate_limiter(settings), sender)
    dispatcher.message.outer_middleware(throttle)
    dispatcher.callback_query.outer_middleware(throttle)
    dispatcher.include_routers(*routers())
    return TelegramApp(bot, dispatcher, sender)


async def register_commands(bot: Bot) -> None:
    """The command menu, in Vietnamese by default and in English for English clients."""
    for language in ("vi", "en"):
        commands = [BotCommand(command=c, description=t(language, f"cmd-{c}")) for c in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if language == "vi" else language)


async def poll(app: TelegramApp, stop: asyncio.Event, poll_seconds: int = 25) -> None:
    """Long polling that confirms updates only after they have been applied.

    Updates of one batch are handled concurrently (the engine serialises per learner); the
    offset moves past them only when all are done, so a crash means redelivery, never loss,
    and redelivered updates are recognised by the engine.
    """
    bot, dispatcher = app.bot, app.dispatcher
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        getter = asyncio.ensure_future(
            bot.get_updates(offset=offset, timeout=poll_seconds, allowed_updates=ALLOWED_UPDATES)
        )
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            with contextlib.suppress(BaseException):
                await getter
            break
        stopper.cancel()
        try:
            updates = getter.result()
        except (TelegramNetworkError, TelegramServerError) as exc:
            log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30)
            continue
        backoff = 1.0
        if not updates:
            continue
        await asyncio.gather(
            *(dispatcher.feed_update(bot, update) for update in updates), return_exceptions=True
        )
        offset = updates[-1].update_id + 1
    # Confirm the last batch so it is not delivered again after a clean stop.
    if offset is not None:
        with contextlib.suppress(Exception):
            await bot.get_updates(offset=offset, timeout=0, limit=1)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def run_polling(app: TelegramApp, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    me = await app.bot.get_me()
    log.info("bot @%s started (long polling)", me.username)
    await register_commands(app.bot)
    await poll(app, stop)


async def run_webhook(
    app: TelegramApp, settings: Settings, stop: asyncio.Event | None = None
) -> None:
    """Webhook mode: Telegram's secret-token header is checked on every request."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    assert settings.webhook_url
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    web_app = web.Application()
    # handle_in_background=False: Telegram gets "200 OK" only once the update has been applied,
    # so an update is redelivered (and recognised) if the process dies while handling it.
    SimpleRequestHandler(
        app.dispatcher, app.bot, handle_in_background=False, secret_token=secret
    ).register(web_app, path=settings.webhook_path)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await register_commands(app.bot)
    await app.bot.set_webhook(
        settings.webhook_url.rstrip("/") + settings.webhook_path,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
    )
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
