"""Run the ``hocvuso`` command line on the test database (in a thread: it runs its own loop)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from typer.testing import CliRunner, Result

from hocvuso.cli import app
from hocvuso.config import get_settings

TEST_PACK = Path(__file__).resolve().parent.parent / "fixtures" / "pack"


async def hocvuso(database_url: str, *args: str) -> Result:
    env = {
        "HOCVUSO_DATABASE_URL": database_url,
        "HOCVUSO_CONTENT_PATH": str(TEST_PACK),
        "HOCVUSO_LANGUAGE": "vi",
        "HOCVUSO_BOT_USERNAME": "hocvuso_test_bot",
        "COLUMNS": "200",
    }

    def invoke() -> Result:
        get_settings.cache_clear()  # the settings are read once per process
        try:
            return CliRunner().invoke(app, list(args), env=env)
        finally:
            get_settings.cache_clear()

    return await asyncio.to_thread(invoke)


async def hocvuso_process(
    database_url: str, *args: str, stop_when: Callable[[], Awaitable[bool]] | None = None
) -> tuple[int, str]:
    """The same in a process of its own, for commands that install signal handlers (sending);
    ``stop_when``: stop it with SIGTERM (a clean stop) once this holds, as an operator would."""
    env = {
        **os.environ,
        "HOCVUSO_DATABASE_URL": database_url,
        "HOCVUSO_CONTENT_PATH": str(TEST_PACK),
        "HOCVUSO_LANGUAGE": "vi",
        "HOCVUSO_BOT_USERNAME": "hocvuso_test_bot",
        "HOCVUSO_TELEGRAM_TOKEN": "123:TEST",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hocvuso.cli", *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    if stop_when is not None:
        deadline = asyncio.get_running_loop().time() + 60
        while not await stop_when():
            assert process.returncode is None, "the command ended before it was stopped"
            assert asyncio.get_running_loop().time() < deadline, "the command never got there"
            await asyncio.sleep(0.2)
        process.terminate()
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, output.decode()
