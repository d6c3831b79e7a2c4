"""Counting a pack's content."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from hocvuso.content.loader import load_pack
from hocvuso.content.stats import Counts, pack_stats, stats_renderable
from tests.content.helpers import PackFiles


def test_stats_count_lessons_and_questions_per_level_and_area(good_pack: Path) -> None:
    stats = pack_stats(load_pack(good_pack))

    [level] = stats.levels
    assert (level.level, level.exam_size, level.exam_needed) == (1, 5, 40)
    assert level.totals == Counts(lessons=1, questions=4, exam=40)
    assert level.areas == {
        "safety": Counts(lessons=1, questions=4, exam=20),
        "info": Counts(lessons=0, questions=0, exam=20),
    }
    assert stats.totals == Counts(lessons=1, questions=4, exam=40)


def test_stats_count_lessons_per_role(pack_files: PackFiles) -> None:
    pack_files.lesson["roles"] = ["deputy", "council"]
    stats = pack_stats(load_pack(pack_files.write()))

    assert stats.levels[0].roles == {"deputy": 1, "civil_servant": 0, "council": 1, "other": 0}


def test_stats_render_as_tables(good_pack: Path) -> None:
    console = Console(width=120, record=True)

    console.print(stats_renderable(pack_stats(load_pack(good_pack))))

    text = console.export_text()
    assert "test-pack 1: per level" in text
    assert "1 / 4 / 20" in text
    assert "civil_servant" in text
