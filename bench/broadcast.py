"""Broadcast throughput: against Telegram's cap, and the sender's own ceiling.

1. Capped: the fake Bot API (tests/fakes) enforcing 30 messages/s (bursts of 30) and 1/s per chat,
   with 429 answers beyond; the delivery worker with the default pacer (30/s).
   Goal: at least 95% of the cap, 429s under 0.5% of requests.
2. Ceiling: the same fake without limits, then a minimal server that answers every sendMessage at
   once (so that the fake's own validation is not what is measured); the worker with the pacer
   wide open. Goal: at least 2,000 messages/s on one core.
3. While the bot runs: a real ``hocvuso run`` process (tests/e2e/harness.py) on PostgreSQL without
   Redis, learners talking to it at human pace, and ``hocvuso broadcast send`` started beside it,
   against the fake enforcing 30/s and 1/s per chat. Prints the bot-wide messages/s while the
   broadcast goes out (interactive replies included) as a fraction of the cap, the share of 429s,
   and the time from the command's start until everyone has it against N/rate + 5 s. Goals:
   ≥ 0.97 of the cap, 429s < 0.5%, everyone within N/rate + 5 s (the interactive replies take
   their share of the rate first, so the last goal holds for light interactive traffic only).

4. Many bots (``--bots N``, default 34): N bots on one store, each learner belonging to one of
   them, each bot capped by the fake at 30/s and 1/s per chat *separately*; one delivery worker
   per bot (its own pacer and client) in this process. Prints the aggregate messages/s against
   N × 30/s and the share of 429s. Goal: ≥ 0.95 of N × 30/s.

In 1 and 2 the server runs in a child process (its own core); the worker, the durable queue
(PostgreSQL, a throw-away database) and the pacer run here, on one core. In 3 the fake and the
simulated learners run here, the bot and the command in their own processes.

    .venv/bin/python bench/broadcast.py [--capped 900] [--ceiling 20000] [--running 900]
        [--talkers 10] [--bots 34] [--per-bot 300] [--only capped,ceiling,running,bots]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web

from hocvuso.config import Settings
from hocvuso.content.loader import load_pack
from hocvuso.delivery import broadcasts
from hocvuso.delivery.botapi import BotApiClient
from hocvuso.delivery.pacer import MemoryPacer
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.delivery.worker import DeliveryWorker
from hocvuso.scheduler.service import make_api
from hocvuso.storage import db
from tests.e2e.harness import BotProcess, Learner
from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeTelegram

ADMIN = os.environ.get("HOCVUSO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FIRST_CHAT = 1_000_001
TEXT = "📣 <b>Thông báo</b>: hạn 31/12/2026 đạt chuẩn kỹ năng số. Bấm <i>Học ngay</i>."
#: The terms in force (the learners seeded agreed to them).
TERMS = Settings.model_fields["consent_version"].default


def serve_fake(port_queue: multiprocessing.Queue, users: int, rate: float | None) -> None:
    async def main() -> None:
        fake = FakeTelegram(global_rate=rate, per_chat_rate=1 if rate else None)
        for chat in range(FIRST_CHAT, FIRST_CHAT + users):
            fake.user(chat)
        await fake.start()
        port_queue.put(fake.base_url)
        await asyncio.Event().wait()

    asyncio.run(main())


def bot_token(index: int) -> str:
    return f"{7_200_000_000 + index}:AAE_bench-bot-token-{index:03d}_xxxxxxx"


def serve_bots(port_queue: multiprocessing.Queue, bots: list[int], per_bot: int) -> None:
    """One server holding several bots, each with its own 30/s and 1/s per chat."""

    async def main() -> None:
        fake = FakeTelegram(token=bot_token(bots[0]), global_rate=30, per_chat_rate=1)
        await fake.start()
        fakes = [fake] + [
            fake.add_bot(bot_token(i), bot_username=f"bench_{i}_bot") for i in bots[1:]
        ]
        for one in fakes:
            for chat in range(FIRST_CHAT, FIRST_CHAT + per_bot):
                one.user(chat)
        port_queue.put(fake.base_url)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_minimal(port_queue: multiprocessing.Queue) -> None:
    async def handle(request: web.Request) -> web.Response:
        data = await request.post()
        chat = int(str(data.get("chat_id", 1)))
        result = {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "H"},
            "text": "ok",
        }
        return web.json_response({"ok": True, "result": result})

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        port_queue.put(f"http://127.0.0.1:{port}")
        await asyncio.Event().wait()

    asyncio.run(main())


async def seed(url: str, learners: int, bots: list[int] | None = None) -> None:
    """``learners`` learners (of each bot, with ``bots``)."""
    connection = await asyncpg.connect(url)
    consent = datetime(2026, 10, 1, tzinfo=UTC)
    try:
        await connection.execute("TRUNCATE learner RESTART IDENTITY CASCADE")
        await connection.copy_records_to_table(
            "learner",
            columns=[
                "platform", "bot_id", "chat_id", "language", "timezone", "reminder_hour",
                "consent_at", "consent_version", "status", "level", "placement_done", "state",
                "created_at",
            ],
            records=[
                ("telegram", bot, FIRST_CHAT + i, "vi", "Asia/Ho_Chi_Minh", 19, consent, TERMS,
                 "active", 1, True, json.dumps({}), consent)
                for bot in ([0] if bots is None else bots)
                for i in range(learners)
            ],
        )  # fmt: skip
    finally:
        await connection.close()


async def run(url: str, base_url: str, learners: int, rate: float, label: str) -> None:
    await seed(url, learners)
    database = db.make_engine(url)
    settings = Settings(  # type: ignore[call-arg]
        database_url=url, telegram_token=DEFAULT_TOKEN, telegram_api_url=base_url, _env_file=None
    )
    created = await broadcasts.announce(database, TEXT, consent=TERMS)
    api = make_api(settings)
    pacer = MemoryPacer(rate, per_chat_rate=1 if rate < 1000 else 1e9)
    worker = DeliveryWorker(
        DeliveryQueue(database),
        api,
        pacer,
        rate=rate,
        concurrency=256 if rate >= 1000 else 64,
        consent=TERMS,
    )
    started = time.perf_counter()
    cpu = time.process_time()
    stats = await worker.run(asyncio.Event(), until_empty=True)
    while stats.sent + stats.dead + stats.blocked < created.queued:  # 429s come back later
        await asyncio.sleep(0.2)
        more = await worker.run(asyncio.Event(), until_empty=True)
        for name in ("sent", "dead", "blocked", "flood", "requests"):
            setattr(stats, name, getattr(stats, name) + getattr(more, name))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await api.close()
    await database.dispose()
    achieved = stats.sent / elapsed
    line = (
        f"{label}: {stats.sent:,} sent in {elapsed:.1f} s = {achieved:,.1f} msg/s; "
        f"429s {stats.flood} of {stats.requests:,} requests "
        f"({100 * stats.flood / stats.requests:.2f}%)"
        f"; sender CPU {100 * cpu / elapsed:.0f}% of one core"
    )
    if rate < 1000:
        line += f"; {100 * achieved / rate:.1f}% of the {rate:.0f}/s cap (goal ≥ 95%, 429s < 0.5%)"
    else:
        line += " (goal ≥ 2,000 msg/s)"
    print(line, flush=True)


async def many_bots(url: str, bots: int, per_bot: int, servers: int = 2) -> None:
    """Every bot's worker at once; the bots spread over ``servers`` fake processes."""
    indices = list(range(bots))
    ids = [int(bot_token(i).split(":")[0]) for i in indices]
    await seed(url, per_bot, ids)
    groups = [indices[k::servers] for k in range(servers) if indices[k::servers]]
    started_servers = [start_server(serve_bots, group, per_bot) for group in groups]
    base_of = {
        i: base for group, (_, base) in zip(groups, started_servers, strict=True) for i in group
    }
    database = db.make_engine(url)
    created = await broadcasts.announce(database, TEXT, consent=TERMS)
    workers = []
    apis = []
    for i, bot_id in zip(indices, ids, strict=True):
        api = BotApiClient(bot_token(i), base_of[i])
        apis.append(api)
        workers.append(
            DeliveryWorker(
                DeliveryQueue(database),
                api,
                MemoryPacer(30.0, 1.0),
                bot_id=bot_id,
                consent=TERMS,
            )
        )

    async def drain(worker: DeliveryWorker) -> tuple[int, int, int]:
        sent = flood = requests = 0
        while True:
            stats = await worker.run(asyncio.Event(), until_empty=True)
            sent, flood, requests = (
                sent + stats.sent,
                flood + stats.flood,
                requests + stats.requests,
            )
            counts = await worker.queue.counts(bot_id=worker.bot_id)
            if not any(counts.get(s) for s in ("pending", "claimed", "sending")):
                return sent, flood, requests
            await asyncio.sleep(0.2)  # 429s come back later

    started = time.perf_counter()
    cpu = time.process_time()
    try:
        results = await asyncio.gather(*(drain(w) for w in workers))
    finally:
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        for api in apis:
            await api.close()
        await database.dispose()
        for server, _ in started_servers:
            server.terminate()
            server.join()
    sent = sum(r[0] for r in results)
    flood = sum(r[1] for r in results)
    requests = sum(r[2] for r in results)
    cap = 30.0 * bots
    achieved = sent / elapsed
    print(
        f"{bots} bots ({per_bot} learners each, {created.queued:,} queued): {sent:,} sent in "
        f"{elapsed:.1f} s = {achieved:,.0f} msg/s = {achieved / cap:.3f} of {bots} × 30/s "
        f"(goal ≥ 0.95); 429s {flood} of {requests:,} requests "
        f"({100 * flood / max(requests, 1):.2f}%); sender CPU {100 * cpu / elapsed:.0f}% of one "
        f"core; at this rate a million reminders take {1e6 / achieved / 60:.0f} min",
        flush=True,
    )


