"""The start-up revision check reads the head off the revision files instead of importing
Alembic; it must agree with Alembic, and hand over to it for anything but one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from hocvuso.storage import db


def test_the_head_read_off_the_files_is_alembics():
    alembic_head = ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()
    assert db._head_from_files() == alembic_head
    assert db.head_revision() == alembic_head


def _revision(path: Path, revision: str, down: str | None, labels: str = "None") -> None:
    path.write_text(
        f"revision: str = '{revision}'\n"
        f"down_revision: str | None = {down!r}\n"
        f"branch_labels: str | Sequence[str] | None = {labels}\n"
        "depends_on: str | Sequence[str] | None = None\n"
    )


@pytest.mark.parametrize(
    ("files", "head"),
    [
        ([("a", None), ("b", "a"), ("c", "b")], "c"),
        ([("a", None), ("b", "a"), ("c", "a")], None),  # two heads: Alembic decides
        ([("b", "a")], None),  # a down revision that is not there
    ],
)
def test_anything_but_one_line_is_left_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[tuple[str, str | None]], head
):
    for revision, down in files:
        _revision(tmp_path / f"{revision}.py", revision, down)
    monkeypatch.setattr(db, "VERSIONS", tmp_path)
    assert db._head_from_files() == head


def test_a_branch_label_is_left_to_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _revision(tmp_path / "a.py", "a", None, labels="('main',)")
    monkeypatch.setattr(db, "VERSIONS", tmp_path)
    assert db._head_from_files() is None
