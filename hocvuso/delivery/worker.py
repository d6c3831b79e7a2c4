"""The delivery worker: drains the queue through the pacer to the Bot API.

One pass: claim about a second's worth of deliveries; for each group of slots the pacer grants,
commit ``sending`` and only then call the Bot API (``botapi.BotApiClient``); results are
group-committed as they arrive.
A 429 puts the delivery back for ``retry_after``. A lone 429 is taken for that chat's own limit
(someone the bot has just answered): only that delivery waits. A second 429, for another chat,
within the first one's ``retry_after`` is the bot-wide limit: it pauses the bot (through the
pacer, so every process pauses). A 403
marks the learner blocked; a transient failure retries with backoff and, after
``max_attempts``, lands in ``dead``; a refused request (400) is dead at once. On stop, deliveries
not yet sent are given back, and those in flight are finished and recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from hocvuso.delivery.botapi import BulkApi
from hocvuso.delivery.pacer import Pacer
from hocvuso.delivery.queue import DeliveryQueue, Job, Result
from hocvuso.storage.scheduling import DeliveryState
from hocvuso.storage.types import utcnow

log = logging.getLogger(__name__)
S = DeliveryState
#: A pause (429) longer than this gives the claimed deliveries back instead of holding them.
LONG_PAUSE = 5.0


@dataclass
class Stats:
    sent: int = 0
    blocked: int = 0
    dead: int = 0
    retried: int = 0
    flood: int = 0  # 429 answers
    requests: int = 0
    started: float = field(default_factory=lambda: asyncio.get_running_loop().time())


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** (attempts - 1) * 5, 600))


class DeliveryWorker:
    def __init__(
        self,
        queue: DeliveryQueue,
        api: BulkApi,
        pacer: Pacer,
        *,
        rate: float = 30.0,
        concurrency: int = 128,
        lease: timedelta = timedelta(seconds=30),
        max_attempts: int = 5,
        idle_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        bot_id: int | None = None,
        consent: str,
    ) -> None:
        self.queue = queue
        #: The terms in force: deliveries to people who have not agreed to them are skipped.
        self.consent = consent
        #: The bot whose deliveries this worker sends (None: every delivery, for one-bot tools).
        self.bot_id = bot_id
        self.api = api
        self.pacer = pacer
        self.batch = max(10, min(int(rate), 1000))  # about one second of sending
        self.lease = lease
        self.max_attempts = max_attempts
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._slots = asyncio.Semaphore(concurrency)
        self._results: list[Result] = []
        self._flusher: asyncio.Task[None] | None = None
        #: The last 429: its chat, and until when (loop time) it counts as recent.
        self._flood: tuple[int, float] | None = None
        self.stats: Stats | None = None

    async def run(self, stop: asyncio.Event, *, until_empty: bool = False) -> Stats:
        """Send until ``stop`` is set (or, with ``until_empty``, until nothing is due)."""
        self.stats = Stats()
        await self.queue.recover()
        while not stop.is_set():
            jobs = await self.queue.claim(self.batch, self.lease, self.bot_id, consent=self.consent)
            if not jobs:
                if until_empty:
                    break
                await _sleep(stop, self.idle_seconds)
                await self.queue.recover()
                continue
            await self._pass(jobs, stop)
        await self._flush_all()
        return self.stats

    async def _pass(self, jobs: list[Job], stop: asyncio.Event) -> None:
        waiting = deque(jobs)
        tasks: set[asyncio.Task[None]] = set()
        loop = asyncio.get_running_loop()
        try:
            while waiting and not stop.is_set():
                granted, wait = await self.pacer.reserve([j.chat_id for j in waiting])
                # The next slot is due ``wait`` after the reservation, not after the commits
                # below: time spent on them must not be lost at every slot.
                due = loop.time() + wait
                take: list[Job] = []
                later: list[Job] = []
                for ok in granted:
                    (take if ok else later).append(waiting.popleft())
                if later:  # that chat had a message less than a second ago
                    await self.queue.release(later, self.clock() + timedelta(seconds=1))
                if take:
                    mine = await self.queue.mark_sending(take)
                    for job in take:
                        if job.id in mine:
                            await self._slots.acquire()
                            task = asyncio.create_task(self._send(job))
                            tasks.add(task)
                            task.add_done_callback(tasks.discard)
                if wait > LONG_PAUSE:
                    await self.queue.release(waiting, self.clock() + timedelta(seconds=wait))
                    waiting.clear()
                    await _sleep(stop, wait)
                elif wait > 0:
                    await _sleep(stop, due - loop.time())
        finally:
            if waiting:
                await self.queue.release(waiting)
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            await self._flush_all()

    async def _send(self, job: Job) -> None:
        assert self.stats is not None
        stats = self.stats
        stats.requests += 1
        try:
            result = await self._attempt(job)
        finally:
            self._slots.release()
        self._results.append(result)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_loop())

    async def _attempt(self, job: Job) -> Result:
        stats = self.stats
        assert stats is not None
        try:
            answer = await self.api.send_message(job.chat_id, job.text, job.buttons)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return self._failed(job, f"{type(exc).__name__}: {exc}")
        if answer.ok:
            stats.sent += 1
            return Result(job.id, S.SENT, job.attempts + 1, sent_at=self.clock())
        if answer.error_code == 429:
            stats.flood += 1
            wait = max(answer.retry_after, 1.0)
            if self._bot_wide(job.chat_id, wait):
                await self.pacer.pause(wait)
            return Result(
                job.id, S.PENDING, job.attempts, not_before=self.clock() + timedelta(seconds=wait)
            )
        if answer.error_code == 403:
            stats.blocked += 1
            return Result(
                job.id,
                S.BLOCKED,
                job.attempts + 1,
                error=answer.description,
                learner_id=job.learner_id,
            )
        if answer.error_code >= 500:
            return self._failed(job, answer.description)
        stats.dead += 1  # refused (400): sending it again would be refused again
        return Result(job.id, S.DEAD, job.attempts + 1, error=answer.description)

    def _bot_wide(self, chat_id: int, wait: float) -> bool:
        """Is this 429 the bot-wide limit? Not when it is the only one: Telegram does not say
        which limit it is, and a chat's own limit refuses that chat only, while the bot-wide one
        refuses the next message to anyone as well."""
        now = asyncio.get_running_loop().time()
        last, self._flood = self._flood, (chat_id, now + wait)
        return last is not None and last[0] != chat_id and now < last[1]

    def _failed(self, job: Job, error: str) -> Result:
        """A transient failure: try again later, or give up into the dead letters."""
        stats = self.stats
        assert stats is not None
        attempts = job.attempts + 1
        if attempts >= self.max_attempts:
            stats.dead += 1
            return Result(job.id, S.DEAD, attempts, error=error)
        stats.retried += 1
        later = self.clock() + backoff(attempts)
        return Result(job.id, S.PENDING, attempts, not_before=later, error=error)

    async def _flush_loop(self) -> None:
        while self._results:
            batch, self._results = self._results, []
            try:
                await self.queue.record(batch)
            except Exception:
                log.exception("could not record %d delivery results; retrying", len(batch))
                self._results = batch + self._results
                await asyncio.sleep(1)

    async def _flush_all(self) -> None:
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)
        if self._results:
            await self._flush_loop()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    if seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
