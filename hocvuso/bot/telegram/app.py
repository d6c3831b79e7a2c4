"""The Telegram bot: wiring, long polling (the default) and webhook mode."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, LinkPreviewOptions, Update
from aiohttp import web
from pydantic import SecretStr, ValidationError

from hocvuso.bot.telegram.handlers import routers
from hocvuso.bot.telegram.middlewares import Beside, PrivateChatsOnly, ThrottleMiddleware
from hocvuso.bot.telegram.pipeline import Pipeline
from hocvuso.bot.telegram.sender import Sender
from hocvuso.chat.engine import COMMANDS, Engine
from hocvuso.config import Settings
from hocvuso.delivery.bots import bot_id_of
from hocvuso.i18n import tp
from hocvuso.storage.state import make_rate_limiter

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
#: While updates are in flight, getUpdates returns them at once: ask again when one is done, or
#: after this long for whatever arrived meanwhile.
REFETCH_SECONDS = 0.2
#: … and then this much longer, so that one request confirms what finished meanwhile; longer
#: while many are in flight (the bot is busy: new updates would wait in the pipeline anyway).
COALESCE_SECONDS = 0.01
BUSY_COALESCE_SECONDS = 0.05
BUSY = 20
#: The most updates one getUpdates returns.
POLL_LIMIT = 100
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_bot(settings: Settings, token: SecretStr | None = None) -> Bot:
    """The aiogram bot of ``token`` (default: ``HOCVUSO_TELEGRAM_TOKEN``)."""
    token = token or settings.telegram_token
    if token is None:
        raise SystemExit(
            "HOCVUSO_TELEGRAM_TOKEN is not set. Get a token from @BotFather, or try "
            "`hocvuso chat` to learn in the terminal without Telegram."
        )
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=token.get_secret_value(),
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
    pipeline: Pipeline
    #: Webhook mode: the path Telegram posts this bot's updates to (see ``webhook_path``).
    path: str = ""


def webhook_path(settings: Settings, bot_id: int) -> str:
    """``HOCVUSO_WEBHOOK_PATH`` for the bot of ``HOCVUSO_TELEGRAM_TOKEN``, and
    ``HOCVUSO_WEBHOOK_PATH/<bot id>`` for each other bot of the deployment."""
    token = settings.telegram_token
    if token is not None and bot_id_of(token.get_secret_value()) == bot_id:
        return settings.webhook_path
    return f"{settings.webhook_path.rstrip('/')}/{bot_id}"


def build(engine: Engine, bot: Bot, settings: Settings) -> TelegramApp:
    return build_all(engine, [bot], settings)[0]


def build_all(engine: Engine, bots: Sequence[Bot], settings: Settings) -> list[TelegramApp]:
    """One app per bot around one dispatcher (the routers are attached once); each update
    reaches the handlers with its own bot and that bot's sender."""
    dispatcher = Dispatcher(engine=engine, settings=settings)
    beside = Beside()
    private = PrivateChatsOnly(beside)
    throttle = ThrottleMiddleware(make_rate_limiter(settings), beside)
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(private)  # first: a group's flood never reaches the throttle
        observer.outer_middleware(throttle)
    dispatcher.include_routers(*routers())
    return [_app(engine, dispatcher, bot, settings) for bot in bots]


def _app(engine: Engine, dispatcher: Dispatcher, bot: Bot, settings: Settings) -> TelegramApp:
    async def on_blocked(chat_id: int) -> None:
        await engine.mark_blocked("telegram", chat_id, bot.id)

    sender = Sender(bot, on_blocked)

    async def feed(update: Update) -> None:
        await dispatcher.feed_update(bot, update, sender=sender)

    return TelegramApp(bot, dispatcher, sender, Pipeline(feed), webhook_path(settings, bot.id))


async def register_commands(bot: Bot) -> None:
    """The command menu, in Vietnamese by default and in English for English clients."""
    for language in ("vi", "en"):
        commands = [BotCommand(command=c, description=tp(language, f"cmd-{c}")) for c in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if language == "vi" else language)


async def poll(bot: Bot, pipeline: Pipeline, stop: asyncio.Event, poll_seconds: int = 25) -> None:
    """Long polling that keeps fetching while earlier updates are handled.

    Each update goes into the pipeline (one chat in order, chats concurrently, a bounded number
    in flight). The offset sent to Telegram is the pipeline's watermark: only updates that have
    been applied and delivered are confirmed, so a crash means redelivery, never loss, and
    redelivered updates are recognised by the engine.

    The price of the watermark: updates still in flight come back with every getUpdates until
    they are confirmed. They are skipped before they are parsed (JSON only; aiogram's models
    only for new ones), and while nothing new comes the next request waits until one of those
    in flight is done, then a little more, so that one request confirms many.
    """
    await bot.delete_webhook(drop_pending_updates=False)
    url = bot.session.api.api_url(token=bot.token, method="getUpdates")
    timeout = aiohttp.ClientTimeout(total=poll_seconds + 15)
    backoff = 1.0
    async with aiohttp.ClientSession(timeout=timeout) as http:
        while not stop.is_set():
            offset = pipeline.watermark()
            finished = pipeline.finished
            getter = asyncio.ensure_future(_get_updates(http, url, offset, poll_seconds))
            stopper = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                with contextlib.suppress(BaseException):
                    await getter
                break
            stopper.cancel()
            try:
                raw = getter.result()
            except (aiohttp.ClientError, TimeoutError, PollRefused) as exc:
                wait = getattr(exc, "retry_after", None) or backoff
                log.warning("getUpdates failed (%s); retrying in %.0fs", exc, wait)
                await asyncio.sleep(wait)
                backoff = min(backoff * 2, 30)
                continue
            backoff = 1.0
            fresh = 0
            for item in raw:
                if pipeline.seen(int(item["update_id"])):
                    continue
                fresh += 1
                try:
                    update = Update.model_validate(item, context={"bot": bot})
                except ValidationError:
                    # What a newer Bot API sends and this aiogram cannot read: skipped (and
                    # confirmed with the next request), never a stop that comes back with it.
                    log.warning("update %s could not be read; skipped", item["update_id"])
                    pipeline.skip(int(item["update_id"]))
                    continue
                await pipeline.submit(update)  # waits while the pipeline is full
            if pipeline.in_flight and (not fresh or len(raw) < POLL_LIMIT):
                # Nothing new came, or Telegram has nothing more right now: the next request
                # would return only what is in flight. Ask again once something has finished
                # since this request (and a little later, so that one request confirms many).
                if pipeline.finished == finished:
                    await pipeline.progress(REFETCH_SECONDS)
                busy = pipeline.in_flight >= BUSY
                await asyncio.sleep(BUSY_COALESCE_SECONDS if busy else COALESCE_SECONDS)
        await pipeline.join()
        # Confirm what was applied so it is not delivered again after a clean stop.
        offset = pipeline.watermark()
        if offset is not None:
            with contextlib.suppress(Exception):
                await _get_updates(http, url, offset, 0, limit=1)


