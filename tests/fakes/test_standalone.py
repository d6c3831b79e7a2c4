"""The repository stands alone: its fake Bot API runs from a copy with nothing beside it.

The copy holds the files git knows about (committed, staged or new and not ignored), as they are
in the working tree, in ``<tmp>/solo/repo`` with no other directory next to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


_NOT_PROJECT = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def _project_files() -> list[str]:
    """The files git knows about; outside a git checkout (an unpacked archive), the tree
    without virtual environments and caches."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [
            str(path.relative_to(ROOT))
            for path in ROOT.rglob("*")
            if path.is_file() and not _NOT_PROJECT & set(path.relative_to(ROOT).parts)
        ]
    return [name for name in listed.decode().split("\0") if name]


def _copy_project(target: Path) -> None:
    for name in _project_files():
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree, not yet in the index
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def test_the_fake_bot_api_passes_its_tests_from_a_lone_copy(tmp_path: Path) -> None:
    repo = tmp_path / "solo" / "repo"
    _copy_project(repo)
    assert sorted(p.name for p in repo.parent.iterdir()) == ["repo"]  # nothing beside it
    assert (repo / "tests" / "fakes" / "botapi" / "api.json").is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOCVUSO_", "PYTEST_"))}
    env["PYTHONPATH"] = str(repo)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/fakes/test_telegram_api.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, output
    assert " passed" in result.stdout and "failed" not in result.stdout, output
