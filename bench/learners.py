"""Learners at human pace: first-reply time, CPU per action and memory per learner (issue 10).

For each count of ``--learners`` (30, 300, 1,000) this starts the fake Bot API server
(tests/fakes) in this process and a bot as its own OS process, then plays that many people at
human pace: each one acts (a text or a button press), waits for the bot's reply, thinks for
2-4 s (uniformly: ~3 s each) and acts again, so N learners offer about N/3 actions a second.
The people start spread over the first 4 s; newcomers first go through onboarding (consent,
language, role, two skips), then study: take a lesson's questions, answer them (80% right),
go on to the next lesson; ``/learn`` when nothing on screen fits.

Per count, in one run and in this order:

1. the yardstick, bench/echo_bot.py (a bare aiogram 3 echo bot, long polling), the same number
   of people sending texts at the same pace;
2. ``hocvuso run`` (long polling, one process) on SQLite and/or on PostgreSQL, and
   ``hocvuso run --webhook --workers 3`` (three worker processes behind one address, supervised;
   PostgreSQL only) for ``--workers 3``. Each PostgreSQL run gets a fresh database (created,
   migrated with ``hocvuso db upgrade``, dropped).

After ``--warmup`` seconds (onboarding happens there) a window of ``--seconds`` is measured:

- first reply p50/p99/max: from offering an update to the bot's first message or edit to that
  chat (sendMessage, sendDocument, sendPoll, editMessageText; bench/throughput.py's detector),
  for the actions offered in the window; "late" counts actions without a reply within 30 s;
- CPU ms per action: user + system CPU of the bot's processes (the supervisor and each worker,
  /proc/<pid>/stat, sampled at both ends of the window) over the actions offered in the window;
  "pg" is the same for the whole PostgreSQL server (the postmaster, its live backends and those
  it reaped: anything else using that server meanwhile counts too), "fake" for this process
  (the fake Bot API and the simulated people);
- memory per active learner: (resident memory of the bot's processes under load, the highest
  of samples taken every 2 s in the window, minus that measured idle once the processes are
  quiet after their start) / learners, from /proc/<pid>/status VmRSS;
- busy: CPU cores in use on the whole machine during the window (it is shared: 2 cores carry
  the bot, PostgreSQL, the fake and the people).

Before each action a person waits until their previous update is confirmed to the fake (the
bot has applied it and sent what it produced), as the e2e harness does; after 30 s they act
anyway ("unsettled"). The fake enforces no flood limits and the bot's pacer is opened wide
(``HOCVUSO_RATE_LIMIT``, as in tests/e2e/harness.py): 1,000 learners need about 330 replies a
second, more than one Telegram bot may send. Reminders are off, so that every bot message
answers an action.

Goals (issue 10): first reply p99 <= 100 ms with 30 learners; p50 <= 100 ms and p99 <= 300 ms
with 300; CPU <= 3 ms per learner action.

    .venv/bin/python bench/learners.py [--learners 30,300,1000]
        [--database sqlite|postgresql|both] [--workers 1,3] [--seconds 40] [--warmup 20]
        [--ref REV] [--quick]

The defaults (PostgreSQL, one and three workers, three counts) take about 11 minutes.
``--quick`` (a try-out, about 2 minutes): 30 learners, 20 s window, 10 s warm-up.
``--ref REV`` runs hocvuso as committed at REV (``git archive``) instead of the working tree.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import itertools
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throughput import TimedFake, export, machine_busy, progress
from hocvuso.content.loader import Pack, load_pack
from tests.e2e.harness import ROOT, BotProcess, Learner, percentile

PG_ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FIRST_CHAT = 3_000_001
THINK = (2.0, 4.0)  # seconds from the bot's reply to the person's next action: ~3 s each
REPLY_TIMEOUT = 30.0
SETTLE_TIMEOUT = 30.0
IDLE_SETTLE = 2.0  # seconds of idle CPU measured, once the bot is quiet after its start
RSS_EVERY = 2.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WEBHOOK_SECRET = "bench-learners_secret"
ONBOARDING = (
    ("send", "/start"),
    ("press", "Tôi đồng ý"),
    ("press", "Tiếng Việt"),
    ("press", "Cán bộ, công chức"),
    ("press", "Bỏ qua"),
    ("press", "Bỏ qua, học từ đầu"),
)


class PacedFake(TimedFake):
    """The first-reply detector of bench/throughput.py, plus one wake-up per confirmed update.

    ``wait_until`` re-checks every waiter on every change of the fake: with 1,000 people waiting
    that is a million checks a second. Here each waiter is a future in a heap, keyed by its
    update id, resolved when the confirmed offset passes it.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._confirm_waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        super().__init__(**kwargs)

    def _notify(self) -> None:
        super()._notify()
        waiters = self._confirm_waiters
        while waiters and waiters[0][0] < self._floor:
            future = heapq.heappop(waiters)[2]
            if not future.done():
                future.set_result(None)

    def last_update_id(self) -> int:
        return int(self._history[-1]["update_id"])

    async def confirmed(self, update_id: int, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until ``update_id`` is confirmed; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._confirm_waiters, (update_id, next(self._order), future))
        # The floor can move without a notification (a long poll carrying the new offset
        # waits for updates first): look again every second.
        while update_id >= self._floor:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(future), min(1.0, remaining))
        return True


