"""The scheduler service: APScheduler jobs run by the leader, the delivery worker everywhere.

APScheduler 3 (``AsyncIOScheduler``) keeps its jobs in memory (``MemoryJobStore``), with
deterministic job ids (replaced, never duplicated, when leadership is taken), ``coalesce=True`` and
a misfire grace time. Only the leader's scheduler runs; the others stay paused and check
leadership every third of its TTL. Jobs are plain functions of "now" (``deliver_due_reminders``,
``deliver_due_campaign_messages``): what is due is read from the database at each run, so a job
missed while everything was down is caught up by the next run (each job runs at once when
leadership is taken). See :meth:`SchedulerService._job_stores` for why the jobs are not stored.

Every process with a bot also runs a delivery worker for each bot it serves (each bot sends
its own learners' deliveries at its own rate, so several bots send at once): senders of one bot
share the queue (``SKIP LOCKED``) and the pacer (Redis), so more processes never means more than
the bot's rate. Without Redis only the holder of the bot's sender lease sends
(``hocvuso.scheduler.senders``); the others wait for it to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.delivery import retention
from hocvuso.delivery.botapi import BotApiClient, BulkApi
from hocvuso.delivery.pacer import MemoryPacer, Pacer, RedisPacer
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.delivery.worker import DeliveryWorker
from hocvuso.delivery.xapi import XapiSender
from hocvuso.organising import dashboard
from hocvuso.scheduler.campaign_sweep import deliver_due_campaign_messages
from hocvuso.scheduler.leader import Leadership, make_leadership
from hocvuso.scheduler.progress import report_broadcast_progress
from hocvuso.scheduler.reminders import deliver_due_reminders
from hocvuso.scheduler.senders import SenderLease
from hocvuso.storage.db import make_sessionmaker
from hocvuso.storage.state import redis_client
from hocvuso.storage.types import utcnow

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60
#: How often organisers' broadcasts are checked for a progress notice.
PROGRESS_SECONDS = 15
#: How often what has outlived its purpose is blanked or deleted (hocvuso.delivery.retention).
RETENTION_SECONDS = 3600
MISFIRE_GRACE = 30

#: The running service, for the job functions (the jobs refer to the module-level
#: :func:`run_job`, which finds the service here). One per process.
_current: SchedulerService | None = None


async def run_job(name: str) -> None:
    """Entry point of every job: look the service up and call the domain function."""
    service = _current
    if service is None:
        log.warning("job %s fired with no scheduler service running", name)
        return
    await service.run_job(name)


def make_api(settings: Settings, token: SecretStr | None = None) -> BotApiClient:
    """The bulk sender's Bot API client (of the given bot, or of ``HOCVUSO_TELEGRAM_TOKEN``),
    at the configured API URL."""
    token = token or settings.telegram_token
    if token is None:
        raise SystemExit("HOCVUSO_TELEGRAM_TOKEN is not set: nothing can be sent.")
    return BotApiClient(token.get_secret_value(), settings.telegram_api_url)


@dataclass(frozen=True)
class BotSender:
    """What sends one bot's deliveries: its id, its Bot API client and its pacer."""

    bot_id: int | str
    api: BulkApi
    pacer: Pacer


def make_pacer(settings: Settings, bot_id: int | str) -> Pacer:
    if settings.resolved_redis_url:
        return RedisPacer(
            redis_client(settings.resolved_redis_url),
            bot_id,
            settings.broadcast_rate,
            settings.per_chat_rate,
            margin=settings.send_margin,
            max_debt=settings.interactive_debt,
        )
    return MemoryPacer(
        settings.broadcast_rate,
        settings.per_chat_rate,
        margin=settings.send_margin,
        max_debt=settings.interactive_debt,
    )


