"""Fixtures of the content-tool tests: a tiny valid pack in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.content.helpers import PackFiles, make_pack


@pytest.fixture
def pack_files(tmp_path: Path) -> PackFiles:
    """The pack's files as data, not yet written: spoil them, then call ``write()``."""
    return make_pack(tmp_path / "pack")


@pytest.fixture
def good_pack(pack_files: PackFiles) -> Path:
    return pack_files.write()
