"""Acceptance (issue 12): one learner's session reaches a real LRS exactly once, across an LRS
outage and a bot killed and started again.

The real bot process (``hocvuso run`` against the fake Bot API) writes the statements and its
scheduler sends them every second to ralph (started by the tests, file-system backend). The LRS
is stopped mid-session, the bot is SIGKILLed while it sends the backlog, both come back, and the
statements the LRS holds are compared, id by id, with those the outbox recorded.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.content.loader import Pack
from tests.e2e.harness import BotProcess
from tests.e2e.harness import Learner as Person
from tests.factories import rows_of
from tests.fakes.telegram_api import FakeTelegram
from tests.lrs import PASSWORD, USER, Lrs, lrs, running_lrs  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


async def until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def outbox(database: AsyncEngine) -> list[object]:
    return await rows_of(database, "xapi_statement")


async def lesson(person: Person) -> None:
    await person.press("Làm câu hỏi")
    while person.labels() and person.labels()[0] == "A":
        await person.answer(correct=True)
    await person.press("Học tiếp")


async def test_a_session_arrives_exactly_once_across_an_lrs_outage_and_a_bot_kill(
    fake: FakeTelegram,
    database_url: str,
    engine_db: AsyncEngine,
    core_pack: Pack,
    running_lrs: Lrs,  # noqa: F811
    tmp_path: object,
) -> None:
    home = f"http://127.0.0.1:8000/t{uuid.uuid4().hex[:12]}"
    bot = BotProcess(
        fake,
        database_url,
        tmp_path,  # type: ignore[arg-type]
        HOCVUSO_PUBLIC_URL=home,
        HOCVUSO_XAPI_ENDPOINT=running_lrs.endpoint,
        HOCVUSO_XAPI_USERNAME=USER,
        HOCVUSO_XAPI_PASSWORD=PASSWORD,
        HOCVUSO_XAPI_PSEUDONYM_KEY="e2e-" + uuid.uuid4().hex,
        HOCVUSO_XAPI_INTERVAL="1",
        HOCVUSO_XAPI_BATCH="1",  # one POST per statement: the kill lands mid-backlog
        HOCVUSO_XAPI_LEASE="2",
        HOCVUSO_LEADER_TTL="3",
    )
    await bot.start()
    try:
        person = Person(fake, fake.user(5101, "Đỗ Thị Hương"), core_pack)
        await person.onboard(role="Cán bộ, công chức", placement=False)
        await lesson(person)
        first = len(await outbox(engine_db))
        assert first >= 2  # answers, and the lesson completed
        await until(lambda: len(running_lrs.statements(home)) == first, 60, "the first lesson")

        running_lrs.stop()  # the outage: the learner goes on, nothing is lost
        await lesson(person)
        await lesson(person)
        during = await outbox(engine_db)
        assert len(during) > first
        await asyncio.sleep(2.5)  # the sender tries, fails, backs off
        waiting = [r for r in await outbox(engine_db) if r.state == "pending"]  # type: ignore[attr-defined]
        assert len(waiting) == len(during) - first
        assert any(r.attempts >= 1 for r in waiting)  # type: ignore[attr-defined]

        running_lrs.start()
        # Kill the bot as soon as the LRS has some of the backlog but not all of it.
        await until(lambda: len(running_lrs.statements(home)) > first, 60, "the backlog to start")
        await bot.kill()
        arrived = len(running_lrs.statements(home))
        await bot.start()
        await lesson(person)
        total = len(await outbox(engine_db))
        await until(lambda: len(running_lrs.statements(home)) >= total, 90, "every statement")
        await asyncio.sleep(2)  # anything sent twice would show now
    finally:
        await bot.stop()
    rows = await outbox(engine_db)
    stored = running_lrs.statements(home)
    ids = Counter(s["id"] for s in stored)
    assert ids.most_common(1)[0][1] == 1  # no statement twice
    assert sorted(ids) == sorted(r.id for r in rows)  # type: ignore[attr-defined]
    assert Counter(r.state for r in rows) == {"sent": len(rows)}  # type: ignore[attr-defined]
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[1] for s in stored)
    assert verbs["completed"] == 4 and verbs["answered"] == len(rows) - 4
    print(f"{len(rows)} statements; {arrived - first} of the backlog had arrived at the kill")
