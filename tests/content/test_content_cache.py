"""The pack cache in the data directory: a restart reads it instead of parsing YAML, as long
as nothing it was made from has changed; a damaged cache never stops the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocvuso.content import cache, loader
from hocvuso.content.loader import PackError, load_pack
from tests.content.helpers import MODULE_FILE, PackFiles


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every parse of a pack (a cache hit parses nothing)."""
    seen: list[Path] = []
    collect = loader.collect

    def counting(root: Path) -> tuple[loader.Pack | None, list[loader.Problem]]:
        seen.append(root)
        return collect(root)

    monkeypatch.setattr(loader, "collect", counting)
    return seen


def test_a_second_load_reads_the_cache(good_pack: Path, tmp_path: Path, parses: list[Path]):
    first = cache.load_pack_cached(good_pack, tmp_path / "cache")
    second = cache.load_pack_cached(good_pack, tmp_path / "cache")
    assert len(parses) == 1
    assert second == first == load_pack(good_pack)
    assert second.lessons["passwords"].lesson.title == "Mật khẩu mạnh"


def test_an_edited_content_file_is_parsed_again(
    pack_files: PackFiles, tmp_path: Path, parses: list[Path]
):
    root = pack_files.write()
    assert cache.load_pack_cached(root, tmp_path / "cache").lessons["passwords"].lesson.title == (
        "Mật khẩu mạnh"
    )
    pack_files.lesson["title"] = "Mật khẩu thật mạnh"  # within the second: content, not mtime
    pack_files.write()
    edited = cache.load_pack_cached(root, tmp_path / "cache")
    assert edited.lessons["passwords"].lesson.title == "Mật khẩu thật mạnh"
    assert len(parses) == 2
    cache.load_pack_cached(root, tmp_path / "cache")
    assert len(parses) == 2  # and the new version is cached in turn


def test_an_added_file_is_parsed_again(good_pack: Path, tmp_path: Path, parses: list[Path]):
    cache.load_pack_cached(good_pack, tmp_path / "cache")
    module = (good_pack / MODULE_FILE).read_text("utf-8")
    copy = module.replace("l1-safety", "l1-safety-2").replace("passwords", "passwords-2")
    (good_pack / "level1" / "safety2.yaml").write_text(copy, "utf-8")
    pack = cache.load_pack_cached(good_pack, tmp_path / "cache")
    assert len(parses) == 2
    assert "passwords-2" in pack.lessons


def test_a_pack_with_problems_still_raises_and_is_not_cached(pack_files: PackFiles, tmp_path: Path):
    pack_files.module["module"]["area"] = "nowhere"
    root = pack_files.write()
    for _ in range(2):
        with pytest.raises(PackError, match="unknown area"):
            cache.load_pack_cached(root, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.pickle"))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data.split(b"\n", 1)[0] + b"\nnot a pickle", id="garbage"),
        pytest.param(lambda data: b"\x80\x05" + bytes(range(256)) * 4, id="binary"),
    ],
)
def test_a_corrupt_cache_falls_back_to_parsing(
    good_pack: Path, tmp_path: Path, parses: list[Path], damage, caplog
):
    cache_dir = tmp_path / "cache"
    expected = cache.load_pack_cached(good_pack, cache_dir)
    (path,) = cache_dir.glob("*.pickle")
    path.write_bytes(damage(path.read_bytes()))
    assert cache.load_pack_cached(good_pack, cache_dir) == expected
    assert len(parses) == 2
    cache.load_pack_cached(good_pack, cache_dir)  # rewritten whole: read, not parsed
    assert len(parses) == 2


def test_an_unwritable_cache_directory_only_costs_the_parse(good_pack: Path, tmp_path: Path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the directory should be")
    assert cache.load_pack_cached(good_pack, blocker) == load_pack(good_pack)


def test_the_shipped_pack_round_trips(tmp_path: Path):
    parsed = load_pack()
    cache.load_pack_cached(None, tmp_path)
    cached = cache.load_pack_cached(None, tmp_path)
    assert cached == parsed
    assert cached.lessons.keys() == parsed.lessons.keys()
    assert cached.translations.keys() == parsed.translations.keys()