@dataclass
class Action:
    kind: str
    offered: float
    replied: float | None

    @property
    def latency(self) -> float | None:
        return None if self.replied is None else self.replied - self.offered


@dataclass
class Result:
    bot: str
    database: str
    workers: int
    learners: int
    window: float = 0.0
    actions: list[Action] = field(default_factory=list)
    bot_cpu: float = 0.0
    idle_cpu: float = 0.0  # CPU seconds a second of the bot's processes before the people
    pg_cpu: float | None = None
    fake_cpu: float = 0.0
    busy: float = 0.0
    rss_idle: int = 0  # KiB
    rss_load: int = 0  # KiB
    unsettled: int = 0
    confused: int = 0
    errors: int = 0
    refused: int = 0
    restarts: int = 0

    @property
    def label(self) -> str:
        if self.bot != "hocvuso":
            return self.bot
        mode = "polling" if self.workers == 1 else f"webhook x{self.workers}"
        return f"hocvuso {self.database} {mode}"

    @property
    def latencies(self) -> list[float]:
        return [a.latency for a in self.actions if a.latency is not None]

    @property
    def late(self) -> int:
        return sum(1 for a in self.actions if a.replied is None)


# -- /proc ---------------------------------------------------------------------------------------


def own_cpu(pid: int) -> float | None:
    """User + system CPU seconds of one process (not of its children); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: cpu for pid in pids if (cpu := own_cpu(pid)) is not None}


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples; a process new in ``after`` counts from its start."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


# -- the people ----------------------------------------------------------------------------------


async def offer(
    fake: PacedFake, learner: Learner, kind: str, do: Callable[[], Awaitable[object]]
) -> tuple[Action, int]:
    """One action: offer the update, wait for the first bot message or edit to that chat."""
    chat = learner.user.id
    future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    fake.waiting[chat] = future
    offered = time.perf_counter()
    await do()
    update_id = fake.last_update_id()  # offering has no await before the update exists
    replied: float | None
    try:
        replied = await asyncio.wait_for(future, REPLY_TIMEOUT)
    except TimeoutError:
        fake.waiting.pop(chat, None)
        replied = None
    return Action(kind, offered, replied), update_id


def next_step(learner: Learner, rng: random.Random) -> tuple[str, Callable[[], Awaitable[object]]]:
    """What a person studying does next, judging by their screen (as bench/broadcast.py)."""
    labels = learner.labels()
    joined = " ".join(labels)
    user = learner.user
    if "Làm câu hỏi" in joined:
        message = learner.prompt()
        return "lesson", lambda: user.press(
            message, message.button(text="Làm câu hỏi")["callback_data"]
        )
    if "Học tiếp" in joined:
        message = learner.prompt()
        return "next", lambda: user.press(message, message.button(text="Học tiếp")["callback_data"])
    if labels and labels[0].startswith("A"):
        message, question_id = learner.question_on_screen()
        letter = learner.letter(message, question_id, rng.random() < 0.8)
        learner.answered += 1
        return "answer", lambda: user.press(message, message.button(text=letter)["callback_data"])
    return "/learn", lambda: user.send_text("/learn")


async def human(
    fake: PacedFake,
    learner: Learner,
    rng: random.Random,
    stop: asyncio.Event,
    result: Result,
    echo: bool,
) -> None:
    """One person at human pace until ``stop``: act, wait for the reply, think, act again."""
    await asyncio.sleep(rng.uniform(0, THINK[1]))  # people do not all start the same second
    onboarding = list(ONBOARDING)
    previous: int | None = None
    count = 0
    while not stop.is_set():
        if previous is not None and not await fake.confirmed(previous, SETTLE_TIMEOUT):
            result.unsettled += 1
        kind: str
        do: Callable[[], Awaitable[object]]
        if echo:
            count += 1
            kind, do = "text", partial(learner.user.send_text, f"Xin chào {count}")
        elif onboarding:
            how, what = onboarding.pop(0)
            if how == "send":
                kind, do = "onboarding", partial(learner.user.send_text, what)
            else:
                try:
                    message = learner.prompt()
                    data = message.button(text=what)["callback_data"]
                except AssertionError:  # not the screen expected: start over
                    result.confused += 1
                    onboarding = list(ONBOARDING)
                    continue
                kind, do = "onboarding", partial(learner.user.press, message, data)
        else:
            try:
                kind, do = next_step(learner, rng)
            except AssertionError:
                result.confused += 1
                kind, do = "/learn", lambda: learner.user.send_text("/learn")
        action, previous = await offer(fake, learner, kind, do)
        result.actions.append(action)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.uniform(*THINK))


# -- one run -------------------------------------------------------------------------------------


async def pg_server_cpu(admin: asyncpg.Connection | None) -> float | None:
    """CPU seconds of the whole PostgreSQL server so far: the postmaster (with the backends it
    has reaped) and its live children. Connections of a pool come and go, so counting only the
    backends of the bot's database would miss those that ended in between."""
    if admin is None:
        return None
    return server_cpu(int(await admin.fetchval("SELECT pg_backend_pid()")))


