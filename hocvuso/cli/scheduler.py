"""``hocvuso campaign …``, ``hocvuso broadcast …`` and ``hocvuso scheduler``: parse, call one
domain function, render."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.cli import runs
from hocvuso.config import Settings, get_settings
from hocvuso.delivery import audience as aud
from hocvuso.delivery import broadcasts
from hocvuso.delivery.bots import ServedBot
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.i18n import plain
from hocvuso.organising import broadcasting, campaign_report
from hocvuso.organising.errors import StaffError
from hocvuso.organising.permissions import CLI
from hocvuso.scheduler import campaign_sweep, campaigns
from hocvuso.storage.scheduling import FINAL_STATES, CampaignStatus, DeliveryState
from hocvuso.storage.types import utcnow

campaign_app = typer.Typer(help="Campaigns: drives toward a milestone.", no_args_is_help=True)
broadcast_app = typer.Typer(help="Announcements to many learners.", no_args_is_help=True)
console = Console()
T = TypeVar("T")
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.CLAIMED, DeliveryState.SENDING)


def _run(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    try:
        return asyncio.run(runs.with_database(get_settings(), work))
    except (campaign_sweep.CampaignError, broadcasts.BroadcastError, aud.AudienceError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    except StaffError as exc:
        console.print(Text(plain(exc.message("en")), style="red"))
        raise typer.Exit(1) from exc


# --- campaigns ----------------------------------------------------------------------------------
@campaign_app.command("create")
def campaign_create(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Create a campaign from a YAML file (see examples/campaigns/)."""
    try:
        spec = campaigns.load(file)
    except (ValidationError, ValueError) as exc:
        console.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(1) from exc
    campaign_id = _run(lambda database: campaign_sweep.create(database, spec, actor=CLI))
    schedule = spec.schedule()
    today = date.today()  # noqa: DTZ011 - an organiser's hint only
    upcoming = [(day, index) for day, index in schedule if day >= today]
    console.print(f"campaign {campaign_id} [bold]{spec.slug}[/bold]: {spec.name}")
    console.print(f"milestone {spec.milestone:%d/%m/%Y}, audience {aud.describe(spec.audience)}")
    if not upcoming:
        console.print("[yellow]every message of this campaign lies in the past[/yellow]")
    for day, index in upcoming[:10]:
        hour = spec.hour_of(spec.messages[index])
        console.print(f"  {day:%a %d/%m/%Y} {hour:02d}:00  message {index + 1}")
    if len(upcoming) > 10:
        console.print(f"  … and {len(upcoming) - 10} more")


@campaign_app.command("report")
def campaign_report_command(
    slug: str,
    days: int = typer.Option(
        campaign_report.WINDOW_DAYS, min=1, max=30, help="Days compared before and after."
    ),
) -> None:
    """Each message of a campaign: sent or not, reach, learners active before and after it
    (the dashboard's campaign page over everyone; docs/dashboard.md defines the figures)."""
    settings = get_settings()

    async def work(
        database: AsyncEngine,
    ) -> tuple[campaign_report.CampaignSummary, list[campaign_report.MessageReport]]:
        async with database.connect() as connection:
            return await campaign_report.report_of(
                connection, slug, utcnow(), consent=settings.consent_version, window_days=days
            )

    summary, messages = _run(work)
    console.print(f"campaign {summary.id} [bold]{summary.slug}[/bold]: {summary.name}")
    table = Table("planned", "sent", "reach", f"active {days} d before", "after", "change")
    for m in messages:
        activity = m.activity
        table.add_row(
            f"{m.planned_at:%d/%m/%Y %H:%M}",
            "yes" if m.sent else "no",
            f"{m.reached}/{m.audience}" if m.sent else f"-/{m.audience}",
            str(activity.before) if activity else "-",
            (str(activity.after) + (" (window not over)" if activity.incomplete else ""))
            if activity
            else "-",
            f"{activity.change:+d} ({activity.change_points or 0:+.1f} pp)" if activity else "-",
        )
    console.print(table)


@campaign_app.command("list")
def campaign_list() -> None:
    """Campaigns with their milestone, status and messages sent."""
    rows = _run(campaign_sweep.listing)
    table = Table("id", "slug", "name", "milestone", "status", "sent")
    for row in rows:
        table.add_row(
            str(row.id), row.slug, row.name, f"{row.milestone:%d/%m/%Y}", row.status, str(row.sent)
        )
    console.print(table)


def _set_status(slug: str, status: CampaignStatus) -> None:
    _run(lambda database: campaign_sweep.set_status(database, slug, status, actor=CLI))
    console.print(f"campaign {slug}: {status}")


@campaign_app.command("pause")
def campaign_pause(slug: str) -> None:
    """Stop sending a campaign's messages until it is resumed."""
    _set_status(slug, CampaignStatus.PAUSED)


@campaign_app.command("resume")
def campaign_resume(slug: str) -> None:
    """Resume a paused campaign (days missed meanwhile are not replayed)."""
    _set_status(slug, CampaignStatus.ACTIVE)


