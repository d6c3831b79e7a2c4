"""Throughput against a yardstick: hocvuso next to a bare aiogram 3 echo bot, same load, one run.

Starts the fake Bot API server (tests/fakes), then for each bot a fresh fake and the bot as its
own OS process, long polling against the fake's URL:

1. the yardstick, bench/echo_bot.py: aiogram 3 with its defaults, one ``send_message`` per
   message, no storage;
2. ``hocvuso run`` (tests/e2e/harness.py ``BotProcess``) on a throw-away SQLite file;
3. the yardstick again, then ``hocvuso run`` on a throw-away PostgreSQL database (created,
   migrated, dropped here). Each ratio divides hocvuso's rate by the yardstick's measured just
   before it: other work on this shared machine changes both alike.

The load: ``--chats`` people (300) all start at once, and each sends ``--messages`` ``/start``
(5), the next one as soon as the bot has answered the previous one (as fast as possible, all
chats at once: a closed loop of 300 chats in flight). A newcomer's ``/start`` is answered by
hocvuso with its consent screen. "A reply" is the bot's first message to that chat
(sendMessage, sendDocument, sendPoll or editMessageText) after the update was offered.

Printed per bot: replies/s (completed replies over the wall time from the first offer to the
last reply), first-reply latency p50/p99 (from offering an update to its reply), CPU of the bot
process per reply and of this process (the fake and the simulated people) per reply, the
bot's messages per update, the ratio of hocvuso's replies/s to the echo bot's (issue 10's
goal: at least 0.5 on both databases), how long the bot waited for a CPU and how busy the whole
machine was (it is shared: read the ratio, not the absolute rates), and the getUpdates requests
and the updates they handed out per offered update (above 1: updates fetched again while they
were still unconfirmed, each one parsed by aiogram again).

The fake runs in this process and the bots in their own, so that each bot has a core of the
two to itself. ``--ref REV`` runs hocvuso as committed at REV (``git archive``) instead of the
working tree, for a baseline next to work in progress.

    .venv/bin/python bench/throughput.py [--chats 300] [--messages 5]
        [--database sqlite|postgresql|both] [--ref HEAD] [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.harness import ROOT, BotProcess, percentile
from tests.fakes.telegram_api import ApiCall, BotApiError, FakeTelegram, FakeUser

PG_ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FIRST_CHAT = 2_000_001
REPLY_METHODS = {"sendMessage", "sendDocument", "sendPoll", "editMessageText"}
REPLY_TIMEOUT = 60.0
SETTLE_SECONDS = 1.0  # after the first getUpdates: let start-up work (commands, scheduler) end
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROFILE: Path | None = None  # --profile: py-spy samples of each hocvuso run under load


class TimedFake(FakeTelegram):
    """The fake Bot API that resolves a future when a bot message reaches a chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.messages_to: Counter[int] = Counter()

    def _record(
        self, method: str, params: dict[str, Any], error: BotApiError | None, result: Any = None
    ) -> ApiCall:
        call = super()._record(method, params, error, result)
        if error is None and method in REPLY_METHODS:
            chat = params.get("chat_id")
            if isinstance(chat, int):
                self.messages_to[chat] += 1
                future = self.waiting.pop(chat, None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())
        return call


