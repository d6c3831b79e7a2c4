"""The xAPI sender against a real LRS (ralph): batches, idempotent ids, back-off through an
outage, dead letters, and senders that share the outbox."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.delivery import xapi as sender
from hocvuso.delivery.xapi import LrsAnswer, LrsClient, XapiSender
from hocvuso.storage import tables
from tests.factories import Clock, rows_of
from tests.lrs import Lrs, lrs, running_lrs  # noqa: F401 - fixtures
from tests.xapi_helpers import conversation, study_until_exam, xapi_settings


def make_sender(
    database: AsyncEngine, endpoint: str, clock: Clock, settings: Any, **options: Any
) -> XapiSender:
    password = settings.xapi_password.get_secret_value()
    return XapiSender(
        database,
        LrsClient(endpoint, settings.xapi_username, password, timeout=5),
        clock=clock,
        **{"batch": settings.xapi_batch, "max_attempts": 4, **options},
    )


async def states(database: AsyncEngine) -> Counter[str]:
    return Counter(r.state for r in await rows_of(database, "xapi_statement"))


async def test_a_session_arrives_in_the_lrs_in_batches_once_each(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
    running_lrs: Lrs,  # noqa: F811
) -> None:
    settings = xapi_settings(database_url, running_lrs.endpoint, xapi_batch=4)
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    outbox = await rows_of(database, "xapi_statement")
    send = make_sender(database, running_lrs.endpoint, clock, settings)
    swept = await send.sweep()
    await send.close()
    assert swept.sent == len(outbox) and swept.dead == 0
    stored = running_lrs.statements(settings.public_url)
    assert sorted(s["id"] for s in stored) == sorted(r.id for r in outbox)
    assert await states(database) == {"sent": len(outbox)}
    # Sending again (say an operator requeued them): the LRS keeps one of each.
    await sender.requeue(database, None, clock())
    async with database.begin() as connection:
        await connection.execute(update(tables.XAPI_STATEMENT).values(state="dead"))
    assert await sender.requeue(database, None, clock()) == len(outbox)
    send = make_sender(database, running_lrs.endpoint, clock, settings, batch=3)
    assert (await send.sweep()).sent == len(outbox)
    await send.close()
    assert len(running_lrs.statements(settings.public_url)) == len(outbox)


async def test_an_lrs_outage_is_waited_out_with_back_off(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
    running_lrs: Lrs,  # noqa: F811
) -> None:
    settings = xapi_settings(database_url, running_lrs.endpoint)
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    total = len(await rows_of(database, "xapi_statement"))
    running_lrs.stop()
    send = make_sender(database, running_lrs.endpoint, clock, settings, max_attempts=10)
    first = await send.sweep()
    assert first.sent == 0 and first.retried == total
    assert "no answer" in first.errors[0]
    # Not due again before the back-off: nothing is tried.
    assert await send.claim(100) == []
    clock.advance(seconds=5)
    assert (await send.sweep()).retried == total  # 2nd failure: now 10 s
    clock.advance(seconds=9)
    assert await send.claim(100) == []
    running_lrs.start()
    clock.advance(seconds=1)
    assert (await send.sweep()).sent == total
    await send.close()
    assert len(running_lrs.statements(settings.public_url)) == total
    rows = await rows_of(database, "xapi_statement")
    assert {r.attempts for r in rows} == {3} and {r.last_error for r in rows} == {None}


async def test_a_statement_the_lrs_refuses_is_a_dead_letter_and_the_rest_arrive(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
    running_lrs: Lrs,  # noqa: F811
) -> None:
    settings = xapi_settings(database_url, running_lrs.endpoint)
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    rows = await rows_of(database, "xapi_statement")
    broken = {k: v for k, v in rows[0].statement.items() if k != "actor"}  # who? never valid
    async with database.begin() as connection:
        await connection.execute(
            update(tables.XAPI_STATEMENT)
            .where(tables.XAPI_STATEMENT.c.id == rows[0].id)
            .values(statement=broken)
        )
    send = make_sender(database, running_lrs.endpoint, clock, settings)
    swept = await send.sweep()
    await send.close()
    assert swept.dead == 1 and swept.sent == len(rows) - 1
    dead = await sender.dead_letters(database)
    assert [d.id for d in dead] == [rows[0].id]
    assert dead[0].last_error.startswith("HTTP 422 (missing: body")  # a field's path
    assert "hocvuso" not in dead[0].last_error  # the reason, never the content
    assert len(running_lrs.statements(settings.public_url)) == len(rows) - 1


class DiesAfterPosting(LrsClient):
    """The LRS gets the batch, then the process dies before it records that it was sent."""

    async def post(self, statements: Any) -> LrsAnswer:
        answer = await super().post(statements)
        assert answer.stored
        raise asyncio.CancelledError


async def test_a_sender_killed_after_posting_leaves_no_duplicates(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
    running_lrs: Lrs,  # noqa: F811
) -> None:
    settings = xapi_settings(database_url, running_lrs.endpoint)
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    rows = await rows_of(database, "xapi_statement")
    password = settings.xapi_password.get_secret_value()
    dying = XapiSender(
        database,
        DiesAfterPosting(running_lrs.endpoint, settings.xapi_username, password),
        batch=5,
        clock=clock,
    )
    try:
        await dying.sweep()
    except asyncio.CancelledError:
        pass
    await dying.close()
    assert await states(database) == {"pending": len(rows)}
    survivor = make_sender(database, running_lrs.endpoint, clock, settings)
    # The five it was sending are still leased to it; the others are free.
    assert len(await survivor.claim(100)) == len(rows) - 5
    clock.advance(seconds=61)
    assert (await survivor.sweep()).sent == len(rows)
    await survivor.close()
    stored = [s["id"] for s in running_lrs.statements(settings.public_url)]
    assert sorted(stored) == sorted(r.id for r in rows)  # the first five once, not twice


async def test_two_senders_never_claim_the_same_statement(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
) -> None:
    settings = xapi_settings(database_url, "http://127.0.0.1:9/xAPI")
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    total = len(await rows_of(database, "xapi_statement"))
    one = make_sender(database, "http://127.0.0.1:9/xAPI", clock, settings, lease=timedelta(1))
    other = make_sender(database, "http://127.0.0.1:9/xAPI", clock, settings)
    claims = await asyncio.gather(*(s.claim(3) for s in (one, other, one, other, one)))
    ids = [c.id for claim in claims for c in claim]
    assert len(ids) == len(set(ids)) == min(15, total)


async def test_statements_the_lrs_took_are_deleted_after_the_retention_period(
    database: AsyncEngine, database_url: str, clock: Clock
) -> None:
    from hocvuso.delivery import retention
    from tests.factories import insert_learner, insert_rows

    learner_id = await insert_learner(database)
    now = clock()
    rows = [
        ("00000000-0000-5000-8000-000000000001", "sent", now - timedelta(days=31)),
        ("00000000-0000-5000-8000-000000000002", "sent", now - timedelta(days=29)),
        ("00000000-0000-5000-8000-000000000003", "pending", None),
        ("00000000-0000-5000-8000-000000000004", "dead", None),
    ]
    await insert_rows(
        database,
        "xapi_statement",
        *(
            {
                "id": statement_id,
                "learner_id": learner_id,
                "verb": "answered",
                "statement": {"id": statement_id},
                "state": state,
                "attempts": 1,
                "created_at": now - timedelta(days=40),
                "next_try_at": now - timedelta(days=40),
                "sent_at": sent_at,
            }
            for statement_id, state, sent_at in rows
        ),
    )
    settings = xapi_settings(database_url, "http://127.0.0.1:9/xAPI")
    swept = await retention.sweep(database, settings, now)
    assert swept.statements_deleted == 1
    left = {r.id for r in await rows_of(database, "xapi_statement")}
    assert left == {r[0] for r in rows[1:]}
