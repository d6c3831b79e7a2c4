"""Importing Moodle GIFT question banks."""

from __future__ import annotations

from pathlib import Path

import yaml

from hocvuso.content.importers import import_file
from hocvuso.content.lint import lint_pack
from hocvuso.content.loader import Problem, collect

GOOD = r"""// Ngân hàng câu hỏi an toàn
$CATEGORY: $course$/top/An toàn

// source: Cẩm nang an toàn thông tin | https://example.gov.vn/cam-nang
::otp-purpose:: Mã OTP dùng để làm gì\? {
  =Xác nhận một giao dịch của chính bạn #OTP là mã dùng một lần, không đưa cho ai.
  ~Đăng nhập vào mọi trang mạng xã hội
  ~Đặt tên cho tài khoản ngân hàng
}

::Escapes:: Ký tự \{ngoặc\}, \= bằng, \~ ngã, \# thăng và \: hai chấm {
  =Được thoát bằng dấu gạch chéo ngược
  ~Được viết hai lần liền nhau
  ~Không bao giờ xuất hiện được
  ####Trong GIFT, dấu \\ đứng trước ký tự đặc biệt để giữ nguyên nó.
}

::otp-share:: Ngân hàng được phép hỏi mã OTP của bạn. {F#Sai: ngân hàng không bao giờ hỏi mã OTP.}

Câu tự luận: hãy mô tả quy trình sao lưu của cơ quan. {}
"""

BROKEN = """::a:: Câu có hai đáp án đúng cùng lúc {=Một ~Hai =Ba}

::b:: Câu tốt hoàn toàn bình thường ở đây {=Đúng rồi ~Sai rồi #Giải thích đầy đủ cho câu này.}

::c:: Câu không có lời giải thích nào {=Một ~Hai}

::d:: Khối đáp án không bao giờ đóng lại {=Một ~Hai
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ngan-hang.gift"
    path.write_text(text, "utf-8")
    return path


def test_gift_questions_become_an_exam_pool_the_loader_accepts(
    tmp_path: Path, good_pack: Path
) -> None:
    result = import_file(_write(tmp_path, GOOD), good_pack, level=1, area="safety")

    target = good_pack / "level1" / "exam-ngan-hang.yaml"
    assert result.problems == []
    assert result.written == [target]
    assert result.questions == 3
    assert collect(good_pack)[1] == []
    questions = yaml.safe_load(target.read_text("utf-8"))["exam"]["questions"]
    assert questions[0] == {
        "id": "otp-purpose",
        "area": "safety",
        "text": "Mã OTP dùng để làm gì?",
        "options": [
            "Xác nhận một giao dịch của chính bạn",
            "Đăng nhập vào mọi trang mạng xã hội",
            "Đặt tên cho tài khoản ngân hàng",
        ],
        "correct": 0,
        "explanation": "OTP là mã dùng một lần, không đưa cho ai.",
        "sources": [
            {"title": "Cẩm nang an toàn thông tin", "url": "https://example.gov.vn/cam-nang"}
        ],
    }


def test_gift_escapes_are_unescaped_and_general_feedback_explains(
    tmp_path: Path, good_pack: Path
) -> None:
    import_file(_write(tmp_path, GOOD), good_pack, level=1, area="safety")

    target = good_pack / "level1" / "exam-ngan-hang.yaml"
    question = yaml.safe_load(target.read_text("utf-8"))["exam"]["questions"][1]
    assert question["text"] == "Ký tự {ngoặc}, = bằng, ~ ngã, # thăng và : hai chấm"
    assert question["explanation"] == (
        "Trong GIFT, dấu \\ đứng trước ký tự đặc biệt để giữ nguyên nó."
    )
    assert question["id"].startswith("exam1-safety-")  # "Escapes" is not a valid id


def test_gift_true_false_becomes_dung_sai(tmp_path: Path, good_pack: Path) -> None:
    import_file(_write(tmp_path, GOOD), good_pack, level=1, area="safety")

    target = good_pack / "level1" / "exam-ngan-hang.yaml"
    question = yaml.safe_load(target.read_text("utf-8"))["exam"]["questions"][2]
    assert (question["options"], question["correct"]) == (["Đúng", "Sai"], 1)
    assert question["explanation"] == "Sai: ngân hàng không bao giờ hỏi mã OTP."


def test_gift_essay_is_skipped_and_reported_with_its_line(tmp_path: Path, good_pack: Path) -> None:
    source = _write(tmp_path, GOOD)

    result = import_file(source, good_pack, level=1, area="safety")

    message = "skipped: essay question ('{}') is not supported"
    assert result.skipped == [Problem(str(source), 20, message)]


def test_gift_import_ids_are_the_same_every_time(tmp_path: Path, good_pack: Path) -> None:
    source = _write(tmp_path, GOOD)
    target = good_pack / "level1" / "exam-ngan-hang.yaml"
    import_file(source, good_pack, level=1, area="safety")
    first = target.read_text("utf-8")

    result = import_file(source, good_pack, level=1, area="safety", force=True)

    assert result.problems == []
    assert target.read_text("utf-8") == first


def test_gift_import_refuses_to_replace_a_file_without_force(
    tmp_path: Path, good_pack: Path
) -> None:
    source = _write(tmp_path, GOOD)
    import_file(source, good_pack, level=1, area="safety")

    result = import_file(source, good_pack, level=1, area="safety")

    target = good_pack / "level1" / "exam-ngan-hang.yaml"
    assert result.problems == [
        Problem(str(target), 1, "already exists: pass --force to replace it")
    ]


def test_broken_gift_reports_each_problem_line_and_writes_nothing(
    tmp_path: Path, good_pack: Path
) -> None:
    source = _write(tmp_path, BROKEN)

    result = import_file(source, good_pack, level=1, area="safety")

    name = str(source)
    assert result.problems == [
        Problem(name, 1, "2 correct answers; a question needs exactly one '='"),
        Problem(name, 5, "explanation: String should have at least 10 characters"),
        Problem(name, 7, "the answer block '{' is never closed with '}'"),
    ]
    assert result.written == []
    assert sorted(p.name for p in (good_pack / "level1").iterdir()) == ["exam.yaml", "safety.yaml"]
    assert lint_pack(good_pack) == []


def test_gift_without_area_asks_for_one(tmp_path: Path, good_pack: Path) -> None:
    source = _write(tmp_path, "::q:: Câu hỏi thử nghiệm {=Một #Giải thích đầy đủ ~Hai}\n")

    result = import_file(source, good_pack, level=1)

    assert result.problems == [
        Problem(str(source), 1, "no area: fill the area column or pass --area")
    ]
