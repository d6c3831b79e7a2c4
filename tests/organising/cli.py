"""Run the ``hocvuso`` command line on the test database (in a thread: it runs its own loop)."""

from __future__ import annotations

import asyncio
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