def server_cpu(backend: int) -> float | None:
    """See ``pg_server_cpu``: from the process id of one backend."""
    try:
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    except OSError:
        return None  # not on this machine
    total = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return total + sum(cpu_of([int(c) for c in children]).values())


async def quiet(pids: Callable[[], list[int]], limit: float = 20.0) -> None:
    """Wait (at most ``limit`` s) until the bot's processes use under 5% of a core: workers
    that are still importing would make the idle memory too small."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_of(pids())
        await asyncio.sleep(0.5)
        if cpu_between(before, cpu_of(pids())) < 0.025:
            return


async def measure(
    fake: PacedFake,
    result: Result,
    pids: Callable[[], list[int]],
    pack: Pack,
    *,
    warmup: float,
    seconds: float,
    admin: asyncpg.Connection | None = None,
) -> None:
    """Idle memory, then the people; the measured window after the warm-up. Fills ``result``."""
    await quiet(pids)
    idle_cpu, idle_from = cpu_of(pids()), time.perf_counter()
    await asyncio.sleep(IDLE_SETTLE)
    result.idle_cpu = cpu_between(idle_cpu, cpu_of(pids())) / (time.perf_counter() - idle_from)
    result.rss_idle = sum(rss_kib(p) for p in pids())
    rng = random.Random(10)
    people = [
        Learner(fake, fake.user(FIRST_CHAT + i, f"Học viên {i}"), pack)
        for i in range(result.learners)
    ]
    stop = asyncio.Event()
    echo = result.bot != "hocvuso"
    everyone = [
        asyncio.create_task(human(fake, p, random.Random(rng.random()), stop, result, echo))
        for p in people
    ]
    progress(f"{result.label}: {result.learners} learners, warm-up {warmup:.0f} s")
    await asyncio.sleep(warmup)
    before = set(pids())
    bot_cpu = cpu_of(pids())
    pg_cpu = await pg_server_cpu(admin)
    fake_cpu, busy, started = time.process_time(), machine_busy(), time.perf_counter()
    progress(f"{result.label}: measuring {seconds:.0f} s")
    rss = 0
    while (left := started + seconds - time.perf_counter()) > 0:
        await asyncio.sleep(min(RSS_EVERY, left))
        rss = max(rss, sum(rss_kib(p) for p in pids()))
    ended = time.perf_counter()
    result.window = ended - started
    result.bot_cpu = cpu_between(bot_cpu, cpu_of(pids()))
    pg_after = await pg_server_cpu(admin)
    if pg_cpu is not None and pg_after is not None:
        result.pg_cpu = pg_after - pg_cpu
    result.fake_cpu = time.process_time() - fake_cpu
    result.busy = (machine_busy() - busy) / result.window
    result.rss_load = rss
    result.restarts = len(set(pids()) - before)
    stop.set()
    await asyncio.gather(*everyone)
    result.actions = [a for a in result.actions if started <= a.offered < ended]
    result.errors = sum(p.saw_error() for p in people)
    result.refused = len(fake.errors)


async def run_echo(learners: int, warmup: float, seconds: float, pack: Pack) -> Result:
    result = Result("aiogram echo", "", 1, learners)
    async with PacedFake() as fake:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "echo_bot.py"),
            fake.token,
            fake.base_url,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await fake.wait_until(lambda: fake.method_counts["getUpdates"], timeout=60)
            await measure(
                fake, result, lambda: [process.pid], pack, warmup=min(warmup, 5), seconds=seconds
            )
        finally:
            process.terminate()
            await process.wait()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_hocvuso(
    database: str,
    workers: int,
    learners: int,
    warmup: float,
    seconds: float,
    pack: Pack,
    pythonpath: str | None,
    workdir: Path,
) -> Result:
    result = Result("hocvuso", database, workers, learners)
    workdir = Path(tempfile.mkdtemp(prefix=f"{database}-{workers}-{learners}-", dir=workdir))
    env = {"HOCVUSO_LOG_LEVEL": "WARNING", "HOCVUSO_REMINDER_MAX_PER_DAY": "0"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    args: tuple[str, ...] = ()
    if workers > 1:
        port = free_port()
        args = ("--webhook", "--workers", str(workers))
        env |= {
            "HOCVUSO_WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "HOCVUSO_WEBHOOK_HOST": "127.0.0.1",
            "HOCVUSO_WEBHOOK_PORT": str(port),
            "HOCVUSO_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    pg_name = ""
    admin: asyncpg.Connection | None = None
    if database == "postgresql":
        pg_name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{pg_name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        async with PacedFake() as fake:
            bot = BotProcess(fake, url, workdir, args=args, **env)
            if pg_name:  # the same code as the bot migrates its database
                migrate = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "hocvuso.cli", "db", "upgrade",
                    cwd=workdir, env=bot.env, stdout=subprocess.DEVNULL,
                )  # fmt: skip
                if await migrate.wait():
                    raise SystemExit("hocvuso db upgrade failed")
            progress(f"starting {result.label}")
            if workers > 1:
                await bot.start(ready_method="setWebhook")
                await fake.wait_until(lambda: len(bot.children()) == workers, timeout=60)
            else:
                await bot.start()
                await fake.wait_until(lambda: fake.method_counts["getUpdates"], timeout=60)
            assert bot.process is not None
            supervisor = bot.process.pid
            try:
                await measure(
                    fake,
                    result,
                    lambda: [supervisor, *bot.children()],
                    pack,
                    warmup=warmup,
                    seconds=seconds,
                    admin=admin,
                )
            finally:
                await bot.stop()
            if result.late or result.errors:
                print(f"{result.label} log tail:\n{bot.log()}", file=sys.stderr)
    finally:
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await admin.close()
    return result


# -- the table -----------------------------------------------------------------------------------


def goals(r: Result) -> str:
    p50, p99 = percentile(r.latencies, 50) * 1000, percentile(r.latencies, 99) * 1000
    cpu = 1000 * r.bot_cpu / max(1, len(r.actions))
    marks = []
    if r.learners == 30:
        marks.append(f"p99 {p99:.0f} <= 100 ms {'met' if p99 <= 100 else 'MISSED'}")
    elif r.learners == 300:
        ok = p50 <= 100 and p99 <= 300
        marks.append(
            f"p50 {p50:.0f} <= 100 and p99 {p99:.0f} <= 300 ms {'met' if ok else 'MISSED'}"
        )
    marks.append(f"CPU {cpu:.1f} <= 3 ms/action {'met' if cpu <= 3 else 'MISSED'}")
    return "; ".join(marks)


def table(results: list[Result], source: str, seconds: float, warmup: float) -> None:
    print(
        f"learners at human pace (think 2-4 s after each reply), {seconds:.0f} s measured after "
        f"{warmup:.0f} s warm-up; hocvuso from {source}; {os.cpu_count()} cores"
    )
    header = (
        f"{'bot':<29} {'learners':>8} {'actions':>7} {'act/s':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'late':>5} {'CPU/act':>8} {'pg/act':>7} {'fake/act':>8} "
        f"{'idle':>6} {'RSS idle':>8} {'RSS load':>8} {'KiB/lrn':>8} {'busy':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        actions = max(1, len(r.actions))
        latencies = r.latencies
        pg = f"{1000 * r.pg_cpu / actions:>5.1f}ms" if r.pg_cpu is not None else f"{'-':>7}"
        print(
            f"{r.label:<29} {r.learners:>8} {len(r.actions):>7} {len(r.actions) / r.window:>6.1f} "
            f"{percentile(latencies, 50) * 1000:>7.0f} {percentile(latencies, 99) * 1000:>7.0f} "
            f"{max(latencies, default=0) * 1000:>7.0f} {r.late:>5} "
            f"{1000 * r.bot_cpu / actions:>6.2f}ms {pg} {1000 * r.fake_cpu / actions:>6.2f}ms "
            f"{1000 * r.idle_cpu:>4.0f}ms {r.rss_idle / 1024:>6.0f}MB {r.rss_load / 1024:>6.0f}MB "
            f"{(r.rss_load - r.rss_idle) / r.learners:>8.0f} {r.busy:>5.2f}"
        )
    print(
        "act/s: actions offered a second in the window (learners / 3 while the bot keeps up; "
        "fewer when the people wait for slow replies); "
        "p50/p99/max: first reply to an action offered in the window (its first message or edit "
        "from the bot); late: no reply within 30 s; CPU/act: CPU of the bot's processes "
        "(supervisor + workers) per action; pg/act: of the whole PostgreSQL server; "
        "fake/act: of this process (fake Bot API and people); idle: CPU of the bot's processes "
        "per second before the people came; RSS idle/load: resident memory of the bot's "
        "processes after start / highest under load; KiB/lrn: (load - idle) / learners; "
        "busy: CPU cores in use on the whole machine"
    )
    for r in results:
        if r.bot == "hocvuso":
            print(f"goals {r.label}, {r.learners} learners: {goals(r)}")
    for r in results:
        notes = [
            f"{n} {what}"
            for n, what in (
                (r.errors, "learners saw the error message"),
                (r.unsettled, "actions taken before the previous one was confirmed (30 s)"),
                (r.confused, "screens without the expected button"),
                (r.refused, "requests refused by the fake"),
                (r.restarts, "bot processes new during the window (restarts)"),
            )
            if n
        ]
        kinds = Counter(a.kind for a in r.actions)
        if r.bot == "hocvuso":
            notes.append("actions " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        if notes:
            print(f"note: {r.label}, {r.learners} learners: " + "; ".join(notes))


async def main(
    counts: list[int],
    databases: list[str],
    workers: list[int],
    seconds: float,
    warmup: float,
    ref: str | None,
) -> None:
    pack = load_pack()
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-learners-"))
    try:
        pythonpath = None
        if ref:
            source = workdir / "src"
            source.mkdir()
            pythonpath = export(ref, source)
        configs = [(d, w) for d in databases for w in workers if d == "postgresql" or w == 1]
        if not configs:
            raise SystemExit("nothing to run: several workers need PostgreSQL")
        results: list[Result] = []
        for count in counts:
            # The machine is shared: the yardstick runs right before the bots of the same count.
            results.append(await run_echo(count, warmup, seconds, pack))
            for database, n in configs:
                results.append(
                    await run_hocvuso(
                        database, n, count, warmup, seconds, pack, pythonpath, workdir
                    )
                )
        table(results, f"git {ref}" if ref else "the working tree", seconds, warmup)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def numbers(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=numbers, default=[30, 300, 1000])
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="postgresql"
    )
    parser.add_argument(
        "--workers", type=numbers, default=[1, 3], help="1: long polling; N > 1: webhook"
    )
    parser.add_argument("--seconds", type=float, default=40.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=20.0, help="before the window")
    parser.add_argument("--ref", help="run hocvuso as committed at this git revision")
    parser.add_argument(
        "--quick", action="store_true", help="a try-out: 30 learners, 20 s window, 10 s warm-up"
    )
    args = parser.parse_args()
    if args.quick:
        args.learners, args.seconds, args.warmup = [30], 20.0, 10.0
    chosen = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    asyncio.run(main(args.learners, chosen, args.workers, args.seconds, args.warmup, args.ref))
