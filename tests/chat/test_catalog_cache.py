"""The message catalogs kept parsed in the data directory (hocvuso.i18n.use_cache)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hocvuso import i18n


@pytest.fixture
def cached(tmp_path: Path) -> Iterator[Path]:
    i18n._bundle.cache_clear()
    i18n.use_cache(tmp_path)
    yield tmp_path
    i18n.use_cache(None)
    i18n._bundle.cache_clear()


def test_catalogs_are_cached_and_read_back(cached: Path):
    parsed = i18n.t("vi", "cmd-start")
    assert (cached / "catalog-vi.pickle").exists()
    i18n._bundle.cache_clear()
    assert i18n.t("vi", "cmd-start") == parsed
    i18n.preload()
    assert {p.name for p in cached.glob("*.pickle")} == {"catalog-en.pickle", "catalog-vi.pickle"}


def test_a_changed_catalog_is_parsed_again(cached: Path, tmp_path_factory, monkeypatch):
    locales = tmp_path_factory.mktemp("locales")
    (locales / "vi.ftl").write_text("cmd-start = Bắt đầu\n", "utf-8")
    monkeypatch.setattr(i18n, "LOCALES", locales)
    assert i18n.t("vi", "cmd-start") == "Bắt đầu"
    i18n._bundle.cache_clear()
    (locales / "vi.ftl").write_text("cmd-start = Học ngay\n", "utf-8")
    assert i18n.t("vi", "cmd-start") == "Học ngay"


@pytest.mark.parametrize("damage", [b"", b"garbage", b"hocvuso-catalog-cache 1 x\n\x80\x05junk"])
def test_a_damaged_cache_is_parsed_over(cached: Path, damage: bytes):
    expected = i18n.t("vi", "cmd-start")
    (cached / "catalog-vi.pickle").write_bytes(damage)
    i18n._bundle.cache_clear()
    assert i18n.t("vi", "cmd-start") == expected
    assert (cached / "catalog-vi.pickle").read_bytes().startswith(b"hocvuso-catalog-cache 1 ")