@dataclass
class Result:
    bot: str
    database: str
    offered: int
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    bot_cpu: float = 0.0
    bot_wait: float = 0.0
    fake_cpu: float = 0.0
    busy: float = 0.0
    messages: int = 0
    polls: int = 0
    handed_out: int = 0
    refused: int = 0

    @property
    def replies(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.replies / self.wall if self.wall else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (and of its children that it waited for)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def run_queue_wait(pid: int) -> float:
    """Seconds the threads of a process have waited for a CPU while runnable (schedstat)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended meanwhile
    return total / 1e9


def machine_busy() -> float:
    """CPU seconds all processes of the machine have used so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


async def person(
    fake: TimedFake, user: FakeUser, messages: int, exchanges: list[tuple[float, float | None]]
) -> None:
    """One chat: ``/start``, wait for the reply, again; ``(offered, replied)`` per update."""
    loop = asyncio.get_running_loop()
    for _ in range(messages):
        future: asyncio.Future[float] = loop.create_future()
        fake.waiting[user.id] = future
        offered = time.perf_counter()
        await user.send_text("/start")
        try:
            replied = await asyncio.wait_for(future, REPLY_TIMEOUT)
        except TimeoutError:
            fake.waiting.pop(user.id, None)
            exchanges.append((offered, None))
            return  # this person gives up
        exchanges.append((offered, replied))


async def offer_load(fake: TimedFake, pid: int, chats: int, messages: int, result: Result) -> None:
    """Wait until the bot polls, then play the people; fills ``result``."""
    # A getUpdates is recorded in ``calls`` when it returns (a long poll: after its timeout);
    # ``method_counts`` counts it when it arrives.
    await fake.wait_until(lambda: fake.method_counts["getUpdates"], timeout=60)
    await asyncio.sleep(SETTLE_SECONDS)
    label = f"{result.bot} ({result.database})" if result.database else result.bot
    progress(f"{label} polls; offering {chats} x {messages}")
    users = [fake.user(FIRST_CHAT + i, f"Học viên {i}") for i in range(chats)]
    spy = await start_profile(pid, result) if PROFILE and result.bot == "hocvuso" else None
    exchanges: list[tuple[float, float | None]] = []
    polls, calls = fake.method_counts["getUpdates"], len(fake.calls)
    bot_cpu, fake_cpu, bot_wait = cpu_seconds(pid), time.process_time(), run_queue_wait(pid)
    busy, started = machine_busy(), time.perf_counter()
    await asyncio.gather(*(person(fake, u, messages, exchanges) for u in users))
    result.busy = (machine_busy() - busy) / (time.perf_counter() - started)
    result.bot_wait = run_queue_wait(pid) - bot_wait
    result.bot_cpu = cpu_seconds(pid) - bot_cpu
    result.fake_cpu = time.process_time() - fake_cpu
    progress(f"{label} done")
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        await spy.wait()
    replies = [r for _, r in exchanges if r is not None]
    result.latencies = [r - o for o, r in exchanges if r is not None]
    result.wall = max(0.0, max(replies, default=0.0) - min(o for o, _ in exchanges))
    result.messages = sum(fake.messages_to[u.id] for u in users)
    result.refused = len(fake.errors)
    result.polls = fake.method_counts["getUpdates"] - polls
    result.handed_out = sum(
        len(c.result) for c in fake.calls[calls:] if c.method == "getUpdates" and c.ok
    )


async def start_profile(pid: int, result: Result) -> asyncio.subprocess.Process:
    """``py-spy record`` of the bot (collapsed stacks, idle frames too) until SIGINT."""
    assert PROFILE is not None
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("--profile needs py-spy on PATH")
    output = PROFILE / f"hocvuso-{result.database}.txt"
    spy = await asyncio.create_subprocess_exec(
        py_spy, "record", "--pid", str(pid), "--rate", "200", "--nonblocking", "--idle",
        "--format", "raw", "--output", str(output),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # attached
    progress(f"profiling into {output}")
    return spy


async def run_echo(chats: int, messages: int) -> Result:
    result = Result("aiogram echo", "", chats * messages)
    async with TimedFake() as fake:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "echo_bot.py"),
            fake.token,
            fake.base_url,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await offer_load(fake, process.pid, chats, messages, result)
        finally:
            process.terminate()
            await process.wait()
    return result


async def run_hocvuso(
    database: str, chats: int, messages: int, pythonpath: str | None, workdir: Path
) -> Result:
    result = Result("hocvuso", database, chats * messages)
    workdir = workdir / database
    workdir.mkdir()
    env = {"HOCVUSO_LOG_LEVEL": "WARNING"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    pg_name = None
    if database == "postgresql":
        pg_name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{pg_name}"')
        await admin.close()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        async with TimedFake() as fake:
            bot = BotProcess(fake, url, workdir, **env)
            if pg_name:  # the same code as the bot migrates its database
                migrate = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "hocvuso.cli",
                    "db",
                    "upgrade",
                    cwd=workdir,
                    env=bot.env,
                    stdout=subprocess.DEVNULL,
                )
                if await migrate.wait():
                    raise SystemExit("hocvuso db upgrade failed")
            progress(f"starting hocvuso ({database})")
            await bot.start()
            assert bot.process is not None
            try:
                await offer_load(fake, bot.process.pid, chats, messages, result)
            finally:
                await bot.stop()
                progress(f"hocvuso ({database}) stopped")
            if result.replies < result.offered:
                print(f"hocvuso ({database}) log tail:\n{bot.log()}", file=sys.stderr)
    finally:
        if pg_name:
            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await admin.close()
    return result


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def export(ref: str, into: Path) -> str:
    """``git archive REF hocvuso`` into a directory; returns it, for PYTHONPATH."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "hocvuso"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return str(into)


def table(results: list[tuple[Result, Result]], chats: int, messages: int, source: str) -> None:
    print(
        f"throughput: {chats} chats x {messages} /start, each chat's next message on the reply "
        f"to its last; hocvuso from {source}; {os.cpu_count()} cores"
    )
    header = (
        f"{'bot':<13} {'database':<10} {'replies':>9} {'wall s':>7} {'replies/s':>10} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'bot CPU':>8} {'fake CPU':>9} {'msg/upd':>8} "
        f"{'ratio':>6} {'bot waits':>9} {'busy':>5} {'polls':>6} {'upd out':>7}"
    )
    print(header)
    print("-" * len(header))
    for r, echo in [row for pair in results for row in ((pair[0], pair[0]), (pair[1], pair[0]))]:
        ratio = r.rate / echo.rate if echo.rate else 0.0
        print(
            f"{r.bot:<13} {r.database:<10} {f'{r.replies}/{r.offered}':>9} {r.wall:>7.2f} "
            f"{r.rate:>10,.0f} {percentile(r.latencies, 50) * 1000:>7.0f} "
            f"{percentile(r.latencies, 99) * 1000:>7.0f} "
            f"{1000 * r.bot_cpu / max(1, r.replies):>6.1f}ms "
            f"{1000 * r.fake_cpu / max(1, r.replies):>7.1f}ms "
            f"{r.messages / r.offered:>8.2f} {ratio:>5.2f}x "
            f"{100 * r.bot_wait / max(r.wall, 1e-9):>8.0f}% {r.busy:>5.2f} {r.polls:>6} "
            f"{r.handed_out / r.offered:>7.2f}"
        )
    print(
        "bot CPU / fake CPU: CPU seconds of the bot process / of the fake and the people, per "
        "reply; msg/upd: bot messages per offered update; ratio: replies/s over the echo's "
        "(goal >= 0.5); bot waits: time the bot was runnable but waited for a CPU, share of the "
        "wall time; busy: CPU cores in use on the whole machine during the load (all processes, "
        "PostgreSQL and anything else running); polls: getUpdates requests during the load; "
        "upd out: updates getUpdates handed out per offered update (above 1: the same updates "
        "fetched again while unconfirmed)"
    )
    refused = [r for pair in results for r in pair if r.refused]
    for r in refused:
        print(f"note: the fake refused {r.refused} requests of {r.bot} ({r.database})")


async def main(chats: int, messages: int, database: str, ref: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-throughput-"))
    try:
        pythonpath = None
        if ref:
            source = workdir / "src"
            source.mkdir()
            pythonpath = export(ref, source)
        # The machine is shared: the yardstick runs right before each hocvuso run, so that
        # each ratio compares two runs made under the same load from elsewhere.
        results: list[tuple[Result, Result]] = []
        databases = ["sqlite", "postgresql"] if database == "both" else [database]
        for name in databases:
            echo = await run_echo(chats, messages)
            results.append((echo, await run_hocvuso(name, chats, messages, pythonpath, workdir)))
        table(results, chats, messages, f"git {ref}" if ref else "the working tree")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--messages", type=int, default=5, help="/start messages per chat")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="for hocvuso"
    )
    parser.add_argument(
        "--ref", help="run hocvuso as committed at this git revision (default: the working tree)"
    )
    parser.add_argument(
        "--profile", type=Path, help="py-spy samples of hocvuso under load into this directory"
    )
    args = parser.parse_args()
    PROFILE = args.profile
    asyncio.run(main(args.chats, args.messages, args.database, args.ref))
