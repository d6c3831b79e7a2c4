"""Private Redis and PostgreSQL servers for fault tests: started on free ports in a temporary
directory, killed and restarted at will, removed afterwards.

The machine's shared servers (5432, 6379) are never touched: other test runs use them.
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user (the
temporary directory is handed to it); otherwise it runs as the current user.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def _until(check: Callable[[], bool], what: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not ready after {within} s")
        await asyncio.sleep(0.05)


class PrivateRedis:
    """``redis-server`` on a free port, nothing persisted (``--save "" --appendonly no``)."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        assert self.binary is not None
        log = (self.directory / "redis.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.directory),
            stdout=log,
            stderr=log,
        )  # fmt: skip
        log.close()
        await _until(lambda: _listening(self.port), "private Redis")

    async def kill(self) -> None:
        """SIGKILL: every connection drops, every key is gone (nothing is persisted)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        await _until(lambda: not _listening(self.port), "private Redis down", within=10)

    async def restart(self, down_for: float) -> None:
        await self.kill()
        await asyncio.sleep(down_for)
        await self.start()


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivatePostgres:
    """A throw-away cluster (``initdb``, trust on its own socket and loopback port)."""

    def __init__(self, directory: Path) -> None:
        self.bin = _postgres_bin()
        self.directory = directory
        self.data = directory / "data"
        self.sockets = directory / "sockets"
        self.port = free_port()
        self.as_user: list[str] = []

    @staticmethod
    def unavailable() -> str | None:
        """Why no private PostgreSQL can be started here (None: it can)."""
        if _postgres_bin() is None:
            return "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run the server as"
            if shutil.which("runuser") is None:
                return "running as root without runuser to run the server as postgres"
        return None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        assert self.bin is not None
        command = [*self.as_user, str(self.bin / args[0]), *args[1:]]
        subprocess.run(command, check=True, capture_output=True, cwd=self.directory)

    async def init(self) -> None:
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.directory, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        await asyncio.to_thread(
            self._run,
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    async def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100"
        )
        await asyncio.to_thread(
            self._run,
            "pg_ctl", "-D", str(self.data), "-o", options,
            "-l", str(self.directory / "postgres.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    async def stop(self, mode: str = "fast") -> None:
        """``fast``: sessions are ended, in-flight transactions rolled back; ``immediate``: the
        server is killed (a crash; recovery runs at the next start)."""
        await asyncio.to_thread(
            self._run, "pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"
        )

    async def restart(self, down_for: float, mode: str = "fast") -> None:
        await self.stop(mode)
        await asyncio.sleep(down_for)
        await self.start()

    async def create_database(self, name: str) -> str:
        connection = await asyncpg.connect(self.url())
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)


async def _cleanup(redis: PrivateRedis, postgres: PrivatePostgres, directory: Path) -> None:
    with contextlib.suppress(Exception):
        await redis.kill()
    if postgres.data.exists():
        with contextlib.suppress(Exception):
            await postgres.stop("immediate")
    shutil.rmtree(directory, ignore_errors=True)


def temporary_directory() -> Path:
    """Under /tmp itself, not pytest's tmp_path: as root, the postgres user could not reach a
    directory inside /tmp/pytest-of-root (mode 0700)."""
    return Path(tempfile.mkdtemp(prefix="hocvuso-faults-"))


@contextlib.asynccontextmanager
async def private_services() -> AsyncIterator[tuple[PrivateRedis, PrivatePostgres]]:
    """A private Redis and a private PostgreSQL, both running; removed at the end."""
    directory = temporary_directory()
    redis = PrivateRedis(directory)
    postgres = PrivatePostgres(directory)
    try:
        await postgres.init()
        await postgres.start()
        await redis.start()
        yield redis, postgres
    finally:
        await _cleanup(redis, postgres, directory)