class PollRefused(Exception):
    def __init__(self, description: str, retry_after: float | None) -> None:
        super().__init__(description)
        self.retry_after = retry_after


async def _get_updates(
    http: aiohttp.ClientSession, url: str, offset: int | None, seconds: int, limit: int = POLL_LIMIT
) -> list[dict[str, Any]]:
    """One getUpdates, answered as plain JSON."""
    body: dict[str, Any] = {"timeout": seconds, "limit": limit, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        body["offset"] = offset
    async with http.post(url, json=body) as response:
        answer = await response.json(content_type=None)
    if not answer.get("ok"):
        retry = (answer.get("parameters") or {}).get("retry_after")
        raise PollRefused(str(answer.get("description")), float(retry) if retry else None)
    result: list[dict[str, Any]] = answer["result"]
    return result


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


OnMe = Callable[[int, str | None], Awaitable[None]]


async def run_polling(
    app: TelegramApp, stop: asyncio.Event | None = None, on_me: OnMe | None = None
) -> None:
    """Long polling until ``stop``; ``on_me`` hears the bot's id and @name once known."""
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    # Serving comes first: the command menu is set up beside it, not before it.
    menu = asyncio.create_task(_register_quietly(app.bot, on_me))
    try:
        await poll(app.bot, app.pipeline, stop)
    finally:
        await _cancel(menu)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(BaseException):
        await task


async def _register_quietly(
    bot: Bot, on_me: Callable[[int, str | None], Awaitable[None]] | None = None
) -> None:
    try:
        me = await bot.get_me()
        log.info("bot @%s started", me.username)
        if on_me is not None:
            await on_me(me.id, me.username)
        await register_commands(bot)
    except Exception:
        log.warning("could not set the command menu", exc_info=True)


def webhook_handler(
    app: TelegramApp, secret: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Telegram's POSTs: the secret header is checked (in constant time; a request without the
    right one gets 401 and is not read), then the update goes through the same pipeline as
    long polling (one chat in order, a bounded number in flight). Telegram gets "200 OK" only
    once the update has been applied, so an update is redelivered (and recognised) if the
    process dies while handling it."""
    if not secret:
        raise ValueError("a webhook needs its secret token")
    expected = secret.encode()

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(text="Unauthorized", status=401)
        try:
            body = await request.json()
        except ValueError:
            return web.Response(text="Bad Request", status=400)
        try:
            update = Update.model_validate(body, context={"bot": app.bot})
        except ValidationError:
            # What a newer Bot API sends and this aiogram cannot read: skipped, as long polling
            # does ("200 OK"), not refused: Telegram would send it again and again.
            log.warning("update %s could not be read; skipped", _update_id(body))
            return web.json_response({})
        done = await app.pipeline.submit(update)
        await done
        return web.json_response({})

    return handle


def _update_id(body: object) -> object:
    return body.get("update_id") if isinstance(body, dict) else None


async def run_webhook(
    app: TelegramApp | Sequence[TelegramApp],
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    reuse_port: bool = False,
    register: bool = True,
    on_me: OnMe | None = None,
) -> None:
    """Webhook mode: Telegram's secret-token header is checked on every request; without
    ``HOCVUSO_WEBHOOK_SECRET`` it does not start (in any environment). The secret is the
    configured one, not one made up at start: every worker of ``--workers`` (and every machine
    behind one address) must check the same secret that worker 0 registered. Several bots share
    the one address, each at its own path (``TelegramApp.path``), and the one secret.

    ``reuse_port``: several worker processes listen on the same port (``--workers``);
    ``register``: this one tells Telegram the address (one of the workers does).
    """
    assert settings.webhook_url
    secret = settings.require_webhook_secret()
    apps = [app] if isinstance(app, TelegramApp) else list(app)
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    web_app = web.Application()
    for one in apps:
        web_app.router.add_post(one.path or settings.webhook_path, webhook_handler(one, secret))
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(
        runner, settings.webhook_host, settings.webhook_port, reuse_port=reuse_port or None
    )
    await site.start()
    if register:
        for one in apps:
            await one.bot.set_webhook(
                settings.webhook_url.rstrip("/") + (one.path or settings.webhook_path),
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
    menus = [asyncio.create_task(_register_quietly(one.bot, on_me)) for one in apps]
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await stop.wait()
    finally:
        for menu in menus:
            await _cancel(menu)
        await runner.cleanup()
        for one in apps:
            await one.pipeline.join()
