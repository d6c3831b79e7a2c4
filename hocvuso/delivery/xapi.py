"""The xAPI sender: statements of the outbox to the Learning Record Store, in batches.

One sweep claims up to ``HOCVUSO_XAPI_BATCH`` due statements (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so senders in several processes never hold the same row; a claim is a lease, and the
row stays ``pending``), POSTs them as one JSON array to ``{endpoint}/statements`` with
``X-Experience-API-Version: 1.0.3`` and basic auth, and records what the LRS said:

- 200/204: sent. 409 (the LRS already has a statement with that id): sent too, since the id is
  derived from what the statement records; a batch answered 409 is sent again one by one, so
  each statement gets its own answer.
- a network error, a time-out, 408, 429 or 5xx: the batch is tried again later, after an
  exponential back-off (5 s, 10 s, 20 s … at most an hour; ``Retry-After`` when the LRS gives
  one); after ``HOCVUSO_XAPI_MAX_ATTEMPTS`` attempts a statement is a dead letter.
- 401 and 403 (wrong credentials, fixed by the operator): retried like a network error.
- any other 4xx: a batch is split and sent one by one; a single statement refused is a dead
  letter at once (it will never pass). ``hocvuso xapi dead`` lists them, ``retry`` requeues.

A sender killed mid-POST leaves its rows leased: when the lease runs out the next sweep sends
them again, and the LRS, recognising the ids, stores each once.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.storage import tables
from hocvuso.storage.types import UTCDateTime, utcnow
from hocvuso.storage.xapi import XapiState

log = logging.getLogger(__name__)
X = tables.XAPI_STATEMENT
S = XapiState
VERSION_HEADER = "X-Experience-API-Version"
BACKOFF_BASE = 5.0
BACKOFF_CAP = 3600.0
#: Seconds a sender holds the statements it claimed (then another sender may send them).
DEFAULT_LEASE = 60.0
#: Batches one sweep sends at most (the next sweep goes on).
MAX_BATCHES = 100


@dataclass(frozen=True)
class LrsAnswer:
    """What the LRS answered: an HTTP status, or 0 for no answer (network error, time-out)."""

    status: int
    reason: str = ""
    retry_after: float | None = None

    @property
    def stored(self) -> bool:
        return self.status in (200, 204) or self.status == 409

    @property
    def transient(self) -> bool:
        return self.status in (0, 401, 403, 408, 429) or self.status >= 500


class LrsClient:
    """POSTs of statements to an LRS's ``/statements`` (kept-alive connections)."""

    def __init__(
        self,
        endpoint: str,
        username: str | None = None,
        password: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.url = endpoint.rstrip("/") + "/statements"
        credentials = f"{username}:{password or ''}".encode()
        self._headers = {VERSION_HEADER: "1.0.3", "Content-Type": "application/json"}
        if username:
            self._headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def of(cls, settings: Settings) -> LrsClient:
        if not settings.xapi_endpoint:
            raise ValueError("HOCVUSO_XAPI_ENDPOINT is not set")
        password = settings.xapi_password.get_secret_value() if settings.xapi_password else None
        return cls(
            settings.xapi_endpoint,
            settings.xapi_username,
            password,
            timeout=settings.xapi_timeout,
        )

    async def post(self, statements: Sequence[dict[str, Any]]) -> LrsAnswer:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        body = json.dumps(list(statements), ensure_ascii=False, separators=(",", ":"))
        try:
            async with self._session.post(self.url, data=body.encode(), headers=self._headers) as r:
                text = await r.text(errors="replace")
                return LrsAnswer(r.status, _reason(r.status, text), _retry_after(r.headers))
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return LrsAnswer(0, f"no answer: {type(exc).__name__}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _reason(status: int, text: str) -> str:
    """A short reason without the statements' content: the status, and for a refusal the
    first words of the LRS's message (which may quote a field name, never a value we log)."""
    if status in (200, 204):
        return ""
    if 400 <= status < 500 and status != 409:
        try:
            detail = json.loads(text).get("detail")
        except (ValueError, AttributeError):
            detail = None
        first = detail[0] if isinstance(detail, list) and detail else None
        if isinstance(first, dict) and isinstance(first.get("type"), str):
            # Pydantic's error: its kind and the field's path (names, never the values).
            path = ".".join(str(p) for p in first.get("loc", ()) if isinstance(p, str))
            return f"HTTP {status} ({first['type']}: {path})"[:200]
        return f"HTTP {status}"
    return f"HTTP {status}"


def _retry_after(headers: Any) -> float | None:
    value: str | None = headers.get("Retry-After")
    try:
        return max(float(str(value)), 0.0) if value is not None else None
    except ValueError:
        return None


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones."""
    return min(BACKOFF_BASE * float(2 ** min(max(attempts - 1, 0), 30)), BACKOFF_CAP)


@dataclass(frozen=True)
class Claimed:
    id: str
    statement: dict[str, Any]
    attempts: int


@dataclass
class Swept:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Swept) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.dead += other.dead
        self.errors += other.errors


class XapiSender:
    def __init__(
        self,
        database: AsyncEngine,
        client: LrsClient,
        *,
        batch: int = 50,
        max_attempts: int = 10,
        lease: timedelta = timedelta(seconds=DEFAULT_LEASE),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.client = client
        self.batch = batch
        self.max_attempts = max_attempts
        self.lease = lease
        self.clock = clock

    @classmethod
    def of(cls, database: AsyncEngine, settings: Settings) -> XapiSender:
        return cls(
            database,
            LrsClient.of(settings),
            batch=settings.xapi_batch,
            max_attempts=settings.xapi_max_attempts,
            lease=timedelta(seconds=settings.xapi_lease),
        )

    async def claim(self, limit: int) -> list[Claimed]:
        """Lease up to ``limit`` due statements, oldest first, skipping rows others hold."""
        now = self.clock()
        async with self.database.begin() as connection:
            due = (
                select(X.c.id)
                .where(
                    X.c.state == S.PENDING,
                    X.c.next_try_at <= now,
                    or_(X.c.lease_until.is_(None), X.c.lease_until < now),
                )
                .order_by(X.c.next_try_at, X.c.id)
                .limit(limit)
            )
            if connection.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = await connection.execute(
                update(X)
                .where(X.c.id.in_(due.scalar_subquery()))
                .values(lease_until=now + self.lease)
                .returning(X.c.id, X.c.statement, X.c.attempts, X.c.next_try_at)
            )
            rows = sorted(claimed.all(), key=lambda r: (r.next_try_at, r.id))
        return [Claimed(r.id, r.statement, r.attempts) for r in rows]

    async def send_batch(self, claimed: Sequence[Claimed]) -> Swept:
        """POST the claimed statements and record the outcome (see the module's doc)."""
        if not claimed:
            return Swept()
        answer = await self.client.post([c.statement for c in claimed])
        if answer.stored and not (answer.status == 409 and len(claimed) > 1):
            await self._sent(claimed)
            return Swept(sent=len(claimed))
        if answer.transient:
            return await self._retry(claimed, answer)
        if len(claimed) > 1:  # a 409 or a refusal of the batch: each gets its own answer
            swept = Swept()
            for one in claimed:
                swept.add(await self.send_batch([one]))
            return swept
        await self._dead(claimed, answer.reason)
        return Swept(dead=1, errors=[answer.reason])

    async def sweep(self, max_batches: int = MAX_BATCHES) -> Swept:
        """Send what is due, batch after batch, until nothing is due or the LRS fails."""
        swept = Swept()
        for _ in range(max_batches):
            claimed = await self.claim(self.batch)
            if not claimed:
                break
            result = await self.send_batch(claimed)
            swept.add(result)
            if result.retried:  # the LRS is down or throttling: leave the rest for later
                break
        return swept

    async def close(self) -> None:
        await self.client.close()

    # --- recording ---------------------------------------------------------------------------
    async def _sent(self, claimed: Sequence[Claimed]) -> None:
        async with self.database.begin() as connection:
            await connection.execute(
                update(X)
                .where(X.c.id.in_([c.id for c in claimed]))
                .values(
                    state=S.SENT,
                    sent_at=self.clock(),
                    lease_until=None,
                    attempts=X.c.attempts + 1,
                    last_error=None,
                )
            )

    async def _retry(self, claimed: Sequence[Claimed], answer: LrsAnswer) -> Swept:
        now = self.clock()
        params = []
        dead = 0
        for c in claimed:
            attempts = c.attempts + 1
            wait = max(backoff(attempts), answer.retry_after or 0.0)
            final = attempts >= self.max_attempts
            dead += final
            params.append(
                {
                    "rid": c.id,
                    "rstate": str(S.DEAD if final else S.PENDING),
                    "rattempts": attempts,
                    "rnext": now + timedelta(seconds=min(wait, BACKOFF_CAP)),
                    "rerror": answer.reason[:200],
                }
            )
        async with self.database.begin() as connection:
            await connection.execute(
                update(X)
                .where(and_(X.c.id == bindparam("rid"), X.c.state == S.PENDING))
                .values(
                    state=bindparam("rstate"),
                    attempts=bindparam("rattempts"),
                    next_try_at=bindparam("rnext", type_=UTCDateTime),
                    last_error=bindparam("rerror"),
                    lease_until=None,
                ),
                params,
            )
        log.warning("xapi: the LRS did not take %d statements (%s)", len(claimed), answer.reason)
        return Swept(retried=len(claimed) - dead, dead=dead, errors=[answer.reason])

    async def _dead(self, claimed: Sequence[Claimed], reason: str) -> None:
        async with self.database.begin() as connection:
            await connection.execute(
                update(X)
                .where(X.c.id.in_([c.id for c in claimed]), X.c.state == S.PENDING)
                .values(
                    state=S.DEAD,
                    attempts=X.c.attempts + 1,
                    last_error=reason[:200],
                    lease_until=None,
                )
            )
        log.warning("xapi: the LRS refused %d statements for good (%s)", len(claimed), reason)


# --- what the CLI shows and does ---------------------------------------------------------------
async def counts(database: AsyncEngine) -> dict[str, int]:
    async with database.connect() as connection:
        rows = await connection.execute(select(X.c.state, func.count()).group_by(X.c.state))
        return {state: int(n) for state, n in rows.all()}


async def dead_letters(database: AsyncEngine, limit: int = 50) -> list[Any]:
    query = (
        select(X.c.id, X.c.verb, X.c.attempts, X.c.last_error, X.c.created_at)
        .where(X.c.state == S.DEAD)
        .order_by(X.c.created_at, X.c.id)
        .limit(limit)
    )
    async with database.connect() as connection:
        return list((await connection.execute(query)).all())


async def requeue(database: AsyncEngine, statement_id: str | None, now: datetime) -> int:
    """Dead letters back to ``pending`` (one by id, or all with ``None``), due now."""
    query = update(X).where(X.c.state == S.DEAD)
    if statement_id is not None:
        query = query.where(X.c.id == statement_id)
    async with database.begin() as connection:
        result = await connection.execute(
            query.values(state=S.PENDING, attempts=0, next_try_at=now, lease_until=None)
        )
    return result.rowcount or 0


async def send_now(database: AsyncEngine, settings: Settings) -> Swept:
    """One sweep now (``hocvuso xapi send``, and the scheduler's job)."""
    sender = XapiSender.of(database, settings)
    try:
        return await sender.sweep()
    finally:
        await sender.close()