@campaign_app.command("cancel")
def campaign_cancel(slug: str) -> None:
    """Cancel a campaign for good; its queued, unsent messages are dropped."""
    _set_status(slug, CampaignStatus.CANCELLED)


# --- broadcasts ---------------------------------------------------------------------------------
class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} msg/s" if speed else "    … msg/s", style="cyan")


async def _follow(
    database: AsyncEngine,
    broadcast_id: int,
    sending: asyncio.Task[Any] | None,
    stop: asyncio.Event,
) -> dict[str, int]:
    queue = DeliveryQueue(database)
    total = await broadcasts.total(database, broadcast_id)
    with Progress(
        TextColumn(f"broadcast {broadcast_id}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("send", total=total)
        while True:
            counts = await queue.counts(broadcast_id)
            done = sum(counts.get(s, 0) for s in FINAL_STATES)
            progress.update(task, completed=done)
            if done >= total or stop.is_set() or (sending is not None and sending.done()):
                return counts
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.5)


def _show_counts(counts: dict[str, int]) -> None:
    if not counts:
        console.print("no deliveries")
        return
    table = Table("state", "deliveries")
    for state in DeliveryState:
        if counts.get(state):
            table.add_row(str(state), str(counts[state]))
    console.print(table)


@broadcast_app.command("send")
def broadcast_send(
    text: str = typer.Option(..., "--text", help="The message (Telegram HTML: <b>, <i>, <a>)."),
    audience: list[str] = typer.Option(
        [], "--audience", help="unit=QH,HN-* | role=deputy | level=1 (repeatable; default all)."
    ),
    button: bool = typer.Option(True, help="Add a 'Học ngay' button that starts a session."),
    queue_only: bool = typer.Option(
        False, "--queue-only", help="Only queue: a running `hocvuso run`/`scheduler` sends."
    ),
) -> None:
    """Queue an announcement and send it at Telegram's limits, with progress."""
    settings = get_settings()
    try:
        wanted = aud.parse(audience)
    except aud.AudienceError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc

    async def work(database: AsyncEngine) -> None:
        stop = _stop_on_signals()  # before queueing: a SIGTERM from then on stops cleanly
        async with AsyncSession(database) as session, session.begin():
            created = await broadcasting.do_broadcast(
                session,
                CLI,
                text,
                wanted,
                utcnow(),
                consent=settings.consent_version,
                learn_button=button,
            )
        console.print(
            f"broadcast {created.broadcast_id}: {created.queued} learners ({aud.describe(wanted)})"
        )
        if created.queued:
            await _deliver(database, settings, created.broadcast_id, send=not queue_only, stop=stop)

    _run(work)


@broadcast_app.command("resume")
def broadcast_resume(broadcast_id: int) -> None:
    """Go on sending a broadcast (after a stop or a crash): nobody gets it twice."""
    settings = get_settings()

    async def work(database: AsyncEngine) -> None:
        await broadcasting.do_resume(database, CLI, broadcast_id, utcnow())
        await _deliver(database, settings, broadcast_id, send=True)

    _run(work)


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (a clean stop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _deliver(
    database: AsyncEngine,
    settings: Settings,
    broadcast_id: int,
    *,
    send: bool,
    stop: asyncio.Event | None = None,
) -> None:
    """Send (unless another process does) and follow the progress; SIGTERM stops cleanly."""
    stop = stop if stop is not None else _stop_on_signals()
    sending = (
        asyncio.create_task(_send_until_done(database, settings, broadcast_id, stop))
        if send
        else None
    )
    try:
        counts = await _follow(database, broadcast_id, sending, stop)
    finally:
        stop.set()
        if sending is not None:
            await sending
    _show_counts(await DeliveryQueue(database).counts(broadcast_id) if sending else counts)


async def _send_until_done(
    database: AsyncEngine, settings: Settings, broadcast_id: int, stop: asyncio.Event
) -> None:
    """Send through every bot whose token is set here, each at its own rate, until each bot's
    deliveries of the broadcast are final (retries and the leases of a sender that died
    included), or until stopped. Deliveries of a bot not served here wait for the process that
    serves it."""
    from hocvuso.delivery import bots as registry

    try:
        served = await registry.served(database, settings)
    except registry.BotError as exc:
        raise SystemExit(str(exc)) from exc
    if not served:
        raise SystemExit("HOCVUSO_TELEGRAM_TOKEN is not set: nothing can be sent.")
    counts = await DeliveryQueue(database).counts(broadcast_id)
    mine = 0
    for bot in served:
        mine += sum((await DeliveryQueue(database).counts(broadcast_id, bot.id)).values())
    if sum(counts.values()) > mine:
        console.print(
            f"{sum(counts.values()) - mine} of these messages are for bots whose tokens are not "
            "set here: the `hocvuso run` that serves them sends them"
        )
    await asyncio.gather(
        *(_send_through(database, settings, broadcast_id, stop, bot) for bot in served)
    )


async def _send_through(
    database: AsyncEngine,
    settings: Settings,
    broadcast_id: int,
    stop: asyncio.Event,
    bot: ServedBot,
) -> None:
    """One bot's part. Without Redis, when another process holds the bot's sender lease (a
    running ``hocvuso run`` or ``hocvuso scheduler``), that process sends: this one only waits,
    and takes over if it stops. With Redis both send through the shared pacer."""
    from hocvuso.delivery.worker import DeliveryWorker
    from hocvuso.scheduler.senders import SenderLease
    from hocvuso.scheduler.service import make_api, make_pacer

    api = make_api(settings, bot.token)
    queue = DeliveryQueue(database)
    lease = (
        None
        if settings.resolved_redis_url
        else SenderLease(database, bot.id, ttl=settings.sender_ttl, command="broadcast")
    )

    async def finished() -> bool:
        counts = await queue.counts(broadcast_id, bot.id)
        return not any(counts.get(s) for s in OPEN_STATES)

    try:
        worker = DeliveryWorker(
            queue,
            api,
            make_pacer(settings, bot.id),
            rate=settings.broadcast_rate,
            max_attempts=settings.delivery_max_attempts,
            lease=timedelta(seconds=settings.delivery_lease),
            bot_id=bot.id,
            consent=settings.consent_version,
        )
        told: str | None = None
        while not stop.is_set():
            if lease is not None and not await lease.acquire():
                holder = await lease.current()
                label = holder.label if holder else "another process"
                if label != told:
                    console.print(
                        f"bot {bot.name}: sent by the running {label}, at the bot's rate; this "
                        "command follows (Ctrl-C leaves it sending)"
                    )
                    told = label
                if await finished():
                    break
                await _wait(stop, 1.0)
                continue
            if told:
                console.print(f"bot {bot.name}: the other sender stopped, sending from here")
                told = None
            async with lease.held(stop) if lease else _unleased(stop) as done:
                while not done.is_set():
                    await worker.run(done, until_empty=True)
                    if await finished():
                        return
                    await _wait(done, 1.0)
    finally:
        await api.close()


@contextlib.asynccontextmanager
async def _unleased(stop: asyncio.Event) -> AsyncIterator[asyncio.Event]:
    yield stop


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


@broadcast_app.command("status")
def broadcast_status(broadcast_id: int) -> None:
    """Deliveries of a broadcast by state."""

    async def work(database: AsyncEngine) -> dict[str, int]:
        if not await broadcasts.exists(database, broadcast_id):
            raise broadcasts.BroadcastError(f"no broadcast {broadcast_id}")
        return await DeliveryQueue(database).counts(broadcast_id)

    _show_counts(_run(work))


@broadcast_app.command("dead")
def broadcast_dead(
    broadcast_id: int = typer.Argument(None, help="One broadcast; default all deliveries."),
) -> None:
    """The dead letters (failed for good) and the unknown ones (sender died mid-call)."""
    rows = _run(lambda database: DeliveryQueue(database).dead_letters(broadcast_id, limit=200))
    table = Table("delivery", "key", "learner", "state", "attempts", "last error")
    for row in rows:
        table.add_row(
            str(row.id),
            row.key,
            str(row.learner_id),
            row.state,
            str(row.attempts),
            row.last_error or "",
        )
    console.print(table)


@broadcast_app.command("requeue")
def broadcast_requeue(
    broadcast_id: int = typer.Argument(None, help="One broadcast; default all deliveries."),
    unknown: bool = typer.Option(
        False, "--unknown", help="Also resend 'unknown' ones (they may arrive twice)."
    ),
) -> None:
    """Send the dead letters again."""
    states = [DeliveryState.DEAD, *([DeliveryState.UNKNOWN] if unknown else [])]
    count = _run(
        lambda database: broadcasting.do_requeue(database, CLI, broadcast_id, states, utcnow())
    )
    console.print(f"{count} deliveries queued again")


# --- the service --------------------------------------------------------------------------------
def scheduler_command() -> None:
    """Run the scheduler alone (reminders, campaigns, the delivery queue)."""
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    async def main() -> None:
        from hocvuso import runtime
        from hocvuso.delivery import bots as registry
        from hocvuso.scheduler.service import BotSender, SchedulerService, make_api, make_pacer

        rt = await runtime.start(settings)
        try:
            served = await registry.served(rt.database, settings)
        except registry.BotError as exc:
            await rt.close()
            raise SystemExit(str(exc)) from exc
        if not served:
            logging.getLogger(__name__).warning(
                "no bot's token is set here (HOCVUSO_TELEGRAM_TOKEN): messages are queued, not sent"
            )
        senders = [
            BotSender(b.id, make_api(settings, b.token), make_pacer(settings, b.id)) for b in served
        ]
        service = SchedulerService(
            rt.database, settings, rt.pack, senders=senders, command="scheduler"
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await service.start()
        try:
            await stop.wait()
        finally:
            await service.stop()
            await rt.close()

    asyncio.run(main())
