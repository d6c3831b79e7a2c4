"""Each lint rule fires on a spoiled sample and stays quiet on the good pack."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hocvuso.content.lint import RULES, lint_pack
from hocvuso.content.lint_rules import is_catch_all, is_verdict_only
from tests.content.helpers import EXAM_FILE, MODULE_FILE, PackFiles, places, rule_of


def test_good_pack_has_no_problem(good_pack: Path) -> None:
    assert lint_pack(good_pack) == []


def test_every_rule_runs_on_the_good_pack_without_firing(good_pack: Path) -> None:
    for code in RULES:
        assert lint_pack(good_pack, rules=[code]) == []


def test_duplicate_question_id_is_reported_at_the_second_use(pack_files: PackFiles) -> None:
    pack_files.exam["exam"]["questions"][3]["id"] = "passwords-q1"  # exam.yaml loads first
    root = pack_files.write()

    problems = lint_pack(root)

    first = pack_files.line_of(EXAM_FILE, "id: passwords-q1")
    line = pack_files.line_of(MODULE_FILE, "id: passwords-q1")
    assert places(problems) == [(MODULE_FILE, line, None)]
    assert problems[0].message == (
        f"duplicate question id 'passwords-q1' (first at {EXAM_FILE}:{first})"
    )


def test_correct_option_much_longer_than_the_others_gives_the_answer_away(
    pack_files: PackFiles,
) -> None:
    question = pack_files.question(0)
    question["options"] = [
        "Một cụm từ dài, gồm nhiều từ không liên quan đến nhau, dễ nhớ",
        "Ngày sinh",
        "123456",
        "Tên con",
    ]
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "Một cụm từ dài")
    assert places(problems) == [(MODULE_FILE, line, "answer-length")]


def test_correct_option_a_little_longer_than_the_others_is_fine(pack_files: PackFiles) -> None:
    pack_files.question(0)["options"] = [
        "Cụm bốn từ không liên quan đến nhau",
        "Ngày sinh của anh/chị",
        "Số điện thoại cơ quan",
        "Tên đăng nhập viết ngược",
    ]
    root = pack_files.write()

    assert lint_pack(root) == []


@pytest.mark.parametrize(
    "option",
    [
        "Tất cả các đáp án trên",
        "Tất cả đều đúng",
        "Cả A và B",
        "Cả a, b và c",
        "Không có đáp án nào đúng",
        "tat ca deu dung",
        "All of the above",
        "None of the above",
        "Both A and B",
    ],
)
def test_catch_all_option_is_reported(pack_files: PackFiles, option: str) -> None:
    pack_files.question(1)["options"][3] = option
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, f"- {option}")
    assert places(problems) == [(MODULE_FILE, line, "catch-all-option")]


@pytest.mark.parametrize(
    "option",
    [
        "Tất cả tài khoản đều cần mật khẩu riêng",
        "Cả hai vợ chồng dùng chung mật khẩu",
        "Không chia sẻ mã OTP cho ai",
        "Above all, keep the software updated",
    ],
)
def test_honest_option_is_not_taken_for_a_catch_all(option: str) -> None:
    assert is_catch_all(option) is False


def test_option_over_the_telegram_limit_gets_one_clear_message(pack_files: PackFiles) -> None:
    pack_files.question(2)["options"][0] = "Rất dài " * 15  # 120 characters
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "Rất dài")
    assert places(problems) == [(MODULE_FILE, line, "telegram-limits")]
    assert "option 1 is 120 characters; Telegram poll options" in problems[0].message


def test_explanation_with_too_many_line_breaks_is_over_the_telegram_limit(
    pack_files: PackFiles,
) -> None:
    pack_files.question(2)["explanation"] = "Một.\nHai dòng.\nBa dòng.\nBốn dòng."
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "explanation: 'Một.")
    assert places(problems) == [(MODULE_FILE, line, "telegram-limits")]


def test_lesson_without_source_is_reported_once_and_clearly(pack_files: PackFiles) -> None:
    del pack_files.lesson["sources"]
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- id: passwords")
    assert places(problems) == [(MODULE_FILE, line, "lesson-source")]
    assert problems[0].message.startswith("lesson 'passwords' cites no source")


def test_lesson_over_the_reading_time_is_reported_once_and_clearly(pack_files: PackFiles) -> None:
    pack_files.lesson["body"] = "Mật khẩu mạnh giúp bảo vệ tài khoản công vụ. " * 45  # 450 words
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "body:")
    assert places(problems) == [(MODULE_FILE, line, "reading-time")]
    assert "takes about 2.5 minutes to read (450 words at 180 a minute)" in problems[0].message


def test_exam_pool_smaller_than_forty_questions_is_reported(pack_files: PackFiles) -> None:
    pack_files.exam["exam"]["questions"].pop()
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of("pack.yaml", "- level: 1")
    assert places(problems) == [("pack.yaml", line, "exam-pool")]
    assert "the exam pool has 39 questions; an exam of 5 needs at least 40" in problems[0].message


def test_exam_pool_smaller_than_twice_the_exam_size_is_reported(pack_files: PackFiles) -> None:
    pack_files.header["levels"][0]["exam"]["size"] = 25
    root = pack_files.write()

    problems = lint_pack(root)

    assert "needs at least 50" in problems[0].message
    assert places(problems) == [
        ("pack.yaml", pack_files.line_of("pack.yaml", "- level: 1"), "exam-pool")
    ]


def test_exam_pool_missing_an_area_is_reported(pack_files: PackFiles) -> None:
    for question in pack_files.exam["exam"]["questions"]:
        question["area"] = "safety"
    root = pack_files.write()

    problems = lint_pack(root)

    assert places(problems) == [
        ("pack.yaml", pack_files.line_of("pack.yaml", "- level: 1"), "exam-pool")
    ]
    assert "no question on area(s) info" in problems[0].message


@pytest.mark.parametrize(
    "explanation", ["Sai rồi bạn ơi.", "Đúng, chính xác!", "Incorrect.", "Đáp án đúng là B."]
)
def test_explanation_that_only_gives_the_verdict_is_reported(
    pack_files: PackFiles, explanation: str
) -> None:
    pack_files.exam["exam"]["questions"][5]["explanation"] = explanation
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(EXAM_FILE, f"explanation: {explanation}")
    assert places(problems) == [(EXAM_FILE, line, "explanation-verdict")]


def test_explanation_that_teaches_is_not_a_verdict() -> None:
    assert is_verdict_only("Sai: mã OTP chỉ dùng để xác nhận giao dịch của chính bạn.") is False


def test_same_correct_index_in_a_whole_lesson_is_a_warning(pack_files: PackFiles) -> None:
    for question in pack_files.lesson["questions"]:
        question["correct"] = 1
    root = pack_files.write()

    problems = lint_pack(root)

    line = pack_files.line_of(MODULE_FILE, "- id: passwords")
    assert places(problems) == [(MODULE_FILE, line, "same-correct-index")]
    assert problems[0].message.startswith("warning: lesson 'passwords': all 4 questions")


def test_yaml_syntax_error_is_still_reported_with_its_line(pack_files: PackFiles) -> None:
    root = pack_files.write()
    (root / "level1" / "broken.yaml").write_text("module:\n  id: [unclosed\n", "utf-8")

    problems = lint_pack(root)

    assert [(p.file, p.line) for p in problems] == [("level1/broken.yaml", 3)]


def test_translated_option_over_the_telegram_limit_gets_one_clear_message(
    pack_files: PackFiles,
) -> None:
    root = pack_files.write()
    overlay = {
        "language": "en",
        "questions": {"passwords-q1": {"options": ["Too long " * 12, "B", "C", "D"]}},
    }
    (root / "i18n" / "en").mkdir(parents=True)
    (root / "i18n" / "en" / "level1.yaml").write_text(yaml.safe_dump(overlay), "utf-8")

    problems = lint_pack(root)

    assert [(p.file, p.line, rule_of(p)) for p in problems] == [
        ("i18n/en/level1.yaml", 5, "telegram-limits")
    ]