class SchedulerService:
    def __init__(
        self,
        database: AsyncEngine,
        settings: Settings,
        pack: Pack | None,
        *,
        api: BulkApi | None = None,
        bot_id: int | str = "bot",
        pacer: Pacer | None = None,
        senders: Sequence[BotSender] = (),
        leadership: Leadership | None = None,
        command: str = "run",
    ) -> None:
        """``senders``: one per bot this process sends for; ``api`` (with ``bot_id`` and
        ``pacer``) is the one-bot shorthand."""
        self.database = database
        self.settings = settings
        self.pack = pack
        self.senders = list(senders)
        if api is not None:
            self.senders.append(BotSender(bot_id, api, pacer or make_pacer(settings, bot_id)))
        self.command = command
        self.leadership = leadership or make_leadership(settings, database)
        self.leader = False
        self.scheduler = AsyncIOScheduler(
            jobstores=self._job_stores(),
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE,
                "max_instances": 1,
            },
            timezone="UTC",
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._xapi: XapiSender | None = None

    @staticmethod
    def _job_stores() -> dict[str, BaseJobStore]:
        """The jobs live in memory and are added again, from code, whenever leadership is taken.

        They used to live in the database (``SQLAlchemyJobStore``, table ``apscheduler_jobs``,
        left in place by the migrations but no longer written). That store is synchronous: each
        wake-up read and rewrote the jobs on the event loop. On SQLite, a wake-up that met the
        bot's write lock blocked the whole loop for the driver's busy timeout (5 s: the bot's
        transaction could not finish meanwhile, since it runs on the same loop), then raised
        "database is locked" from ``update_job``. APScheduler 3.11 retries after
        ``jobstore_retry_interval`` only when ``get_due_jobs`` fails; an error from
        ``update_job`` or ``get_next_run_time`` escapes ``AsyncIOScheduler.wakeup``, an event
        loop callback, so the timer is never set again and the scheduler never wakes up again
        (tests/scheduler/test_service.py reproduces it).

        The other remedies leave a part of it: a longer busy timeout blocks the loop longer; a
        job store in a SQLite file of its own still does blocking I/O on the loop (and on
        PostgreSQL too); a retry around the wake-up patches APScheduler's internals. Storing the
        jobs buys nothing here: they are all defined in code (:meth:`_add_jobs`) and replaced
        with ``next_run_time=now`` whenever leadership is taken, so a stored schedule was never
        read back; only the leader's scheduler runs, so the store is never shared between
        schedulers; and each job reads what is due from the database, so a run missed while
        everything was down is made up by the first run after the start.
        """
        return {"default": MemoryJobStore()}

    async def run_job(self, name: str) -> None:
        now = utcnow()
        if name == "reminders":
            queued = await deliver_due_reminders(self.database, self.settings, now)
        elif name == "campaigns":
            queued = await deliver_due_campaign_messages(
                self.database, self.settings, self.pack, now
            )
        elif name == "progress":
            queued = await report_broadcast_progress(self.database, self.settings, now)
        elif name == "retention":
            swept = await retention.sweep(self.database, self.settings, now)
            if swept.total:
                log.info("retention: %s", swept)
            async with make_sessionmaker(self.database)() as session, session.begin():
                ended = await dashboard.sweep_expired(session, now)
            if ended:
                log.info("retention: %d ended dashboard links and sessions deleted", ended)
            return
        else:
            log.warning("unknown job %s", name)
            return
        if queued:
            log.info("job %s queued %d messages", name, queued)

    def _add_jobs(self) -> None:
        for name, seconds in (
            ("reminders", SWEEP_SECONDS),
            ("campaigns", SWEEP_SECONDS),
            ("progress", PROGRESS_SECONDS),
            ("retention", RETENTION_SECONDS),
        ):
            self.scheduler.add_job(
                run_job,
                "interval",
                seconds=seconds,
                args=[name],
                id=f"sweep:{name}",
                name=f"sweep {name}",
                replace_existing=True,
                next_run_time=utcnow(),
            )

    async def start(self) -> None:
        global _current
        _current = self
        self._tasks.append(asyncio.create_task(self._lead()))
        if self.settings.xapi_endpoint:
            self._tasks.append(asyncio.create_task(self._send_xapi()))
        for sender in self.senders:
            worker = DeliveryWorker(
                DeliveryQueue(self.database),
                sender.api,
                sender.pacer,
                rate=self.settings.broadcast_rate,
                max_attempts=self.settings.delivery_max_attempts,
                lease=timedelta(seconds=self.settings.delivery_lease),
                bot_id=sender.bot_id if isinstance(sender.bot_id, int) else None,
                consent=self.settings.consent_version,
            )
            # Without Redis, one process at a time sends a bot's queue.
            lease = (
                None
                if self.settings.resolved_redis_url
                else SenderLease(
                    self.database,
                    sender.bot_id,
                    ttl=self.settings.sender_ttl,
                    command=self.command,
                )
            )
            self._tasks.append(asyncio.create_task(self._send(worker, lease)))

    async def _send(self, worker: DeliveryWorker, lease: SenderLease | None) -> None:
        waiting_for: str | None = None
        while not self._stop.is_set():
            try:
                if lease is None:
                    await worker.run(self._stop)
                elif await lease.acquire():
                    waiting_for = None
                    async with lease.held(self._stop) as done:
                        await worker.run(done)
                else:
                    holder = await lease.current()
                    label = holder.label if holder else "another process"
                    if label != waiting_for:
                        log.info(
                            "%s sends bot %s's messages: waiting until it stops",
                            label,
                            lease.bot_id,
                        )
                        waiting_for = label
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), timeout=lease.ttl / 3)
            except Exception:
                log.exception("delivery worker failed; restarting in 5 s")
                await asyncio.sleep(5)

    async def _send_xapi(self) -> None:
        """The leader sends the xAPI outbox every ``HOCVUSO_XAPI_INTERVAL`` seconds. A loop of
        its own, not an APScheduler job: a job's every run is written to the job store, and a
        short interval on SQLite would contend with the bot's writes for nothing."""
        while not self._stop.is_set():
            if self.leader:
                try:
                    if self._xapi is None:
                        self._xapi = XapiSender.of(self.database, self.settings)
                    sent = await self._xapi.sweep()
                    if sent.sent or sent.dead:
                        log.info("xapi: %d statements sent, %d dead letters", sent.sent, sent.dead)
                except Exception:
                    log.exception("xapi sender failed; trying again at the next sweep")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.settings.xapi_interval)

    async def _lead(self) -> None:
        interval = self.settings.leader_ttl / 3
        while not self._stop.is_set():
            try:
                leader = await self.leadership.acquire()
            except Exception:
                log.exception("leadership check failed")
                leader = False
            if leader and not self.leader:
                log.info("leader: this process now runs the scheduled jobs")
                if self.scheduler.running:
                    self.scheduler.resume()
                else:
                    self.scheduler.start()
                self._add_jobs()
            elif not leader and self.leader:
                log.warning("leadership lost: pausing the scheduled jobs")
                self.scheduler.pause()
            self.leader = leader
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=interval)

    async def stop(self) -> None:
        global _current
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(Exception):
                await task
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.leader:
            with contextlib.suppress(Exception):
                await self.leadership.release()
        for sender in self.senders:
            await sender.api.close()
        if self._xapi is not None:
            await self._xapi.close()
            self._xapi = None
        _current = None
