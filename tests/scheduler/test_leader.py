"""Only one scheduler leads; when its process dies another takes over within 30 seconds. Two real
`hocvuso scheduler` processes against the real Redis and the real PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
LEADER_LINE = "leader: this process now runs the scheduled jobs"
REDIS_URL = "redis://127.0.0.1:6379/14"


class Scheduler:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hocvuso.cli", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )

    def leads(self) -> bool:
        return LEADER_LINE in self.log.read_text()

    def wait_until_leader(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.leads():
                return True
            if self.process.poll() is not None:
                raise AssertionError(self.log.read_text())
            time.sleep(0.2)
        return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=15)


@pytest.fixture(params=["redis", "postgresql"])
def environment(
    request: pytest.FixtureRequest, pg_database: str, tmp_path: Path
) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")} | {
        "HOCVUSO_DATABASE_URL": pg_database,
        "HOCVUSO_DATA_DIR": str(tmp_path),
        "HOCVUSO_CONTENT_PATH": str(ROOT / "tests" / "fixtures" / "pack"),
        "HOCVUSO_LEADER_TTL": "3",
        "HOCVUSO_LOG_LEVEL": "INFO",
    }
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        env["HOCVUSO_REDIS_URL"] = REDIS_URL
        yield env
        client.flushdb()
        client.close()
    else:
        yield env


def test_one_leader_at_a_time_and_a_takeover_when_it_dies(
    environment: dict[str, str], tmp_path: Path
) -> None:
    first = Scheduler(environment, tmp_path / "first.log")
    second: Scheduler | None = None
    try:
        assert first.wait_until_leader(30)
        second = Scheduler(environment, tmp_path / "second.log")
        assert not second.wait_until_leader(5)  # the first still leads
        first.stop(signal.SIGKILL)  # dies without releasing anything
        assert second.wait_until_leader(30)
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()