FLOOD_LIMITED = re.compile(r"^(send(?!ChatAction)|copyMessage|forwardMessage|editMessage)")
MARK = "đạt chuẩn kỹ năng số"  # in TEXT: tells the broadcast from the interactive replies


async def talk(learner: Learner, stop: asyncio.Event, rng: random.Random) -> int:
    """A learner studying at human pace (one action every 2–4 s) until ``stop``; returns actions."""
    actions = 0
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(2, 4))
        labels = learner.labels()
        joined = " ".join(labels)
        if "Học ngay" in joined:  # the broadcast arrived: its button starts a session
            await learner.press(next(label for label in labels if "Học ngay" in label))
        elif "Làm câu hỏi" in joined:
            await learner.press("Làm câu hỏi")
        elif "Học tiếp" in joined:
            await learner.press("Học tiếp")
        elif labels and labels[0].startswith("A"):
            await learner.answer(correct=rng.random() < 0.8)
        else:
            await learner.send("/learn")
        actions += 1
    return actions


async def while_running(url: str, learners: int, talkers: int, rate: float) -> None:
    await seed(url, learners)
    fake = FakeTelegram(global_rate=rate, per_chat_rate=1)
    for chat in range(FIRST_CHAT, FIRST_CHAT + learners):
        fake.user(chat)
    await fake.start()
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-"))
    bot = BotProcess(
        fake,
        url,
        workdir,
        HOCVUSO_BROADCAST_RATE=str(rate),
        HOCVUSO_REMINDER_MAX_PER_DAY="0",  # whatever the hour: no reminders in the way
    )
    env = {k: v for k, v in bot.env.items() if k != "HOCVUSO_REDIS_URL"}
    bot.env = env
    pack = load_pack()
    rng = random.Random(8)
    people = [
        Learner(fake, fake.user(9_000_001 + i, f"Học viên {i}"), pack) for i in range(talkers)
    ]
    stop = asyncio.Event()
    await bot.start()
    try:
        await asyncio.gather(
            *(p.onboard(role="Cán bộ, công chức", placement=False) for p in people)
        )
        chatting = [asyncio.create_task(talk(p, stop, rng)) for p in people]
        await asyncio.sleep(5)  # the bot is busy with them before the broadcast starts
        calls_before = len(fake.calls)
        started = time.time()
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hocvuso.cli", "broadcast", "send", "--text", TEXT,
            cwd=workdir, env=env | {"COLUMNS": "120"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(command.communicate(), 600)
        stop.set()
        actions = sum(await asyncio.gather(*chatting))
    finally:
        await bot.stop()
        await fake.stop()
    text = output.decode(errors="replace")
    audience = learners + talkers
    calls = fake.calls[calls_before:]
    mine = [c for c in calls if c.ok and MARK in str(c.params.get("text", ""))]
    reached = {c.params["chat_id"] for c in mine}
    first, last = min(c.at for c in mine), max(c.at for c in mine)
    during = [c for c in calls if FLOOD_LIMITED.match(c.method) and first <= c.at <= last]
    ok = [c for c in during if c.ok]
    refused = sum(1 for c in during if c.error_code == 429)
    bulk_refused = sum(1 for c in during if c.error_code == 429 and MARK in str(c.params))
    answers = sum(1 for c in calls if c.method == "answerCallbackQuery" and first <= c.at <= last)
    achieved = (len(ok) - 1) / (last - first)
    interactive = len(ok) - len([c for c in ok if MARK in str(c.params.get("text", ""))])
    took = last - started
    goal = audience / rate + 5
    deferred = "sent by the running" in text
    print(
        f"while the bot runs ({talkers} learners talking, {actions} actions): broadcast to "
        f"{len(reached):,} of {audience:,} in {took:.1f} s from the command's start (goal ≤ "
        f"N/rate + 5 = {goal:.1f} s{', met' if took <= goal else ', missed'}), sent by "
        f"{'the running bot' if deferred else 'the command itself'}; bot-wide "
        f"{achieved:.1f} msg/s = {achieved / rate:.3f} of the {rate:.0f}/s cap, "
        f"{interactive} of them interactive, {answers} callback answers beside (goal ≥ 0.97); "
        f"429s {refused} of {len(during):,} requests ({100 * refused / max(1, len(during)):.2f}%, "
        f"goal < 0.5%), {bulk_refused} of them to broadcast messages",
        flush=True,
    )
    if len(reached) < audience:
        print(text[-2000:])


def start_server(target: object, *args: object) -> tuple[multiprocessing.Process, str]:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(ports, *args), daemon=True)  # type: ignore[arg-type]
    process.start()
    return process, ports.get(timeout=60)


