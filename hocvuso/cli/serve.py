"""``hocvuso run``: serve every bot of this process, with the scheduler beside them.

Start-up is on the learners' clock (every update that arrives meanwhile waits), so serving
starts as soon as the store is checked and the bots are known; the scheduler is set up in a
thread meanwhile (APScheduler's job store opens a synchronous engine).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from hocvuso.config import Settings

if TYPE_CHECKING:
    from hocvuso.delivery.bots import ServedBot
    from hocvuso.runtime import Runtime

log = logging.getLogger(__name__)


async def _bots(rt: Runtime, settings: Settings, names: Sequence[str]) -> list[ServedBot]:
    """The registered bots this process serves; none (or a bad name) stops it, saying why."""
    from hocvuso.bot.telegram import app as telegram
    from hocvuso.delivery import bots as registry

    try:
        served = await registry.served(rt.database, settings, names)
        if not served:
            telegram.make_bot(settings)  # without any token: says how to get one
            raise registry.BotError("no bot's token is set here: see `hocvuso bots list`")
    except BaseException as exc:
        await rt.close()
        if isinstance(exc, registry.BotError):
            raise SystemExit(str(exc)) from exc
        raise
    return served


async def serve(settings: Settings, *, webhook: bool, bot_names: Sequence[str]) -> None:
    from hocvuso.cli.lazy_aiogram import import_aiogram

    import_aiogram()  # before anything imports aiogram: its types are built on first use
    from hocvuso import runtime
    from hocvuso.bot.telegram import app as telegram
    from hocvuso.delivery import bots as registry
    from hocvuso.scheduler.service import BotSender, SchedulerService, make_api, make_pacer

    rt = await runtime.start(settings)
    served = await _bots(rt, settings, bot_names)
    apps = telegram.build_all(
        rt.engine, [telegram.make_bot(settings, one.token) for one in served], settings
    )
    senders: list[BotSender] = []
    for one, tg in zip(served, apps, strict=True):
        pacer = make_pacer(settings, one.id)
        tg.sender.pacer = pacer  # interactive replies go first; a 429 pauses bulk
        senders.append(BotSender(one.id, make_api(settings, one.token), pacer))
    log.info("serving %s", ", ".join(f"{b.name} ({b.id})" for b in served))

    async def on_me(bot_id: int, username: str | None) -> None:
        await registry.remember_username(rt.database, bot_id, username)

    async def start_scheduler() -> SchedulerService:
        # Jobs if this process leads; each bot's delivery queue always.
        service = await asyncio.to_thread(
            SchedulerService, rt.database, settings, rt.pack, senders=senders
        )
        await service.start()
        return service

    async def serving() -> None:
        if webhook or settings.webhook_url:
            if not settings.webhook_url:
                raise typer.BadParameter("--webhook needs HOCVUSO_WEBHOOK_URL")
            from hocvuso.cli.workers import worker_index

            index = worker_index()
            await telegram.run_webhook(
                apps, settings, reuse_port=index is not None, register=not index, on_me=on_me
            )
        else:
            stop = asyncio.Event()
            await asyncio.gather(*(telegram.run_polling(tg, stop, on_me) for tg in apps))

    scheduling = asyncio.ensure_future(start_scheduler())
    running = asyncio.ensure_future(serving())
    try:
        await asyncio.wait({scheduling, running}, return_when=asyncio.FIRST_COMPLETED)
        if scheduling.done() and scheduling.exception() is not None:
            running.cancel()  # a scheduler that cannot start stops the bots
            with contextlib.suppress(asyncio.CancelledError):
                await running
            scheduling.result()
        await running
    finally:
        running.cancel()
        if scheduling.done() and not scheduling.cancelled() and not scheduling.exception():
            await scheduling.result().stop()
        else:
            scheduling.cancel()
            for sender in senders:
                await sender.api.close()
        for tg in apps:
            await tg.bot.session.close()
        await rt.close()
