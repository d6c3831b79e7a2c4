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


def test_stats_measure_the_length_cue_per_level(good_pack: Path) -> None:
    quality = pack_stats(load_pack(good_pack)).levels[0].quality

    # 40 exam questions whose answer takes each length rank 10 times; of the 4 lesson
    # questions none is the longest and 3 are among the three tied second-longest
    assert (quality.cue.questions, quality.cue.chance) == (44, 0.25)
    assert (round(quality.cue.longest, 3), round(quality.cue.second, 3)) == (0.227, 0.258)
    assert quality.lessons_with_cue == 0
    assert (quality.near_duplicates, quality.repeated_distractors) == (0, 0)
    assert (quality.homepage_sources, quality.sources, quality.homepage_only_lessons) == (0, 1, 0)


def test_stats_count_duplicates_repeats_and_homepage_sources(pack_files: PackFiles) -> None:
    questions = pack_files.exam["exam"]["questions"]
    questions[7]["text"] = pack_files.question(0)["text"]
    for i in (1, 2, 3):
        questions[i]["options"][0] = "Hỏi đồng nghiệp ngồi bên cạnh"
    pack_files.lesson["sources"][0]["url"] = "https://example.gov.vn"
    for question in pack_files.lesson["questions"][:3]:
        question["correct"] = 3
    stats = pack_stats(load_pack(pack_files.write()))

    quality = stats.levels[0].quality
    assert quality.lessons_with_cue == 1
    assert (quality.near_duplicates, quality.repeated_distractors) == (1, 1)
    assert (quality.homepage_sources, quality.sources, quality.homepage_only_lessons) == (1, 1, 1)
    assert stats.quality == quality  # one level: the pack's figures are the level's
    assert stats.titles_reused == 0


def test_stats_render_the_give_aways(good_pack: Path) -> None:
    console = Console(width=100, record=True)

    console.print(stats_renderable(pack_stats(load_pack(good_pack))))

    text = console.export_text()
    assert "length cue, per level (must be within ± 0.05 of chance)" in text
    assert "│     1 │        44 │  0.250 │   0.227 │       0.258 │            0 │" in text
    assert "0 of 1" in text
    assert "lesson titles used twice: 0" in text