async def main(
    capped: int, ceiling: int, running: int, talkers: int, only: set[str], bots: int, per_bot: int
) -> None:
    name = f"hocvuso_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        await db.upgrade_async(url)
        for case, label, target, args, learners, rate in (
            (
                "capped",
                "capped fake (30/s, 1/s per chat)",
                serve_fake,
                (capped, 30.0),
                capped,
                30.0,
            ),
            ("ceiling", "uncapped fake", serve_fake, (ceiling, None), ceiling, 1e9),
            ("ceiling", "minimal server", serve_minimal, (), ceiling, 1e9),
        ):
            if case not in only:
                continue
            server, base_url = start_server(target, *args)
            try:
                await run(url, base_url, learners, rate, label)
            finally:
                server.terminate()
                server.join()
        if "running" in only:
            await while_running(url, running, talkers, 30.0)
        if "bots" in only:
            await many_bots(url, bots, per_bot)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capped", type=int, default=900, help="learners for the capped run")
    parser.add_argument("--ceiling", type=int, default=20_000, help="learners for the ceiling")
    parser.add_argument("--running", type=int, default=900, help="audience beside the bot")
    parser.add_argument("--talkers", type=int, default=10, help="learners talking meanwhile")
    parser.add_argument("--bots", type=int, default=34, help="bots in the many-bots run")
    parser.add_argument("--per-bot", type=int, default=300, help="learners of each bot")
    parser.add_argument("--only", default="capped,ceiling,running,bots", help="cases to run")
    args = parser.parse_args()
    cases = set(args.only.split(","))
    asyncio.run(
        main(args.capped, args.ceiling, args.running, args.talkers, cases, args.bots, args.per_bot)
    )
