"""``hocvuso xapi status|dead|retry|send`` as an operator runs them (a real process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.storage import tables
from tests.factories import Clock, rows_of
from tests.lrs import PASSWORD, USER, Lrs, lrs, running_lrs  # noqa: F401 - fixtures
from tests.xapi_helpers import conversation, study_until_exam, xapi_settings


def hocvuso(database_url: str, tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "hocvuso.cli", "xapi", *args],
        env={
            **os.environ,
            "HOCVUSO_DATABASE_URL": database_url,
            "HOCVUSO_DATA_DIR": str(tmp_path),
            "COLUMNS": "200",
            **env,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


async def test_an_operator_sees_dead_letters_retries_them_and_sends_them(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
    running_lrs: Lrs,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = xapi_settings(database_url, running_lrs.endpoint)
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    rows = await rows_of(database, "xapi_statement")
    dead_id = rows[0].id
    async with database.begin() as connection:
        await connection.execute(
            update(tables.XAPI_STATEMENT)
            .where(tables.XAPI_STATEMENT.c.id == dead_id)
            .values(state="dead", attempts=10, last_error="HTTP 503")
        )
    lrs_env = {
        "HOCVUSO_XAPI_ENDPOINT": running_lrs.endpoint,
        "HOCVUSO_XAPI_USERNAME": USER,
        "HOCVUSO_XAPI_PASSWORD": PASSWORD,
        "HOCVUSO_PUBLIC_URL": settings.public_url,
    }

    code, out = hocvuso(database_url, tmp_path, "status")
    assert code == 0
    assert re.search(rf"pending\W+{len(rows) - 1}\b", out) and re.search(r"dead\W+1\b", out)
    assert "No LRS configured" in out
    code, out = hocvuso(database_url, tmp_path, "dead")
    assert code == 0 and dead_id in out and "HTTP 503" in out

    code, out = hocvuso(database_url, tmp_path, "retry")
    assert code == 2 and "Give one statement id, or --all" in out
    code, out = hocvuso(database_url, tmp_path, "retry", "no-such-id")
    assert code == 1 and "No dead letter no-such-id" in out
    code, out = hocvuso(database_url, tmp_path, "retry", dead_id)
    assert code == 0 and "1 statements queued again" in out

    code, out = hocvuso(database_url, tmp_path, "send")
    assert code == 1 and "HOCVUSO_XAPI_ENDPOINT is not set" in out
    code, out = hocvuso(database_url, tmp_path, "send", **lrs_env)
    assert code == 0 and f"{len(rows)} sent, 0 to retry, 0 dead letters" in out
    assert len(running_lrs.statements(settings.public_url)) == len(rows)
    code, out = hocvuso(database_url, tmp_path, "dead")
    assert "No dead letters." in out
