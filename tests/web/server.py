"""The real ``hocvuso web`` process on a free port, for end-to-end tests (reusable: the issue's
e2e test opens a certificate's QR URL here, the dashboard's browser tests sign in here).

    async with WebProcess(database_url, tmp_path, HOCVUSO_CREDENTIAL_KEYS=...) as web:
        page = httpx.get(f"{web.base_url}/verify/{code}")

The process is started with ``python -m hocvuso.cli web`` and the environment given; it is ready
when ``/healthz`` answers ok. Its output goes to ``web.log`` in the working directory and is
shown when it fails to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebProcess:
    def __init__(
        self, database_url: str, workdir: Path, *, args: tuple[str, ...] = (), **env: str
    ) -> None:
        self.args = args
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = workdir / "web.log"
        self.env = {
            **os.environ,
            "HOCVUSO_DATABASE_URL": database_url,
            "HOCVUSO_DATA_DIR": str(workdir / "data"),
            "HOCVUSO_LOG_LEVEL": "INFO",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, within: float = 60.0) -> None:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hocvuso.cli",
                "web",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.args,
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise AssertionError(f"hocvuso web exited at start:\n{self.log()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        await self.stop()
        raise AssertionError(f"hocvuso web did not answer in {within} s:\n{self.log()}")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    async def __aenter__(self) -> WebProcess:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
