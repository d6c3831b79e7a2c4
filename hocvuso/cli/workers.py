"""``hocvuso run --webhook --workers N``: N bot processes behind one webhook address.

Every worker is a whole ``hocvuso run --webhook`` (bot and scheduler) listening on the same port
with ``SO_REUSEPORT``: the kernel spreads Telegram's connections over them. Order needs nothing
more: Telegram sends a chat's next update only once its previous one was answered, and a worker
answers only after the update has been applied (the learner's PostgreSQL row lock serialises
anything else that touches the same person). Only worker 0 registers the webhook; one process
leads the scheduler (``hocvuso.scheduler.leader``) and one sends the queue (a shared pacer in Redis,
or the sender lease in the database).

This process only supervises: a worker that dies is started again (requests in flight on it fail,
and Telegram sends them again, to another worker); SIGTERM or SIGINT stop them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

log = logging.getLogger(__name__)
#: The environment variable that tells a worker its number (set by the supervisor only).
WORKER_ENV = "HOCVUSO_WEBHOOK_WORKER"
#: A worker that dies sooner than this after its start is restarted only after a pause.
QUICK_DEATH = 5.0


def worker_index() -> int | None:
    """This process's number among the workers, or None when it is not one."""
    value = os.environ.get(WORKER_ENV)
    return int(value) if value is not None and value.isdigit() else None


async def _worker(index: int, stop: asyncio.Event, args: Sequence[str] = ()) -> None:
    """Keep worker ``index`` running until ``stop``."""
    pause = 1.0
    while not stop.is_set():
        env = {**os.environ, WORKER_ENV: str(index)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hocvuso.cli", "run", "--webhook", *args, env=env
        )
        started = asyncio.get_running_loop().time()
        log.info("worker %d started (pid %d)", index, process.pid)
        waiter = asyncio.ensure_future(process.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(waiter, 30)
            except TimeoutError:
                process.kill()
                await waiter
            return
        stopper.cancel()
        lived = asyncio.get_running_loop().time() - started
        log.warning("worker %d exited with %s; starting it again", index, process.returncode)
        if lived < QUICK_DEATH:
            await _sleep(stop, pause)
            pause = min(pause * 2, 30.0)
        else:
            pause = 1.0


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def supervise(workers: int, args: Sequence[str] = ()) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    log.info("supervising %d webhook workers", workers)
    await asyncio.gather(*(_worker(i, stop, args) for i in range(workers)))
