"""A real Learning Record Store for the tests: ralph-malph with its file-system backend.

ralph runs from its own venv (``.venv-lrs``, made by ``scripts/lrs.sh``: its dependencies would
clash with ours) as a uvicorn subprocess on a free port, with one basic-auth user. Tests may stop
and start it (an outage) and read the statements back with GET.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HOCVUSO_LRS_VENV", ROOT / ".venv-lrs"))
USER, PASSWORD = "hocvuso", "lrs-test-password"
AUTH = ["-u", USER, "-p", PASSWORD, "-s", "all", "-M", "mailto:lrs@hocvuso.vn", "-w"]
SERVER = ROOT / "scripts" / "lrs_server.py"  # ralph's app on its file-system backend


def ensure_installed() -> Path:
    """The venv's python, installing ralph first if it is missing (or skip, saying why)."""
    python = VENV / "bin" / "python"
    if not (VENV / "bin" / "ralph").exists():
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "lrs.sh")],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0 or not (VENV / "bin" / "ralph").exists():
            pytest.skip(f"ralph-malph cannot be installed: {done.stderr.strip()[-300:]}")
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Lrs:
    def __init__(self, directory: Path) -> None:
        self.python = ensure_installed()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(directory),
            "RALPH_AUTH_FILE": str(directory / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(directory / "data"),
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(directory / "data"),
        }
        subprocess.run(
            [str(VENV / "bin" / "ralph"), "auth", *AUTH],
            env=self.env,
            capture_output=True,
            check=True,
            timeout=120,
        )

    def start(self) -> None:
        assert self.process is None
        self.process = subprocess.Popen(
            [str(self.python), str(SERVER), "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.directory / "lrs.log", "ab"),  # kept by the child
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/statements?limit=1")
                return
            except (OSError, urllib.error.URLError):
                assert self.process.poll() is None, (self.directory / "lrs.log").read_text()
                time.sleep(0.2)
        raise AssertionError("the LRS did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def get(self, path: str) -> Any:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            self.endpoint + path,
            headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def statements(self, home_page: str | None = None) -> list[dict[str, Any]]:
        """Every statement stored (of actors of that home page), following ``more`` links."""
        found: list[dict[str, Any]] = []
        page = self.get("/statements?limit=500")
        while True:
            found += page["statements"]
            more = page.get("more")
            if not more:
                break
            page = self.get(more.split("/xAPI", 1)[1])
        if home_page is None:
            return found
        return [s for s in found if s["actor"].get("account", {}).get("homePage") == home_page]


@pytest.fixture(scope="session")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    server = Lrs(tmp_path_factory.mktemp("lrs"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running_lrs(lrs: Lrs) -> Iterator[Lrs]:
    """The LRS, started again after a test that stopped it."""
    if lrs.process is None:
        lrs.start()
    yield lrs
    if lrs.process is None:
        lrs.start()
