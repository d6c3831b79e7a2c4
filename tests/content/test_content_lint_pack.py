"""The source rules and the rules that look across a level or the pack: each fires on a spoiled
sample and stays quiet on the good pack (see ``test_every_rule_runs_on_the_good_pack_...``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import yaml

from hocvuso.content import cues
from hocvuso.content.lint import lint_pack
from tests.content.helpers import EXAM_FILE, MODULE_FILE, PackFiles, places

CHECKED = datetime.date(2026, 12, 1)


def exam(pack_files: PackFiles, i: int) -> dict[str, Any]:
    question: dict[str, Any] = pack_files.exam["exam"]["questions"][i]
    return question


# --- sources --------------------------------------------------------------------------------


def test_loader_accepts_the_checked_date(pack_files: PackFiles) -> None:
    root = pack_files.write()
    assert "checked: 2026-12-01" in (root / MODULE_FILE).read_text("utf-8")
    assert lint_pack(root) == []


def test_source_without_checked_date_is_reported(pack_files: PackFiles) -> None:
    del pack_files.lesson["sources"][0]["checked"]
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- title: Cẩm nang an toàn")
    assert places(problems) == [(MODULE_FILE, line, "source-unchecked")]
    assert "has no 'checked:' date" in problems[0].message


def test_homepage_source_of_a_lesson_is_refused(pack_files: PackFiles) -> None:
    pack_files.lesson["sources"][0]["url"] = "https://example.gov.vn/"
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "url: https://example.gov.vn/")
    assert places(problems) == [(MODULE_FILE, line, "source-homepage")]
    assert problems[0].message.startswith("lesson 'passwords': the source https://example")


def test_homepage_source_of_an_exam_question_is_refused(pack_files: PackFiles) -> None:
    exam(pack_files, 3)["sources"] = [
        {"title": "Cổng Dịch vụ công", "url": "https://dichvucong.gov.vn", "checked": CHECKED}
    ]
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(EXAM_FILE, "url: https://dichvucong.gov.vn")
    assert places(problems) == [(EXAM_FILE, line, "source-homepage")]
    assert problems[0].message.startswith("question 'exam-03': the source")


@pytest.mark.parametrize(
    ("url", "homepage"),
    [
        ("https://chinhphu.vn", True),
        ("https://chinhphu.vn/", True),
        ("https://chinhphu.vn/#top", True),
        ("https://vanban.chinhphu.vn/?pageid=27160&docid=207763", False),
        ("https://thuvienphapluat.vn/van-ban/Cong-nghe-thong-tin/Luat-20-2023.aspx", False),
        ("https://example.gov.vn/#/van-ban/12", False),
    ],
)
def test_homepage_is_a_url_with_no_path_query_or_route(url: str, homepage: bool) -> None:
    assert cues.is_homepage(url) is homepage


# --- length cue -----------------------------------------------------------------------------


def test_good_pack_has_no_length_cue_at_its_level(pack_files: PackFiles) -> None:
    root = pack_files.write()

    assert lint_pack(root, rules=["length-cue"]) == []


@pytest.mark.parametrize(
    ("index", "figures"),
    [
        (0, "picking the longest option scores 0.91 and the second-longest 0.03"),
        (1, "picking the longest option scores 0.00 and the second-longest 0.94"),
    ],
)
def test_level_where_picking_by_length_beats_chance_is_reported(
    pack_files: PackFiles, index: int, figures: str
) -> None:
    for question in pack_files.exam["exam"]["questions"]:
        question["correct"] = index  # option 0 is the longest of every exam question
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(EXAM_FILE, "level: 1")
    assert places(problems) == [(EXAM_FILE, line, "length-cue")]
    assert problems[0].message.startswith("level 1: over its 44 lesson and exam questions")
    assert "both must be within 0.05 of chance (0.25)" in problems[0].message
    assert figures in problems[0].message  # 40 exam questions plus 4 lesson ones


def test_length_cue_figures_follow_the_brief_definition() -> None:
    question = cues.Item("q", "Câu hỏi?", ("aaaa", "bbbb", "cc", "d"), 1)
    assert cues.rank_score(question, 0) == 0.5  # tied longest: half the time
    assert cues.rank_score(question, 1) == 0.0
    cue = cues.length_cue([question, cues.Item("r", "?", ("aa", "b", "ccc"), 1)])
    assert (cue.questions, round(cue.chance, 3)) == (2, round((1 / 4 + 1 / 3) / 2, 3))
    assert (cue.longest, cue.second) == (0.25, 0.0)


def test_lesson_whose_answer_is_mostly_the_longest_is_reported(pack_files: PackFiles) -> None:
    for n in range(3):
        pack_files.question(n)["correct"] = 3  # option 3 is the uniquely longest
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- id: passwords")
    assert places(problems) == [(MODULE_FILE, line, "length-cue")]
    assert "uniquely longest in 3 of its 4 questions" in problems[0].message


def test_lesson_whose_answer_is_mostly_the_shortest_is_reported(pack_files: PackFiles) -> None:
    for n in range(3):
        pack_files.question(n)["options"][0] = f"Ngày sinh ({n})"
        pack_files.question(n)["correct"] = 0
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- id: passwords")
    assert places(problems) == [(MODULE_FILE, line, "length-cue")]
    assert "uniquely shortest in 3 of its 4 questions" in problems[0].message


# --- near-duplicates ------------------------------------------------------------------------


def _both_places(pack_files: PackFiles) -> list[tuple[str, int, str]]:
    return sorted(
        [
            (EXAM_FILE, pack_files.line_of(EXAM_FILE, "id: exam-07"), "near-duplicate"),
            (MODULE_FILE, pack_files.line_of(MODULE_FILE, "id: passwords-q1"), "near-duplicate"),
        ]
    )


def test_word_for_word_duplicate_is_reported_at_both_places(pack_files: PackFiles) -> None:
    exam(pack_files, 7)["text"] = pack_files.question(0)["text"]
    root = pack_files.write()

    problems = lint_pack(root)

    assert sorted(places(problems)) == _both_places(pack_files)
    mine = next(p for p in problems if p.file == EXAM_FILE)
    assert mine.message.startswith("question 'exam-07' asks the same as 'passwords-q1' (")
    assert "the same question text" in mine.message


@pytest.mark.parametrize(
    "text",
    [
        "câu 1 — Mật khẩu nào an toàn nhất cho tài khoản công vụ ?",  # case, punctuation
        "Câu 1: mật khẩu nào là an toàn nhất cho tài khoản công vụ?",  # a word added
        "Câu 1: mật khẩu nào an toàn nhất cho các tài khoản công vụ?",
    ],
)
def test_near_rewording_is_reported_at_both_places(pack_files: PackFiles, text: str) -> None:
    exam(pack_files, 7)["text"] = text
    root = pack_files.write()

    assert sorted(places(lint_pack(root))) == _both_places(pack_files)


def test_same_answer_with_the_same_distractors_is_a_duplicate(pack_files: PackFiles) -> None:
    question = exam(pack_files, 7)
    question["text"] = "Hộp thư của xã nên dùng mật khẩu gì?"
    question["options"] = list(pack_files.question(0)["options"])
    question["options"][3] = "Mật khẩu mặc định của nhà cung cấp"
    question["correct"] = 0  # the same answer as passwords-q1, two distractors in common
    root = pack_files.write()

    problems = lint_pack(root, rules=["near-duplicate"])

    assert sorted(places(problems)) == _both_places(pack_files)
    assert "the same correct answer and 3 options in common" in problems[0].message


def test_same_options_with_another_answer_are_another_question(pack_files: PackFiles) -> None:
    question = exam(pack_files, 7)
    question["text"] = "Mật khẩu nào dễ bị đoán ra nhất?"
    question["options"] = list(pack_files.question(0)["options"])
    question["correct"] = 2
    root = pack_files.write()

    assert lint_pack(root, rules=["near-duplicate"]) == []


def test_similar_wording_of_two_different_points_is_not_a_duplicate(
    pack_files: PackFiles,
) -> None:
    # The closest distinct pair of the 2025 pack (two targets of Resolution 57): ratio 0.89,
    # just under the 0.9 threshold that every reworded duplicate of that pack reached.
    exam(pack_files, 7)["text"] = (
        "Theo Nghị quyết 57-NQ/TW, tầm nhìn đến năm 2045 kinh tế số đạt tối thiểu bao nhiêu "
        "phần trăm GDP?"
    )
    exam(pack_files, 8)["text"] = (
        "Theo Nghị quyết 57-NQ/TW, đến năm 2030 quy mô kinh tế số đạt tối thiểu bao nhiêu "
        "phần trăm GDP?"
    )
    root = pack_files.write()

    assert lint_pack(root, rules=["near-duplicate"]) == []


# --- titles and distractors -----------------------------------------------------------------


def test_title_used_at_two_levels_is_reported_at_both(pack_files: PackFiles) -> None:
    pack_files.header["levels"].append({"level": 2, "title": {"vi": "Nâng cao"}})
    root = pack_files.write()
    lesson = {**pack_files.lesson, "id": "passwords-2", "title": "Mật khẩu mạnh!"}
    lesson["questions"] = [
        {**q, "id": f"l2-{q['id']}", "text": f"Cấp 2, {q['text']}"} for q in lesson["questions"]
    ]
    module = {"module": {**pack_files.module["module"], "id": "l2-safety", "level": 2}}
    (root / "level2").mkdir()
    (root / "level2" / "safety.yaml").write_text(
        yaml.safe_dump({**module, "lessons": [lesson]}, allow_unicode=True, sort_keys=False),
        "utf-8",
    )

    problems = lint_pack(root, rules=["title-reused"])

    assert places(problems) == [
        (
            "level1/safety.yaml",
            pack_files.line_of(MODULE_FILE, "title: Mật khẩu mạnh"),
            "title-reused",
        ),
        ("level2/safety.yaml", 8, "title-reused"),
    ]
    assert "lesson 'passwords' (level 1) has the same title as 'passwords-2' (level 2," in (
        problems[0].message
    )


def test_wrong_option_in_three_questions_is_reported_at_each(pack_files: PackFiles) -> None:
    for i in (1, 2, 3):  # their correct options are 1, 2 and 3
        exam(pack_files, i)["options"][0] = "Hỏi đồng nghiệp ngồi bên cạnh"
    root = pack_files.write()

    problems = lint_pack(root, rules=["distractor-repeated"])

    lines = pack_files.lines_of(EXAM_FILE, "- Hỏi đồng nghiệp ngồi bên cạnh")
    assert places(problems) == [(EXAM_FILE, line, "distractor-repeated") for line in lines]
    assert "is used in 3 questions (exam-01, exam-02, exam-03); at most 2" in problems[0].message


def test_wrong_option_in_two_questions_is_fine(pack_files: PackFiles) -> None:
    for i in (1, 2):
        exam(pack_files, i)["options"][0] = "hỏi đồng nghiệp ngồi bên cạnh."
    exam(pack_files, 3)["options"][3] = "Hỏi đồng nghiệp ngồi bên cạnh"  # the right answer there
    root = pack_files.write()

    assert lint_pack(root, rules=["distractor-repeated"]) == []
